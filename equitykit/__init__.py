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

# --- spc (step 4) ---
from .spc import spc, SPCResult, SPCWarning, CHARTS
from .rules import RULE_SETS, anhoej_limits, ihi_runs_limits

__all__ += ["spc", "SPCResult", "SPCWarning", "CHARTS", "RULE_SETS", "anhoej_limits", "ihi_runs_limits"]
