"""Altair chart for an SPCResult (placeholder, filled in below)."""
from __future__ import annotations
from typing import Any
__all__ = ["build_chart"]
def build_chart(res: Any, title: str | None = None, width: int = 640, height: int = 300) -> Any:
    raise NotImplementedError
