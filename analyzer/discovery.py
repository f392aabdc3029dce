"""Finding the migrations: which versions directories make up a project, and which files
in them are revision files (SPEC §3). Reads `alembic.ini` and `pyproject.toml` as data;
never imports `env.py` or anything else from the project.
"""

from __future__ import annotations

import configparser
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

DEFAULT_DIALECT = "postgresql"
DIALECTS = ("postgresql", "mysql", "sqlite", "mssql", "oracle")
_URL_DIALECTS = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "mssql": "mssql",
    "oracle": "oracle",
}
_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
_LEGACY_SPLIT = re.compile(r", *| +")
# alembic's `_only_source_rev_file`: *.py files, not `__init__*` nor editor backups `.#*`.
_REVISION_FILE = re.compile(r"(?!\.#|__init__).*\.py$")
_SKIPPED_DIRS = frozenset({"__pycache__"})


class DiscoveryError(Exception):
    """The project's configuration cannot be used (exit status 2, message for the user)."""


@dataclass(frozen=True)
class Project:
    """One alembic project: the directories alembic would read revisions from."""

    root: Path
    """Directory of the alembic.ini / pyproject.toml (or the versions dir itself)."""
    versions: tuple[Path, ...]
    recursive: bool = False
    dialect: str | None = None
    """From `sqlalchemy.url`'s scheme when it names a known dialect."""
    config_file: Path | None = None
    missing_versions: tuple[Path, ...] = field(default=())

    def revision_files(self) -> list[Path]:
        """Revision files in alembic's load order (locations in order, sorted names)."""
        found: list[Path] = []
        seen: set[str] = set()
        resolved_directories: dict[str, str] = {}
        for directory in self.versions:
            for path, is_link in _list_directory(directory, self.recursive):
                key = _identity(path, is_link, resolved_directories)
                if key in seen:
                    continue
                seen.add(key)
                found.append(path)
        return found

    def contains(self, path: Path) -> bool:
        """Whether `path` (absolute) would be loaded as a revision file of this project."""
        for directory in self.versions:
            try:
                relative = path.relative_to(directory)
            except ValueError:
                continue
            if len(relative.parts) == 1 or self.recursive:
                return bool(_REVISION_FILE.match(path.name))
        return False


def _identity(path: Path, is_link: bool, resolved_directories: dict[str, str]) -> str:
    """The file's real path, as alembic compares them (`os.path.realpath`). Resolving
    each file costs a system call per path component, so only the directory is resolved
    (once) unless the file itself is a symbolic link."""
    text = str(path)
    try:
        if is_link:
            return os.path.realpath(text)
        directory, name = os.path.split(text)
        real = resolved_directories.get(directory)
        if real is None:
            real = resolved_directories[directory] = os.path.realpath(directory)
        return os.path.join(real, name)
    except (OSError, ValueError):
        return text


def _unlistable(error: OSError) -> NoReturn:
    reason = error.strerror or type(error).__name__
    raise DiscoveryError(f"cannot list the versions directory '{error.filename}': {reason}")


def _list_directory(directory: Path, recursive: bool) -> Iterator[tuple[Path, bool]]:
    """Like alembic's `Script._list_py_dir`: sorted names, top-down, no symlinked dirs.
    Unlike alembic, a directory that cannot be listed is an error, not an empty one.

    Yields each revision file with whether it is a symbolic link (`os.scandir` knows
    without another system call; `os.walk` would only give names)."""
    pending = [directory]
    while pending:
        root = pending.pop()
        try:
            with os.scandir(root) as scan:
                entries = list(scan)
        except OSError as error:
            _unlistable(error)
        files: list[os.DirEntry[str]] = []
        subdirectories: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (subdirectories if is_dir else files).append(entry)
        for entry in sorted(files, key=lambda entry: entry.name):
            if _REVISION_FILE.match(entry.name):
                yield root / entry.name, _is_link(entry)
        if not recursive:
            return
        walked = [
            root / entry.name
            for entry in subdirectories
            if entry.name not in _SKIPPED_DIRS and not _is_link(entry)
        ]
        pending.extend(sorted(walked, reverse=True))


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


# --- configuration files ----------------------------------------------------------------


def _dialect_from_url(url: str | None) -> str | None:
    if not url:
        return None
    scheme = url.partition("://")[0].partition("+")[0].strip().lower()
    return _URL_DIALECTS.get(scheme)


def _split_locations(raw: str, separator: str | None, where: str) -> list[str]:
    if separator is None:
        return [part for part in _LEGACY_SPLIT.split(raw.strip()) if part]
    try:
        char = _SEPARATORS[separator]
    except KeyError:
        raise DiscoveryError(
            f"{where}: '{separator}' is not a valid path_separator; "
            "expected 'space', 'newline', 'os', ':' or ';'"
        ) from None
    return [part.strip() for part in raw.split(char) if part.strip()]


def _resolve_location(value: str, base: Path, where: str) -> Path:
    if not os.path.isabs(value) and ":" in value and not re.match(r"^[A-Za-z]:[\\/]", value):
        # `package:path` resource form: read it as a directory under the project.
        package, _, rest = value.partition(":")
        candidate = base.joinpath(*package.split("."), *[p for p in rest.split(":") if p])
        if candidate.is_dir():
            return candidate
        raise DiscoveryError(
            f"{where}: '{value}' names a package resource, which cannot be found without "
            "importing the package; pass --versions DIR instead"
        )
    return (base / os.path.expanduser(value)).resolve()


@dataclass
class _Settings:
    script_location: Path | None = None
    version_locations: list[Path] | None = None
    recursive: bool | None = None
    """None when not set: the ini's value, even `false`, wins over [tool.alembic]'s."""
    url: str | None = None


def _read_ini(path: Path) -> _Settings:
    parser = configparser.ConfigParser(defaults={"here": path.parent.as_posix()})
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, UnicodeDecodeError, configparser.Error) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DiscoveryError(f"{path}: cannot read the alembic configuration: {reason}") from None
    settings = _Settings()
    if not parser.has_section("alembic"):
        return settings
    try:
        section = dict(parser.items("alembic"))
    except configparser.Error as error:
        raise DiscoveryError(f"{path}: {error}") from None
    where = f"{path}"
    base = path.parent
    if section.get("script_location"):
        settings.script_location = _resolve_location(section["script_location"], base, where)
    raw_locations = section.get("version_locations")
    if raw_locations:
        separator = section.get("path_separator") or section.get("version_path_separator")
        settings.version_locations = [
            _resolve_location(part, base, where)
            for part in _split_locations(raw_locations, separator, where)
        ]
    if "recursive_version_locations" in section:
        # alembic's get_alembic_boolean_option: exactly "true" (configparser strips it)
        settings.recursive = section["recursive_version_locations"].strip() == "true"
    settings.url = section.get("sqlalchemy.url")
    return settings


def _read_pyproject(path: Path) -> _Settings | None:
    """`[tool.alembic]` of a pyproject.toml (alembic >= 1.16), or None when absent."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DiscoveryError(f"{path}: cannot read the file: {error}") from None
    tool = data.get("tool", {})
    section = tool.get("alembic") if isinstance(tool, dict) else None
    if not isinstance(section, dict):
        return None
    here = path.parent.as_posix()
    where = f"{path} [tool.alembic]"

    def text(value: object, key: str) -> str:
        if not isinstance(value, str):
            raise DiscoveryError(f"{where}: '{key}' must be a string")
        try:
            return value % {"here": here}
        except (KeyError, ValueError, TypeError):
            raise DiscoveryError(f"{where}: cannot interpolate '{key}' = {value!r}") from None

    settings = _Settings()
    if "script_location" in section:
        settings.script_location = _resolve_location(
            text(section["script_location"], "script_location"), path.parent, where
        )
    if "version_locations" in section:
        raw = section["version_locations"]
        if not isinstance(raw, list):
            raise DiscoveryError(f"{where}: 'version_locations' must be a list of strings")
        settings.version_locations = [
            _resolve_location(text(item, "version_locations"), path.parent, where) for item in raw
        ]
    recursive = section.get("recursive_version_locations", False)
    if not isinstance(recursive, bool):
        raise DiscoveryError(f"{where}: 'recursive_version_locations' must be true or false")
    settings.recursive = recursive
    return settings


def load_project(directory: Path) -> Project | None:
    """The project configured in `directory` (alembic.ini and/or pyproject.toml), if any."""
    ini = directory / "alembic.ini"
    pyproject = directory / "pyproject.toml"
    ini_settings = _read_ini(ini) if ini.is_file() else None
    toml_settings = _read_pyproject(pyproject) if pyproject.is_file() else None
    if ini_settings is None and toml_settings is None:
        return None
    # alembic looks in the ini first, then in [tool.alembic], key by key.
    merged = _Settings()
    for settings in (toml_settings, ini_settings):
        if settings is None:
            continue
        merged.script_location = settings.script_location or merged.script_location
        merged.version_locations = settings.version_locations or merged.version_locations
        if settings.recursive is not None:
            merged.recursive = settings.recursive
        merged.url = settings.url or merged.url
    config_file = ini if ini_settings is not None else pyproject
    if merged.script_location is None and merged.version_locations is None:
        if ini_settings is None:
            return None
        raise DiscoveryError(
            f"{ini}: no 'script_location' in the [alembic] section; add it or pass --versions DIR"
        )
    if merged.version_locations is not None:
        locations = merged.version_locations
    else:
        assert merged.script_location is not None
        if not merged.script_location.is_dir():
            raise DiscoveryError(
                f"{config_file}: script_location '{merged.script_location}' is not a directory"
            )
        locations = [merged.script_location / "versions"]
    existing = tuple(p for p in locations if p.is_dir())
    missing = tuple(p for p in locations if not p.is_dir())
    if not existing:
        raise DiscoveryError(
            f"{config_file}: the versions directory "
            f"{', '.join(str(p) for p in missing)} does not exist"
        )
    return Project(
        root=directory,
        versions=existing,
        recursive=bool(merged.recursive),
        dialect=_dialect_from_url(merged.url),
        config_file=config_file,
        missing_versions=missing,
    )


def _nearest_project(start: Path) -> Project | None:
    for directory in (start, *start.parents):
        project = load_project(directory)
        if project is not None:
            return project
    return None


_NOT_PROJECT_DIRS = frozenset(
    {"node_modules", "site-packages", "__pycache__", "venv", "build", "dist"}
)
_SEARCH_DEPTH = 4


def _projects_below(directory: Path) -> list[Project]:
    """Configured projects in subdirectories (a monorepo root given as PATH)."""
    found: list[Project] = []
    for root, dirs, _ in os.walk(directory):
        depth = len(Path(root).relative_to(directory).parts)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in _NOT_PROJECT_DIRS and depth < _SEARCH_DEPTH
        )
        if Path(root) == directory:
            continue
        project = load_project(Path(root))
        if project is not None:
            found.append(project)
            dirs[:] = []
    return found


_REVISION_ASSIGNMENT = re.compile(rb"^revision\s*(?::[^=\n]*)?=", re.MULTILINE)


def looks_like_revision(path: Path) -> bool:
    """Cheap test used only where no configuration says what the versions directory is."""
    if not path.is_file():
        return True  # a FIFO (opening it would block) or a device: the parser reports it
    try:
        with path.open("rb") as handle:
            return _REVISION_ASSIGNMENT.search(handle.read(1024 * 1024)) is not None
    except OSError:
        return True  # unreadable: let the parser report it


@dataclass
class Target:
    """A project to analyze, and the files whose findings to report (None: all of them)."""

    project: Project
    only_files: set[str] | None = None


def versions_project(directories: Sequence[Path], recursive: bool = False) -> Project:
    for directory in directories:
        if not directory.is_dir():
            raise DiscoveryError(f"versions directory '{directory}' does not exist")
    resolved = tuple(d.resolve() for d in directories)
    return Project(root=resolved[0], versions=resolved, recursive=recursive)


def _covers_directory(project: Project, directory: Path) -> bool:
    """A directory PATH is the project when it is the configuration's directory, lies in a
    versions directory, or holds one inside the project."""
    if directory == project.root:
        return True
    for versions in project.versions:
        if directory == versions or (
            versions.is_relative_to(directory)
            and project.root
            in (
                directory,
                *directory.parents,
            )
        ):
            return True
        if directory.is_relative_to(versions):
            return True
    return False


def select(paths: Iterable[str], cwd: Path, versions: Sequence[Path] = ()) -> list[Target]:
    """SPEC §3: explicit --versions, else alembic.ini / pyproject.toml, else the PATH itself.

    Files named on the command line only narrow what is reported: the whole project they
    belong to is always analyzed. Files that belong to no project (a staged `models.py`
    in pre-commit) are ignored."""
    given = [cwd / p for p in paths]
    for path in given:
        if not path.exists():
            raise DiscoveryError(f"path '{os.path.relpath(path, cwd)}' does not exist")
    absolute = [p.resolve() for p in given]
    if versions:
        project = versions_project([cwd / v for v in versions])
        files = {str(p) for p in absolute if p.is_file() and project.contains(p)}
        if absolute and not any(p.is_dir() for p in absolute):
            return [Target(project, files)] if files else []
        return [Target(project)]
    if not absolute:
        configured = _nearest_project(cwd.resolve())
        if configured is None:
            raise DiscoveryError(
                f"no alembic.ini (or pyproject.toml with [tool.alembic]) in {cwd} or above; "
                "pass the project directory, a versions directory, or --versions DIR"
            )
        return [Target(configured)]
    targets: dict[Path, Target] = {}

    def add(project: Project, file: Path | None) -> None:
        target = targets.setdefault(project.root, Target(project, set()))
        if file is None:
            target.only_files = None
        elif target.only_files is not None:
            target.only_files.add(str(file))

    for path in absolute:
        nearest = _nearest_project(path if path.is_dir() else path.parent)
        if path.is_dir():
            if nearest is not None and _covers_directory(nearest, path):
                add(nearest, None)
                continue
            below = _projects_below(path)
            for found in below:
                add(found, None)
            if not below:
                add(versions_project([path]), None)
            continue
        if nearest is not None and nearest.contains(path):
            add(nearest, path)
        elif nearest is None and _REVISION_FILE.match(path.name) and looks_like_revision(path):
            add(versions_project([path.parent]), path)
    return list(targets.values())
