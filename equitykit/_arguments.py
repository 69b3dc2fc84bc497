"""One helper for the kit's argument vocabulary: old names and positions keep working for a version.

The public functions take their data first and everything else by name, with
one name for one role (``docs/API.md``). A call written for the previous
version, with an old argument name (``date=``, ``category=``) or with options
passed by position, still runs, with a ``FutureWarning`` that says what to
write instead.

Example
-------
>>> import warnings
>>> @vocabulary(renamed={"date": "x"}, positional=("date", "by"))
... def tally(data, *, x="date", by=None):
...     return x, by
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     tally(None, date="when")
...     tally(None, "when", "ward")
('when', None)
('when', 'ward')
>>> [str(w.message).split(":")[0] for w in caught]
['tally(date=...) is now tally(x=...)', 'tally() takes its options by name', 'tally(date=...) is now tally(x=...)']
"""
from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .validation import EquityKitError

__all__ = ["vocabulary"]

F = TypeVar("F", bound=Callable[..., Any])


def vocabulary(
    *, renamed: Mapping[str, str] | None = None, positional: Sequence[str] = (), leading: int = 1
) -> Callable[[F], F]:
    """Accept a function's old argument names and positions for this version, with a FutureWarning.

    Parameters
    ----------
    renamed
        Old name -> new name.
    positional
        The names (old or new) that callers used to pass by position after the
        first ``leading`` arguments (the data), in that order.
    leading
        How many arguments are still positional (1: the data; 2: data and population).
    """
    renamed = dict(renamed or {})

    def wrap(func: F) -> F:
        name = func.__name__

        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            if len(args) > leading:
                extra = args[leading:]
                if len(extra) > len(positional):
                    raise TypeError(f"{name}() takes {leading} positional argument(s) but {len(args)} were given")
                names = list(positional[: len(extra)])
                given = ", ".join(f"{renamed.get(n, n)}=..." for n in names)
                warnings.warn(
                    f"{name}() takes its options by name: write {name}(data, {given}). "
                    "Options passed by position stop working in the next version.",
                    FutureWarning, stacklevel=2,
                )
                for n, value in zip(names, extra):
                    if n in kwargs or renamed.get(n, n) in kwargs:
                        raise TypeError(f"{name}() got {n!r} both by position and by name")
                    kwargs[n] = value
                args = args[:leading]
            for old, new in renamed.items():
                if old in kwargs:
                    if new in kwargs:
                        raise EquityKitError(
                            f"{name}() was given both {old}= and {new}=: {old} is the old name of {new}; "
                            f"keep only {new}=."
                        )
                    warnings.warn(
                        f"{name}({old}=...) is now {name}({new}=...): the same role has the same name "
                        f"across the kit. The old name stops working in the next version.",
                        FutureWarning, stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return _warning_at_caller(func, args, kwargs)

        return call  # type: ignore[return-value]

    return wrap


def _warning_at_caller(func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """Call ``func``; its warnings that point at its caller (``stacklevel=2``) point at our caller.

    This wrapper is one frame more between the learner's cell and the function,
    so a warning the function aims at its caller would name this file; it is
    re-issued at the line of the learner's call, under the filters in force.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(*args, **kwargs)
    caller = sys._getframe(2)
    for w in caught:
        if w.filename == __file__:
            warnings.warn_explicit(w.message, w.category, caller.f_code.co_filename, caller.f_lineno,
                                   module=caller.f_globals.get("__name__"),
                                   registry=caller.f_globals.setdefault("__warningregistry__", {}))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    return result
