"""Importing equitykit changes nothing global and loads nothing heavy.

Each check runs in a fresh interpreter (a subprocess), since this test session
has long since imported everything.
"""
from __future__ import annotations

import json
import subprocess
import sys

import equitykit as ek

HEAVY = ["altair", "nbformat", "papermill", "nbclient", "scipy", "ipywidgets", "jupyterlab", "IPython"]


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_loads_none_of_the_heavy_packages_and_patches_no_module():
    seen = _run(f"""
import json, sys
before = dict(sys.modules)
import equitykit
print(json.dumps({{
    "heavy": [m for m in {HEAVY!r} if m in sys.modules],
    "blanked": [name for name, mod in sys.modules.items() if mod is None],
    "replaced": [name for name, mod in before.items() if sys.modules.get(name) is not mod],
}}))
""")
    assert seen == {"heavy": [], "blanked": [], "replaced": []}


def test_import_and_a_chart_leave_altairs_theme_and_renderer_alone():
    seen = _run("""
import json
import altair as alt
alt.theme.enable("dark")
alt.renderers.enable("json")
import equitykit as ek
after_import = [alt.theme.active, alt.renderers.active]
res = ek.spc(ek.load_dataset("ward_incidents"), x="fortnight_start", y="incidents", chart="c")
kit = res.chart().to_dict()
own = alt.Chart({"values": [{"a": 1}]}).mark_point().encode(x="a:Q").to_dict()
print(json.dumps({
    "after_import": after_import,
    "after_chart": [alt.theme.active, alt.renderers.active],
    "kit_font": kit["config"].get("font"),
    "own_font": own.get("config", {}).get("font"),
}))
""")
    assert seen["after_import"] == ["dark", "json"]
    assert seen["after_chart"] == ["dark", "json"]
    assert seen["kit_font"] == ek.theme.LOOK["font"]  # the kit's chart carries its look
    assert seen["own_font"] != ek.theme.LOOK["font"]  # the learner's own chart does not


def test_lazy_names_are_listed_and_load_when_asked_for():
    for name in ek.__all__:
        assert name in dir(ek)
        assert getattr(ek, name) is not None
    seen = _run("""
import json, sys
import equitykit as ek
listed = "render_handouts" in dir(ek) and "gap_explorer" in dir(ek)
before = "nbformat" in sys.modules
ek.render_handouts
print(json.dumps([listed, before, "nbformat" in sys.modules]))
""")
    assert seen == [True, False, True]


def test_an_unknown_name_is_an_attribute_error():
    try:
        ek.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover - the test fails here
        raise AssertionError("ek.no_such_thing should raise AttributeError")


def test_no_module_of_the_kit_imports_one_that_imports_it_back():
    """Top-level imports between the kit's modules form no cycle (late imports inside functions aside)."""
    import ast
    from pathlib import Path

    package = Path(ek.__file__).parent
    names = {path.stem for path in package.glob("*.py")}
    graph = {}
    for path in package.glob("*.py"):
        edges = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    edges.add(node.module.partition(".")[0])
                else:
                    edges |= {a.name for a in node.names if a.name in names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("equitykit."):
                edges.add(node.module.split(".")[1])
        graph[path.stem] = edges & names
    assert graph["spc"] >= {"spc_points", "spc_limits", "spc_reading", "rules"}  # the walk sees real edges

    def cycle_from(start: str, seen: tuple) -> tuple | None:
        for nxt in sorted(graph[start]):
            if nxt in seen:
                return seen[seen.index(nxt):] + (nxt,)
            found = cycle_from(nxt, seen + (nxt,))
            if found:
                return found
        return None

    cycles = [c for c in (cycle_from(m, (m,)) for m in sorted(graph)) if c]
    assert not cycles, " -> ".join(cycles[0])
