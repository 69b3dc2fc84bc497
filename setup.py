"""Build hook: the course files travel in the wheel, under ``equitykit/_course/``.

The repository's ``data/``, ``notebooks/`` and ``workshop/`` folders stay the one
place people edit the course; building a wheel copies the files listed in
``COURSE`` from them into the package, where ``equitykit.course`` finds them
with ``importlib.resources``. An editable install (a clone's ``make install``)
copies nothing: the kit then reads the repository's folders directly.
Everything else about the package is in pyproject.toml; MANIFEST.in puts the
same files in the sdist.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent

#: Course files, as globs from the repository's root. Must match equitykit.course's
#: LEARNER_FILES + FACILITATOR_FILES (tests/test_release.py checks the built wheel).
COURSE = (
    "notebooks/*.ipynb",
    "data/*.csv",
    "data/README.md",
    "workshop/facilitator/*.ipynb",
    "workshop/FACILITATOR_GUIDE.md",
    "workshop/handout.ipynb",
    "workshop/teams.yaml",
    "workshop/teams/*.csv",
)


class BuildWithCourse(build_py):
    """``build_py`` that also copies the course files into ``equitykit/_course/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "equitykit" / "_course"
        shutil.rmtree(target, ignore_errors=True)  # no stale file from an earlier build
        for pattern in COURSE:
            found = sorted(ROOT.glob(pattern))
            if not found:
                raise SystemExit(f"cannot build equitykit: no course file matches {pattern!r} in {ROOT}")
            for source in found:
                dest = target / source.relative_to(ROOT)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, dest)


setup(cmdclass={"build_py": BuildWithCourse})
