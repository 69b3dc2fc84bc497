"""The course's files, and a learner's or facilitator's own copy of them.

The course is the learner notebooks, the data they use, and the facilitator's
kit: notebooks with solutions, the guide, the handout notebook and the sample
teams file with its data. They travel inside the package: an installed kit
carries them in ``equitykit/_course/`` (the build copies them from the
repository's ``data/``, ``notebooks/`` and ``workshop/`` folders, which stay
the one place people edit them); a clone of the repository reads those
folders directly. Nothing is ever written into the installed package.

``copy_course(folder)`` gives a person their own copy to work in. Run again,
it adds what is missing and never overwrites a file its owner changed: a small
record in the folder (``.equitykit-copies.json``) holds a fingerprint of each
file as it was copied, so a copy nobody touched can be brought up to date and
an edited one is kept.

Example
-------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     first = copy_course(folder)
...     again = copy_course(folder)
>>> "00_start_here.ipynb" in first.added and "data/appointments.csv" in first.added
True
>>> again.added, again.kept
((), ())
"""
from __future__ import annotations

import errno
import fnmatch
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .files import atomic_write_bytes, atomic_write_text
from .validation import EquityKitError

if TYPE_CHECKING:  # importlib.resources.abc from Python 3.11
    from importlib.abc import Traversable

__all__ = ["CourseCopy", "course_files", "course_file", "course_plan", "copy_course",
           "LEARNER_FILES", "FACILITATOR_FILES", "RECORD"]

#: The record of what was copied, kept in the copy's folder (hidden in JupyterLab).
RECORD = ".equitykit-copies.json"

_PACKAGED = "_course"
_CLONE_FOLDERS = ("data", "notebooks", "workshop")


@dataclass(frozen=True)
class Part:
    """Some course files: a folder among them, a file-name pattern, where they go in a copy."""

    source: str
    pattern: str
    dest: str

    @property
    def glob(self) -> str:
        """The pattern as a path among the course files, e.g. ``notebooks/*.ipynb``."""
        return f"{self.source}/{self.pattern}"


#: What every learner gets: the notebooks at the top of their folder, the data in data/.
LEARNER_FILES = (
    Part("notebooks", "*.ipynb", ""),
    Part("data", "*.csv", "data"),
    Part("data", "README.md", "data"),
)

#: What a facilitator gets as well, laid out as in the repository, so the teams file's
#: paths (``../data/appointments.csv``, ``teams/...``) hold in the copy too.
FACILITATOR_FILES = (
    Part("workshop/facilitator", "*.ipynb", "workshop/facilitator"),
    Part("workshop", "FACILITATOR_GUIDE.md", "workshop"),
    Part("workshop", "handout.ipynb", "workshop"),
    Part("workshop", "teams.yaml", "workshop"),
    Part("workshop/teams", "*.csv", "workshop/teams"),
)


# --------------------------------------------------------------------------- where the files are


def _clone_root() -> Path:
    return Path(__file__).resolve().parent.parent


def course_files() -> Traversable:
    """The folder holding the course files: the package's own, or a clone's repository.

    Example
    -------
    >>> course_files().joinpath("notebooks").is_dir()
    True
    """
    packaged = resources.files("equitykit").joinpath(_PACKAGED)
    if packaged.is_dir():
        return packaged
    clone = _clone_root()
    if (clone / "pyproject.toml").is_file() and all((clone / f).is_dir() for f in _CLONE_FOLDERS):
        return clone
    raise EquityKitError(
        "the kit's course files (notebooks, data, workshop) are missing from this install. "
        "Reinstall it: python -m pip install --force-reinstall equitykit (or the wheel you were given)."
    )


def course_file(path: str) -> Traversable:
    """One course file by its path among them, e.g. ``"workshop/handout.ipynb"``.

    Example
    -------
    >>> course_file("workshop/teams.yaml").is_file()
    True
    """
    item = course_files()
    for piece in path.split("/"):
        item = item.joinpath(piece)
    return item


def course_plan(facilitator: bool = False) -> list[tuple[str, Traversable]]:
    """Every file a copy holds: (path in the copy, source), learner files first.

    Example
    -------
    >>> plan = dict(course_plan())
    >>> "01_identify_the_gap.ipynb" in plan, "workshop/teams.yaml" in plan
    (True, False)
    """
    parts = LEARNER_FILES + (FACILITATOR_FILES if facilitator else ())
    plan = []
    for part in parts:
        folder = course_file(part.source)
        names = sorted(item.name for item in folder.iterdir()
                       if item.is_file() and fnmatch.fnmatchcase(item.name, part.pattern))
        if not names:
            raise EquityKitError(
                f"the kit's course files have nothing matching {part.glob}: this install is "
                "incomplete. Reinstall it: python -m pip install --force-reinstall equitykit."
            )
        for name in names:
            dest = f"{part.dest}/{name}" if part.dest else name
            plan.append((dest, folder.joinpath(name)))
    return plan


# --------------------------------------------------------------------------- a person's copy


@dataclass(frozen=True)
class CourseCopy:
    """What ``copy_course`` did, file by file (paths relative to ``folder``).

    ``kept`` are files their owner changed (or put there), left exactly as they
    were; ``skipped`` are files that could not be copied, each with the reason.
    """

    folder: Path
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every file is in place (added, updated, unchanged or kept)."""
        return not self.skipped

    def text(self) -> str:
        """A few lines for people: what was copied, what was kept and why, what next."""
        counts = [(self.added, "added"), (self.updated, "updated to the kit's newer version"),
                  (self.unchanged, "already there and up to date"),
                  (self.kept, "kept as you left them")]
        said = ", ".join(f"{len(files)} {words}" for files, words in counts if files)
        lines = [f"Course files in {self.folder}: {said or 'nothing to copy'}."]
        for name in self.kept:
            lines.append(f"  Kept your version of {name} (it differs from the kit's copy). "
                         "To get the kit's version too, rename yours and run this command again.")
        for name, reason in self.skipped:
            lines.append(f"  Not copied: {name}: {reason}")
        lines.extend(f"  Note: {note}" for note in self.notes)
        if self.skipped:
            lines.append("Fix what is listed above, then run this command again: it copies only "
                         "what is missing and never overwrites a file you changed.")
        else:
            lines.append("Next: open the folder in JupyterLab (equitykit lab "
                         f"\"{self.folder}\") and start with 00_start_here.ipynb.")
        return "\n".join(lines)


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _protected() -> list[Path]:
    """Folders a copy must never go into: the kit's own course files."""
    root = course_files()
    if isinstance(root, Path):
        if root.name == _PACKAGED:
            return [root.resolve()]
        return [(root / f).resolve() for f in _CLONE_FOLDERS]
    return []


def _ready_folder(folder: str | os.PathLike[str]) -> Path:
    """Make ``folder`` if needed and prove it can be written; say why not before copying."""
    path = Path(folder).expanduser()
    if path.exists() and not path.is_dir():
        raise EquityKitError(
            f"'{path}' is a file, not a folder. Give the name of a folder (it is made if it "
            "does not exist yet), e.g. equity-workshop."
        )
    resolved = path.resolve()
    for kit in _protected():
        if resolved == kit or kit in resolved.parents:
            raise EquityKitError(
                f"'{path}' is inside the kit's own course files ({kit}). Choose a folder of "
                "your own, e.g. equity-workshop in your Documents folder."
            )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [path, *path.parents] if p.exists() and not p.is_dir()), path)
        raise EquityKitError(
            f"cannot make the folder '{path}': '{blocker}' is a file, not a folder. "
            "Choose another name."
        ) from None
    except PermissionError:
        parent = next((p for p in path.parents if p.exists()), path.parent)
        raise EquityKitError(
            f"cannot make the folder '{path}': you do not have permission to write in "
            f"'{parent}'. Choose a folder of your own, e.g. equity-workshop in your Documents folder."
        ) from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".equitykit-write-check-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise EquityKitError(
            f"cannot write into '{path}' ({exc.strerror or exc}). Nothing was copied. Choose a "
            "folder you can write to, e.g. equity-workshop in your Documents folder."
        ) from None
    return path


def _read_record(folder: Path) -> tuple[dict[str, str], list[str]]:
    record = folder / RECORD
    if not record.exists():
        return {}, []
    try:
        files = json.loads(record.read_text(encoding="utf-8"))["files"]
        if isinstance(files, dict) and all(isinstance(v, str) for v in files.values()):
            return dict(files), []
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return {}, [f"{RECORD} (the record of what was copied) could not be read, so only files "
                "identical to the kit's were treated as the kit's; every other file was kept."]


def _write_record(folder: Path, files: dict[str, str]) -> None:
    text = json.dumps({"about": "equitykit: fingerprints of the course files as copied here, "
                       "so a later copy never overwrites a file you changed.",
                       "files": dict(sorted(files.items()))}, indent=1)
    atomic_write_text(folder / RECORD, text + "\n")


def _remove_leftovers(target: Path) -> int:
    """Delete half-written temporary files of ``target`` left by a run that was killed."""
    removed = 0
    if target.parent.is_dir():
        for leftover in target.parent.glob(f".{target.name}.*.tmp"):
            try:
                leftover.unlink()
                removed += 1
            except OSError:
                pass
    return removed


def _blocking_file(folder: Path, target: Path) -> Path | None:
    for parent in reversed(target.relative_to(folder).parents):
        candidate = folder / parent
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return None


def copy_course(folder: str | os.PathLike[str], *, facilitator: bool = False) -> CourseCopy:
    """Copy the learner notebooks and their data (and with ``facilitator``, the kit) into ``folder``.

    The folder is made if needed. Run again, this adds what is missing, brings
    files nobody changed up to date, and keeps every file its owner changed.

    Parameters
    ----------
    folder : path
        Where the copy goes (made if it does not exist).
    facilitator : bool
        Also copy the notebooks with solutions, the facilitator guide, the handout
        notebook and the sample teams file with its data (into ``workshop/``).

    Returns
    -------
    CourseCopy
        The files added, updated, unchanged, kept (changed by their owner) and
        skipped (with the reason); ``.text()`` says it in words.

    Raises
    ------
    EquityKitError
        ``folder`` is a file, cannot be made or written to (nothing is copied), or
        the disk filled up part way (what was copied is recorded; run again).
    """
    target = _ready_folder(folder)
    record, notes = _read_record(target)
    done: dict[str, list] = {"added": [], "updated": [], "unchanged": [], "kept": [], "skipped": []}
    leftovers = 0
    try:
        for name, source in course_plan(facilitator):
            path = target / name
            leftovers += _remove_leftovers(path)
            outcome = _copy_one(target, path, name, source.read_bytes(), record)
            done[outcome[0]].append(outcome[1] if outcome[0] == "skipped" else name)
    finally:
        try:
            _write_record(target, record)
        except OSError:
            pass  # the files themselves are in place; a later run recognises unchanged ones
    if leftovers:
        notes.append(f"removed {leftovers} half-written file(s) left by an earlier copy that "
                     "was stopped part way.")
    return CourseCopy(target, *(tuple(done[k]) for k in ("added", "updated", "unchanged", "kept")),
                      tuple(done["skipped"]), tuple(notes))


def _copy_one(folder: Path, path: Path, name: str, data: bytes, record: dict[str, str]) -> tuple:
    """Copy one file unless its owner changed it; update ``record``; return (what happened, ...)."""
    new = _fingerprint(data)
    blocker = _blocking_file(folder, path)
    if blocker is not None:
        where = blocker.relative_to(folder).as_posix()
        return "skipped", (name, f"'{where}' is a file, not a folder; rename it and run again.")
    if path.exists() and not path.is_file():
        return "skipped", (name, f"'{name}' is a folder; it was left alone. Rename it to get the kit's file.")
    if path.exists():
        try:
            current = _fingerprint(path.read_bytes())
        except OSError as exc:
            return "skipped", (name, f"it could not be read to check whether you changed it "
                                     f"({exc.strerror or exc}); it was left alone.")
        if current == new:
            record[name] = new
            return ("unchanged",)
        if record.get(name) != current:
            return ("kept",)  # changed by its owner, or a file that was never the kit's
        action = "updated"
    else:
        action = "added"
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise EquityKitError(
                f"the disk is full: {name} could not be copied into '{folder}'. Free some space "
                "and run the command again; it carries on where it stopped."
            ) from None
        where = path.parent.relative_to(folder).as_posix()
        return "skipped", (name, f"it could not be written ({exc.strerror or exc}) in "
                                 f"'{where if where != '.' else folder}'.")
    record[name] = new
    return (action,)
