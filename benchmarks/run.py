"""Time alembic-analyzer against `alembic heads` on generated trees, and check the targets.

Every figure is the median of `--repeat` runs of a fresh process, measured in this one
run on the same tree (see docs/performance.md for the targets and recorded results):

    python benchmarks/run.py --size 1000              # all figures, then PASS/FAIL
    python benchmarks/run.py --size 1000 --no-scale   # skip the 10x-size cold run

The analyzer and alembic run from the interpreter that runs this script (install the
project into it first: `pip install -e .`).
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate, newest_revision_file  # a sibling script, not installed

ANALYZER = (sys.executable, "-P", "-m", "analyzer")
ALEMBIC = (sys.executable, "-P", "-m", "alembic")


@dataclass(frozen=True)
class Timing:
    """The median wall time (seconds) and the largest peak RSS (MB) of some runs."""

    seconds: float
    peak_mb: float


def run_once(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """One process: its wall time and its peak RSS in MB (the largest of the process and
    the children it waited for, so worker processes count)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):  # 1: findings, a normal outcome
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{message}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports kilobytes


def measure(
    command: Sequence[str], cwd: Path, repeat: int, before: Sequence[str] | None = None
) -> Timing:
    """`repeat` runs of `command`; `before`, when given, runs (untimed) before each one."""
    times: list[float] = []
    peak = 0.0
    for _ in range(repeat):
        if before is not None:
            run_once(before, cwd)
        elapsed, memory = run_once(command, cwd)
        times.append(elapsed)
        peak = max(peak, memory)
    return Timing(statistics.median(times), peak)


def parse_floor(versions: Path) -> float:
    """Seconds libcst needs to parse every revision file, in this process."""
    import libcst

    sources = [path.read_bytes() for path in sorted(versions.glob("*.py"))]
    start = time.perf_counter()
    for source in sources:
        libcst.parse_module(source)
    return time.perf_counter() - start


class Touch:
    """Changes one revision file before each pre-commit style run, so neither the
    result nor that file's entry is in the cache (as after an edit)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.original = path.read_bytes()
        self.count = 0

    def next_command(self) -> list[str]:
        self.count += 1
        return [
            sys.executable,
            "-c",
            "import pathlib, sys; p = pathlib.Path(sys.argv[1]); "
            "p.write_bytes(p.read_bytes() + b'# edit ' + sys.argv[2].encode() + b'\\n')",
            str(self.path),
            str(self.count),
        ]

    def restore(self) -> None:
        self.path.write_bytes(self.original)


def measure_precommit(tree: Path, cache: Path, repeat: int, edited: Path) -> Timing:
    """`check FILE` with a warm cache after FILE was edited."""
    touch = Touch(edited)
    times: list[float] = []
    peak = 0.0
    try:
        for _ in range(repeat):
            run_once(touch.next_command(), tree)
            command = [*ANALYZER, "check", "--cache-dir", str(cache), str(edited)]
            elapsed, memory = run_once(command, tree)
            times.append(elapsed)
            peak = max(peak, memory)
    finally:
        touch.restore()
    return Timing(statistics.median(times), peak)


def describe_machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    return (
        f"{platform.system()} {platform.machine()}, {cpus} CPUs {model}".rstrip()
        + f", Python {platform.python_version()}"
    )


def workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


class Report:
    def __init__(self) -> None:
        self.failures = 0

    def figure(self, name: str, timing: Timing) -> None:
        print(f"  {name:<40} {timing.seconds * 1000:9.0f} ms  {timing.peak_mb:7.0f} MB peak")

    def value(self, name: str, seconds: float) -> None:
        print(f"  {name:<40} {seconds * 1000:9.0f} ms")

    def target(self, name: str, actual: float, limit: float, unit: str, at_most: bool) -> None:
        ok = actual <= limit if at_most else actual >= limit
        self.failures += not ok
        relation = "<=" if at_most else ">="
        verdict = "PASS" if ok else "FAIL"
        print(f"  {verdict}  {name:<44} {actual:8.2f}{unit} (target {relation} {limit:g}{unit})")


def compile_analyzer() -> None:
    """Write the analyzer's bytecode first: an editable install has none, and with
    PYTHONDONTWRITEBYTECODE set every run would compile its modules again."""
    spec = importlib.util.find_spec("analyzer")
    if spec is None or spec.origin is None:
        raise SystemExit("alembic-analyzer is not installed here: pip install -e .")
    compileall.compile_dir(Path(spec.origin).parent, quiet=1)


def benchmark(size: int, repeat: int, scale: bool, root: Path) -> int:
    compile_analyzer()
    report = Report()
    jobs = workers()
    print(f"machine: {describe_machine()}")
    print(f"tree: {size} revisions (benchmarks/generate.py), {repeat} runs per figure, median")
    tree = generate(size, root / f"tree-{size}")
    versions = tree / "migrations" / "versions"
    cache = root / "cache"
    print("\nfigures")
    startup = measure([sys.executable, "-c", "pass"], tree, repeat)
    report.figure("interpreter start-up (python -c pass)", startup)
    version = measure([*ANALYZER, "--version"], tree, repeat)
    report.figure("alembic-analyzer --version", version)
    heads = measure([*ALEMBIC, "heads"], tree, repeat)
    report.figure("alembic heads (baseline)", heads)
    libcst_import = measure([sys.executable, "-c", "import libcst"], tree, repeat)
    report.value("libcst import (minus start-up)", libcst_import.seconds - startup.seconds)
    floor = parse_floor(versions)
    report.value("libcst parse of every file, 1 process", floor)
    report.value(f"parse floor (divided by {jobs} workers)", floor / jobs)
    cold = measure([*ANALYZER, "check", "--no-cache"], tree, repeat)
    report.figure(f"check, cold (no cache, --jobs {jobs})", cold)
    cold_serial = measure([*ANALYZER, "check", "--no-cache", "--jobs", "1"], tree, repeat)
    report.figure("check, cold (no cache, --jobs 1)", cold_serial)
    cache_option = ["--cache-dir", str(cache)]
    run_once([*ANALYZER, "check", *cache_option], tree)  # fill the cache
    warm = measure([*ANALYZER, "check", *cache_option], tree, repeat)
    report.figure("check, warm (nothing changed)", warm)
    precommit = measure_precommit(tree, cache, repeat, newest_revision_file(tree))
    report.figure("check FILE, pre-commit (newest edited)", precommit)
    middle = sorted(versions.glob("*.py"))[size // 2]
    old_edit = measure_precommit(tree, cache, repeat, middle)
    report.figure("check FILE, an older revision edited", old_edit)
    scaled: Timing | None = None
    if scale:
        big = generate(size * 10, root / f"tree-{size * 10}")
        scaled = measure([*ANALYZER, "check", "--no-cache"], big, max(1, repeat // 2))
        report.figure(f"check, cold, {size * 10} revisions", scaled)

    print("\nratios")
    print(f"  warm is {heads.seconds / warm.seconds:.1f}x faster than alembic heads")
    print(f"  pre-commit is {heads.seconds / precommit.seconds:.1f}x faster than alembic heads")
    parsing_floor = libcst_import.seconds
    print(
        f"  any run that parses a file takes at least start-up + libcst import "
        f"({parsing_floor * 1000:.0f} ms): {heads.seconds / parsing_floor:.1f}x alembic heads"
    )
    print(f"  cold is {heads.seconds / cold.seconds:.2f}x the speed of alembic heads")
    bound = floor / jobs + startup.seconds
    print(f"  cold is {cold.seconds / bound:.2f}x (parse floor + start-up)")
    if scaled is not None:
        print(f"  {size * 10} revisions cold take {scaled.seconds / cold.seconds:.1f}x {size}")

    print("\ntargets (issue 8)")
    report.target("warm vs alembic heads (x faster)", heads.seconds / warm.seconds, 4, "x", False)
    report.target(
        "pre-commit vs alembic heads (x faster)", heads.seconds / precommit.seconds, 4, "x", False
    )
    report.target("cold / (parse floor + start-up)", cold.seconds / bound, 1.3, "x", True)
    if scaled is not None:
        report.target(
            f"{size * 10} cold / {size} cold", scaled.seconds / cold.seconds, 11, "x", True
        )
        report.target(f"{size * 10} cold peak memory", scaled.peak_mb, 400, " MB", True)
    report.target("--version", version.seconds * 1000, 80, " ms", True)
    return 1 if report.failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="revisions (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument(
        "--no-scale", action="store_true", help="skip the cold run of a tree 10x the size"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="alembic-analyzer-bench-") as directory:
        root = Path(directory)
        return benchmark(args.size, args.repeat, not args.no_scale, root)


if __name__ == "__main__":
    sys.exit(main())
