"""Analyzing revision files in worker processes (cold runs of big trees).

Workers are processes of our own: they receive chunks of (path, bytes) and send back
each file's cache entry, as JSON text, as soon as it is done. So a worker that dies
(libcst's native parser can kill the process on input that got past the `ast` gate) or
stops answering costs only the file it was on: that file becomes a `FileProblem`, which
`invalid-revision-file` reports, and a fresh worker takes the rest of its chunk.

Tasks travel to the workers pickled (our own freshly built tuples); results come back as
JSON text, never unpickled.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess

from analyzer.facts import FileProblem

Task = tuple[str, bytes]
"""A file to analyze: its path and its content."""
Analyze = Callable[[str, bytes, str], str]
"""(path, content, dialect) -> the file's entry as JSON text; runs in a worker."""

FILES_PER_WORKER = 16
"""One worker per this many files to parse, up to `--jobs` and `MAX_WORKERS`; fewer than
two workers' worth is parsed in-process. Each worker imports libcst (about 0.4 s) and
sqlglot itself, so workers pay only with enough files to share: on two CPUs a cold run of
8 generated files takes the same time in-process or with two workers (0.97 s), of 40
files 7% less with two workers, of 1,000 files 42% less (docs/performance.md)."""
MAX_WORKERS = 32
"""Each worker holds libcst and a syntax tree (about 50 MB): a cap for many-CPU machines."""
MIN_ALONGSIDE = 100
"""...but with at least this many cached entries for this process to decode meanwhile
(about 40 ms of work), even one file goes to a worker, whose libcst import overlaps it
(and with a spare worker already importing libcst, any file goes to it: `start_spare`)."""
MAX_CHUNK = 16
FILE_TIMEOUT = 120.0
"""Seconds a worker may spend on one file. The `ast` gate keeps libcst's slow shapes out,
and a 400,000-line file parses in about 12 s; past this, the worker is stuck."""


def worker_count(jobs: int, files: int, alongside: int = 0) -> int:
    """How many workers to start for `files` files with `--jobs jobs` (0: in-process),
    while this process decodes `alongside` cached entries."""
    if jobs <= 1 or not files:
        return 0
    workers = min(jobs, MAX_WORKERS, files // FILES_PER_WORKER)
    if workers >= 2:
        return workers
    return 1 if alongside >= MIN_ALONGSIDE else 0


def _context() -> ForkContext | SpawnContext:
    """fork where it is safe (Linux: the child starts with our modules already imported),
    else spawn (macOS and Windows defaults)."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _serve(connection: Connection, analyze: Analyze, prepare: Callable[[], None] | None) -> None:
    """A worker's loop: chunks in, one JSON text per file out; None stops it. `prepare`
    runs first (a spare worker imports the parser while nobody needs it yet)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if prepare is not None:
        prepare()
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        dialect, chunk = message
        for path, data in chunk:
            connection.send_bytes(analyze(path, data, dialect).encode("ascii"))


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection
    analyze: Analyze
    chunk: list[int] = field(default_factory=list)
    """Indexes of the tasks it was given; `done` of them are answered."""
    done: int = 0
    since: float = 0.0
    """When it last answered (or got its chunk)."""


class Workers:
    """Worker processes analyzing `tasks`: started (and given their first chunks) on
    creation, so the caller can do other work until it asks for the `results`. While it
    waits for them, `on_result(index, result)` sees each result as it arrives."""

    def __init__(
        self,
        tasks: Sequence[Task],
        dialect: str,
        workers: int,
        analyze: Analyze,
        *,
        timeout: float = FILE_TIMEOUT,
        on_result: Callable[[int, str | FileProblem], None] | None = None,
    ) -> None:
        self.tasks = tasks
        self.dialect = dialect
        self.analyze = analyze
        self.timeout = timeout
        self.on_result = on_result
        self.context = _context()
        self._results: list[str | FileProblem | None] = [None] * len(tasks)
        size = max(1, min(MAX_CHUNK, len(tasks) // (workers * 4)))
        indexes = list(range(len(tasks)))
        self.queue = deque(indexes[start : start + size] for start in range(0, len(tasks), size))
        self.workers: list[_Worker] = []
        self.started = 0
        """Processes started, replacements of crashed or stuck ones included."""
        try:
            for _ in range(min(workers, len(self.queue))):
                worker = self._start()
                self.workers.append(worker)
                self._assign(worker)
        except BaseException:
            self._stop_all()
            raise

    def _start(self) -> _Worker:
        self.started += 1
        return _take_spare(self.analyze) or _launch(self.context, self.analyze, None)

    def results(self) -> list[str | FileProblem]:
        """Each task's entry text (or the problem that stopped it), in task order."""
        try:
            while any(worker.chunk for worker in self.workers):
                self._step()
        finally:
            self._stop_all()
        return [result or FileProblem("the file was not analyzed") for result in self._results]

    def _stop_all(self) -> None:
        for worker in self.workers:
            self._stop(worker)

    def _assign(self, worker: _Worker) -> None:
        worker.chunk, worker.done, worker.since = [], 0, time.monotonic()
        if self.queue:
            worker.chunk = self.queue.popleft()
            work = [self.tasks[index] for index in worker.chunk]
            with contextlib.suppress(OSError):  # it died: `_step` sees it and replaces it
                worker.connection.send((self.dialect, work))

    def _step(self) -> None:
        busy = [worker for worker in self.workers if worker.chunk]
        deadline = min(worker.since for worker in busy) + self.timeout
        waitables = [w.connection for w in busy] + [w.process.sentinel for w in busy]
        wait(waitables, timeout=max(0.0, deadline - time.monotonic()))
        for worker in busy:
            alive = worker.process.is_alive()  # before collecting: a dead one sent all it could
            self._collect(worker)
            if worker.done == len(worker.chunk):
                self._assign(worker)
            elif not alive:
                self._replace(worker, _crashed(worker.process.exitcode))
            elif time.monotonic() - worker.since > self.timeout:
                self._replace(worker, f"analyzing it took more than {self.timeout:.0f} seconds")

    def _collect(self, worker: _Worker) -> None:
        try:
            while worker.done < len(worker.chunk) and worker.connection.poll():
                text = worker.connection.recv_bytes().decode("ascii")
                index = worker.chunk[worker.done]
                self._results[index] = text
                worker.done += 1
                worker.since = time.monotonic()
                if self.on_result is not None:
                    self.on_result(index, text)
        except (EOFError, OSError):
            pass  # the worker is gone; what it sent before is kept

    def _replace(self, worker: _Worker, reason: str) -> None:
        """The worker died or hangs on its current file: that file gets `reason`, a new
        worker takes over the rest of the chunk."""
        index = worker.chunk[worker.done]
        problem = self._results[index] = FileProblem(f"the parser failed on this file: {reason}")
        if self.on_result is not None:
            self.on_result(index, problem)
        rest = worker.chunk[worker.done + 1 :]
        if rest:
            self.queue.appendleft(rest)
        worker.chunk = []
        self._stop(worker)
        if self.queue:
            replacement = self.workers[self.workers.index(worker)] = self._start()
            self._assign(replacement)

    def _stop(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            with contextlib.suppress(OSError):
                worker.connection.send(None)
            worker.process.join(timeout=1.0)
        _end(worker)


def _launch(
    context: ForkContext | SpawnContext, analyze: Analyze, prepare: Callable[[], None] | None
) -> _Worker:
    parent_end, child_end = context.Pipe()
    process = context.Process(
        target=_serve, args=(child_end, analyze, prepare), daemon=True, name="alembic-analyzer"
    )
    process.start()
    child_end.close()
    return _Worker(process, parent_end, analyze)


def _end(worker: _Worker) -> None:
    """Kill the worker if it still runs, and collect it."""
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join()
    worker.connection.close()


# --- the spare worker ---------------------------------------------------------------------

_spare: list[_Worker] = []
"""At most one worker started before it was known to be needed (`start_spare`)."""


def start_spare(analyze: Analyze, prepare: Callable[[], None]) -> None:
    """Start a worker now, which runs `prepare` (imports the parser) and then waits: if
    files turn out to need parsing, the first `Workers` takes it over, its import done or
    well under way. After an edit, that import (about 0.3 s for libcst) overlaps this
    process's start-up, hashing and decoding of cached entries instead of following them.
    Linux only (fork: the child starts with our modules); `stop_spare` ends it unused."""
    if _spare or not sys.platform.startswith("linux"):
        return
    _spare.append(_launch(_context(), analyze, prepare))


def spare_ready(analyze: Analyze) -> bool:
    """Whether a spare worker for `analyze` is waiting."""
    return any(w.analyze is analyze and w.process.is_alive() for w in _spare)


def stop_spare() -> None:
    """End the spare worker if nobody took it over (killed: it holds nothing of ours)."""
    while _spare:
        _end(_spare.pop())


def _take_spare(analyze: Analyze) -> _Worker | None:
    if not spare_ready(analyze):
        stop_spare()
        return None
    return _spare.pop()


def _crashed(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the worker process was killed by {name}"
    return f"the worker process exited with status {exitcode}"
