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

# --- evaluation (workshop) ---
from .evaluation import LikertResult, likert

__all__ += ["likert", "LikertResult"]

# --- handouts (workshop) ---
from .handouts import HandoutReport, render_handouts

__all__ += ["render_handouts", "HandoutReport"]
