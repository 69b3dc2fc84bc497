"""Write the table of every public function's and class's arguments into docs/API.md.

Run from the repository root:  python tools/api_table.py          (rewrite the table)
                               python tools/api_table.py --check  (fail if it is out of date)
The table sits between the ``<!-- signatures -->`` markers; the prose around it is kept.
tests/test_api.py runs the check, so the document cannot drift from the code.
"""
from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "API.md"
START, END = "<!-- signatures -->", "<!-- /signatures -->"


def _default(p: inspect.Parameter) -> str:
    if p.default is inspect.Parameter.empty:
        return "required"
    if callable(p.default):
        return f"`{p.default.__name__}`"
    if repr(p.default) == "<factory>":
        return "empty"
    return f"`{p.default!r}`"


def _rows(name: str, obj: object) -> list[str]:
    sig = inspect.signature(obj)  # type: ignore[arg-type]
    rows = []
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        how = {
            inspect.Parameter.POSITIONAL_ONLY: "position",
            inspect.Parameter.POSITIONAL_OR_KEYWORD: "position or name",
            inspect.Parameter.KEYWORD_ONLY: "name",
            inspect.Parameter.VAR_POSITIONAL: "*",
            inspect.Parameter.VAR_KEYWORD: "**",
        }[p.kind]
        rows.append(f"| `{name}` | `{p.name}` | {how} | {_default(p)} |")
    return rows or [f"| `{name}` | (none) | | |"]


def table() -> str:
    """The markdown table, one row per argument of every public callable in ``equitykit.__all__``."""
    sys.path.insert(0, str(ROOT))
    import equitykit as ek
    from equitykit.results import Result

    lines = ["| name | argument | passed by | default |", "|---|---|---|---|"]
    for name in ek.__all__:
        obj = getattr(ek, name)
        if not callable(obj) or isinstance(obj, type) and issubclass(obj, BaseException):
            continue
        is_result = isinstance(obj, type) and issubclass(obj, Result)
        if not is_result:  # a result is made by its function, never by hand: its methods are its API
            lines.extend(_rows(name, obj))
        if isinstance(obj, type):
            methods = [m for m in vars(obj) if not m.startswith("_") and inspect.isfunction(getattr(obj, m))]
            for attr in sorted(set(methods) | ({"chart", "summary"} if is_result else {"chart"} & set(dir(obj)))):
                lines.extend(_rows(f"{name}.{attr}", getattr(obj, attr)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/API.md is out of date")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{table()}\n{END}{tail}"
    if args.check:
        if new != text:
            print("docs/API.md is out of date: run python tools/api_table.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
