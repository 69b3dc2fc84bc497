"""A learner's walk through every notebook in a real browser: JupyterLab, headless Chromium.

One JupyterLab server (on a free localhost port) serves a copy of the learner
notebooks; Debian's Chromium, driven by Playwright, opens each one with the file
browser open at a laptop's size, runs every cell (JupyterLab's "Run All") and then:

- every code cell ran, and no cell shows an error except one tagged
  ``raises-exception`` (the one meant to fail);
- no output shows ``Ellipsis``, a kernel's temporary file name or a source line;
- no chart is wider than the notebook's output area (nothing cut off);
- every control of every explorer changes what it controls: after each dropdown
  or slider moves, the explorer's chart (its vega-embed SVG) or its reading is
  different, not only the control's own label.

A screenshot of each notebook is kept in tests/artifacts/. Under CI (``CI=true``)
the browser test always runs: a missing browser is a failure. Elsewhere it skips
with the command that enables it.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from _lab_server import ROOT, lab_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
HOW_TO_ENABLE = "install Debian's Chromium (sudo apt-get install -y chromium) and playwright (pip install -e '.[test]')"
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
# A laptop screen: 1400 px wide, with JupyterLab's file browser open on the left.
VIEWPORT = {"width": 1400, "height": 1000}
RUN_TIMEOUT_MS = 240_000
EXPLORER = ".equitykit-explorer"


def _browser_or_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _browser_or_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"The browser test must run under CI, but {reason}: {HOW_TO_ENABLE}.")
        pytest.skip(f"Browser test skipped: {reason}. To enable it, {HOW_TO_ENABLE}.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    """One JupyterLab for every notebook, on a copy of them (the browser may autosave)."""
    folder = tmp_path_factory.mktemp("learner")
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / name, folder / name)
    with lab_server(folder, expose_app=True) as server:
        yield server


# JavaScript run in the page through JupyterLab's own application object.
KERNEL_READY = """(name) => {
  const app = window.jupyterapp; if (!app) return false;
  const w = app.shell.currentWidget;
  if (!w || !w.sessionContext || !w.content || !w.context || !w.context.path.endsWith(name)) return false;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}"""
# Each code cell of the open notebook: tags, execution count and outputs, from the notebook's model.
CELLS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const cells = w.content.model.cells, out = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    const tags = (c.getMetadata ? c.getMetadata('tags') : (c.metadata || {}).tags) || [];
    out.push({index: i, tags: tags, count: c.executionCount, outputs: c.outputs.toJSON()});
  }
  return out;
}"""
KERNEL_IDLE = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}"""
# Charts wider than the output area they sit in (a learner would have to scroll sideways).
WIDE_CHARTS = """() => [...document.querySelectorAll('.jp-OutputArea-output .vega-embed svg')].map(svg => {
  const area = svg.closest('.jp-OutputArea-output');
  return {chart: Math.round(svg.getBoundingClientRect().width), room: Math.round(area.getBoundingClientRect().width),
          title: (svg.getAttribute('aria-label') || '').slice(0, 80)};
}).filter(c => c.chart > c.room + 1)"""
EXPLORER_STATE = f"""(i) => {{
  const e = document.querySelectorAll('{EXPLORER}')[i];
  if (!e) return null;
  const svg = e.querySelector('.vega-embed svg'), reading = e.querySelector('.equitykit-reading');
  return {{chart: svg ? svg.outerHTML : null, reading: reading ? reading.textContent : null}};
}}"""


def _problems(cells: list[dict]) -> list[str]:
    """What a learner should not see after Run All."""
    found = []
    for cell in cells:
        where = f"code cell at position {cell['index']}"
        if cell["count"] is None:
            found.append(f"{where} did not run")
        for out in cell["outputs"]:
            kind = out.get("output_type")
            if kind == "error" and "raises-exception" not in cell["tags"]:
                found.append(f"{where} raised {out.get('ename')}: {out.get('evalue', '')[:200]}")
            text = out.get("text", "") if kind == "stream" else json.dumps(out.get("data", {}).get("text/plain", ""))
            text = "".join(text) if isinstance(text, list) else text
            if "Ellipsis" in text:
                found.append(f"{where} shows 'Ellipsis'")
            if kind == "stream" and ("ipykernel_" in text or ".py:" in text):
                found.append(f"{where} shows a file name or source line: {text[:160]!r}")
    return found


def _run_all(page, name: str) -> list[dict]:
    page.wait_for_function(KERNEL_READY, arg=name, timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")  # the file browser open
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    while True:
        cells = page.evaluate(CELLS)
        stopped = any(o.get("output_type") == "error" and "raises-exception" not in c["tags"]
                      for c in cells for o in c["outputs"])
        if (stopped or all(c["count"] is not None for c in cells)) and page.evaluate(KERNEL_IDLE):
            time.sleep(1.0)  # widgets and charts render after the kernel is idle
            return page.evaluate(CELLS)
        if time.monotonic() > deadline:
            return cells
        time.sleep(0.5)


def _controls(explorer) -> list[tuple[str, object]]:
    selects = explorer.locator("select")
    handles = explorer.locator(".noUi-handle")
    return ([("dropdown", selects.nth(j)) for j in range(selects.count())]
            + [("slider", handles.nth(j)) for j in range(handles.count())])


def _change(kind: str, control) -> str:
    if kind == "dropdown":
        values = control.locator("option").evaluate_all("opts => opts.map(o => o.value)")
        current = control.input_value()
        new = next(v for v in values if v != current)
        control.select_option(new)
        label = control.locator(f"option[value='{new}']").text_content()
        return f"dropdown set to {label!r}"
    control.scroll_into_view_if_needed()
    now, low = (float(control.get_attribute(a) or 0) for a in ("aria-valuenow", "aria-valuemin"))
    key = "ArrowLeft" if now - low >= 10 else "ArrowRight"  # a slider at its minimum moves right
    control.click()
    for _ in range(10):
        control.press(key)
    return f"slider moved 10 steps ({key}) from {now:g}"


def _explorers_in(name: str) -> int:
    """How many explorers the notebook makes (cells calling one of the kit's ``*_explorer``)."""
    cells = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
    return sum("_explorer(" in "".join(c["source"]) for c in cells if c["cell_type"] == "code")


def _check_explorers(page, name: str) -> list[str]:
    """Move every control of every explorer; each must change the chart or the reading."""
    failures = []
    explorers = page.locator(EXPLORER)
    if explorers.count() != _explorers_in(name):
        return [f"{name}: {explorers.count()} explorer(s) shown, {_explorers_in(name)} made"]
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        explorer.scroll_into_view_if_needed()
        page.wait_for_function(f"() => {{ const s = ({EXPLORER_STATE})({i}); return s && s.chart; }}", timeout=60_000)
        controls = _controls(explorer)
        if not controls:
            failures.append(f"{name}: explorer {i + 1} has no control to move")
        for kind, control in controls:
            before = page.evaluate(EXPLORER_STATE, i)
            what = _change(kind, control)
            try:
                page.wait_for_function(
                    f"(b) => {{ const s = ({EXPLORER_STATE})({i}); return s && s.chart && "
                    f"(s.chart !== b.chart || s.reading !== b.reading); }}", arg=before, timeout=30_000)
            except Exception:
                failures.append(f"{name}: explorer {i + 1}, {what}: neither its chart nor its reading changed")
                continue
            after = page.evaluate(EXPLORER_STATE, i)
            if not after["reading"]:
                failures.append(f"{name}: explorer {i + 1}, {what}: the reading is empty")
    return failures


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_learner_runs_the_notebook_and_every_explorer_responds(name, browser, lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(lab.url(f"/lab/tree/{name}"), wait_until="domcontentloaded")
        cells = _run_all(page, name)
        problems = _problems(cells)
        assert not problems, "\n".join(problems)
        assert "official Jupyter news" not in page.evaluate("() => document.body.innerText")
        wide = page.evaluate(WIDE_CHARTS)
        assert not wide, f"charts wider than the page with the file browser open: {wide}"
        failures = _check_explorers(page, name)
        assert not failures, "\n".join(failures)
        assert not _problems(page.evaluate(CELLS)), "an error appeared after moving a control"
    finally:
        try:
            page.screenshot(path=str(ARTIFACTS / f"browser_{Path(name).stem}.png"))
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        except Exception:
            pass
        page.close()
