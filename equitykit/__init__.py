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

# --- checks and explorers (notebooks) ---
from .checks import check, CheckResult
from . import widgets
from .widgets import gap_explorer, spc_explorer, gap_effect_explorer

__all__ += ["check", "CheckResult", "widgets", "gap_explorer", "spc_explorer", "gap_effect_explorer"]
