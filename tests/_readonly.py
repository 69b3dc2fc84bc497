"""Run a command that cannot write into a read-only folder, even when the tests run as root.

Root ignores file permissions (CAP_DAC_OVERRIDE), and CI runs as root. Dropping
that capability from the child with util-linux's ``setpriv`` makes a 0o555
folder truly read-only to it; as an ordinary user chmod alone does it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

_DROP = ["--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def unprivileged(command: Sequence[str]) -> list[str]:
    """``command`` run so that file permissions apply to it; skip the test if that cannot be done."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        return list(command)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without util-linux's setpriv: a read-only folder cannot be made")
    probe = subprocess.run([setpriv, *_DROP, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop capabilities here: {probe.stderr.decode(errors='replace')}")
    return [setpriv, *_DROP, *command]


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """Make ``folder`` (and what it holds) read-only for the block, then writable again."""
    paths = [folder, *folder.rglob("*")]
    modes = {p: p.stat().st_mode for p in paths}
    for p in sorted(paths, key=lambda p: len(p.parts), reverse=True):
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        yield folder
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
