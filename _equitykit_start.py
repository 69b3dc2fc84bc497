"""Start the ``equitykit`` command, even on a laptop where the kit cannot be imported.

``equitykit doctor`` must work on the machine it diagnoses. Importing the kit
needs pandas and numpy; when that fails (a package missing or broken), this
loads the doctor from its file on its own (it uses only the standard library)
and prints its report, with what to do, instead of a traceback: for
``equitykit doctor`` and for every other command.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def main() -> int:
    try:
        from equitykit.cli import main as command
    except Exception as exc:  # ImportError, or a broken dependency raising anything else
        return _doctor_alone(f"{type(exc).__name__}: {exc}")
    return command()


def _doctor_alone(reason: str) -> int:
    spec = importlib.util.find_spec("equitykit")
    folder = Path(list(spec.submodule_search_locations)[0]) if spec and spec.submodule_search_locations else None
    if folder is None or not (folder / "doctor.py").is_file():
        print(f"equitykit cannot start here ({reason}), and its doctor is missing: reinstall the kit "
              f"with `{sys.executable} -m pip install --force-reinstall equitykit`.", file=sys.stderr)
        return 1
    loader = importlib.util.spec_from_file_location("_equitykit_doctor", folder / "doctor.py")
    doctor = importlib.util.module_from_spec(loader)
    sys.modules[loader.name] = doctor  # dataclasses look their module up while the file runs
    loader.loader.exec_module(doctor)
    return doctor.main(sys.argv[1:], reason=reason)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
