"""equitykit: quality improvement to tackle inequity, in Jupyter.

The public API follows the five-step sequence of improvement:
identify the gap (gaps), understand it (diagrams), strategy (plans),
test (spc, pdsa), implement and sustain (sustain).

Example
-------
>>> import equitykit as ek
>>> issubclass(ek.EquityKitError, ValueError)
True
"""
from __future__ import annotations

import importlib
from typing import Any

from . import theme
from .theme import use_offline_renderer, use_svg_renderer
from .validation import EquityKitError, EquityKitWarning

__version__ = "0.1.0"

# All steps: the data, reading a team's own files, the one error type
from .datasets import list_datasets, load_dataset
from .reading import read_data

# Step 1: identify the equity gap
from .gaps import GapResult, disaggregate, pareto, representation
from .intervals import newcombe, risk_ratio, wilson

# Step 2: understand it
from .diagrams import ChangeIdea, Driver, DriverDiagram, Fishbone, ProcessMap
from .review import DataReview

# Step 3: strategy and change ideas
from .plans import AimCheck, AimStatement, Measure, MeasurementPlan, check_aim

# Step 4: test (PDSA cycles, SPC charts, and did the change narrow the gap?)
from .pdsa import Cycle, PDSALog
from .spc import CHARTS, SPCResult, SPCWarning, spc
from .rules import RULE_SETS, anhoej_limits, ihi_runs_limits
from .lens import LensResult, equity_lens

# Step 5: implement and sustain
from .sustain import SafetyCrossResult, SustainChecklist, safety_cross, sustain_checklist

# The workshop (evaluation, handouts, and the notebooks' explorers and self-checks) is loaded when
# first used, so that ``import equitykit`` stays as quick as importing pandas: handouts need nbformat
# and papermill, the explorers ipywidgets, and the self-checks compile many patterns.
_LAZY = {
    "likert": "evaluation", "LikertResult": "evaluation", "check": "checks", "CheckResult": "checks",
    "render_handouts": "handouts", "HandoutReport": "handouts",
    "render_programme": "programme", "ProgrammeReport": "programme",
    "widgets": None, "gap_explorer": "widgets", "spc_explorer": "widgets", "gap_effect_explorer": "widgets",
    "notebook_setup": "widgets",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'equitykit' has no attribute {name!r}")
    module = importlib.import_module(f".{_LAZY[name] or name}", __name__)
    value = module if _LAZY[name] is None else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "__version__", "EquityKitError", "EquityKitWarning", "theme", "use_offline_renderer", "use_svg_renderer",
    "load_dataset", "list_datasets", "read_data",
    "disaggregate", "pareto", "representation", "GapResult", "wilson", "newcombe", "risk_ratio",
    "Fishbone", "ProcessMap", "Driver", "ChangeIdea", "DriverDiagram", "DataReview",
    "AimStatement", "AimCheck", "check_aim", "Measure", "MeasurementPlan",
    "Cycle", "PDSALog", "spc", "SPCResult", "SPCWarning", "CHARTS", "RULE_SETS",
    "anhoej_limits", "ihi_runs_limits", "equity_lens", "LensResult",
    "safety_cross", "SafetyCrossResult", "sustain_checklist", "SustainChecklist",
    "likert", "LikertResult", "render_handouts", "HandoutReport", "render_programme", "ProgrammeReport",
    "widgets", "check", "CheckResult", "gap_explorer", "spc_explorer", "gap_effect_explorer", "notebook_setup",
]
