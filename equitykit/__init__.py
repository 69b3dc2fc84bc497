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
