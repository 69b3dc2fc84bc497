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

from . import theme
from .validation import EquityKitError

__version__ = "0.1.0"

__all__ = [
    "EquityKitError",
    "theme",
    "__version__",
]

# --- datasets and reading (all steps) ---
from .datasets import list_datasets, load_dataset
from .reading import read_data

__all__ += ["load_dataset", "list_datasets", "read_data"]

# --- gaps (step 1: identify the equity gap) ---
from .gaps import GapResult, disaggregate, pareto, representation
from .intervals import newcombe, risk_ratio, wilson

__all__ += ["disaggregate", "pareto", "representation", "GapResult", "wilson", "newcombe", "risk_ratio"]

# --- checks and explorers (notebooks) ---
from .checks import check, CheckResult
from . import widgets
from .widgets import gap_explorer, spc_explorer, gap_effect_explorer

__all__ += ["check", "CheckResult", "widgets", "gap_explorer", "spc_explorer", "gap_effect_explorer"]

# --- spc (step 4) ---
from .spc import spc, SPCResult, SPCWarning, CHARTS
from .rules import RULE_SETS, anhoej_limits, ihi_runs_limits

__all__ += ["spc", "SPCResult", "SPCWarning", "CHARTS", "RULE_SETS", "anhoej_limits", "ihi_runs_limits"]

# --- evaluation (workshop) ---
from .evaluation import LikertResult, likert

__all__ += ["likert", "LikertResult"]

# --- handouts (workshop) ---
from .handouts import HandoutReport, render_handouts

__all__ += ["render_handouts", "HandoutReport"]

# --- equity lens (step 4: did the change narrow the gap?) ---
from .lens import LensResult, equity_lens

__all__ += ["equity_lens", "LensResult"]

# --- QI tools: diagrams, data review, aims and measures, PDSA log, sustain (steps 2, 3, 4 and 5) ---
from .diagrams import ChangeIdea, Driver, DriverDiagram, Fishbone, ProcessMap
from .pdsa import Cycle, PDSALog
from .plans import AimCheck, AimStatement, Measure, MeasurementPlan, check_aim
from .review import DataReview
from .sustain import SustainChecklist, safety_cross, sustain_checklist

__all__ += [
    "Fishbone", "ProcessMap", "Driver", "ChangeIdea", "DriverDiagram",
    "DataReview",
    "AimStatement", "AimCheck", "check_aim", "Measure", "MeasurementPlan",
    "Cycle", "PDSALog",
    "safety_cross", "sustain_checklist", "SustainChecklist",
]
