"""Private helpers shared by the QI tools: YAML files and checking keys.

Every QI object (fishbone, driver diagram, PDSA log, ...) saves itself as a
small YAML file a team can open and edit by hand. Reading one back checks
each key, so a typo such as ``causse:`` is reported with the keys allowed and
the closest match, instead of being silently dropped.

Example
-------
>>> check_keys({"effect": "x", "causse": {}}, ["effect", "causes"], "a fishbone")
Traceback (most recent call last):
...
equitykit.validation.EquityKitError: a fishbone has an unknown key 'causse'. Did you mean 'causes'? The keys allowed are: 'effect', 'causes'.
"""
from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .files import atomic_write_text
from .validation import EquityKitError
from .wording import check_choice, did_you_mean

__all__ = ["as_choice", "check_keys", "dump_yaml", "load_yaml", "as_text", "as_text_list"]


def as_choice(
    value: Any,
    owner: str,
    field: str,
    choices: Sequence[str],
    *,
    aliases: Mapping[str, str] | None = None,
    default: str = "",
    optional: bool = False,
    note: str = "",
) -> str:
    """Return ``value`` as one of ``choices`` (lower case, common spellings mapped by ``aliases``).

    An empty value gives ``default``; it is accepted only when ``optional``. Anything
    else raises EquityKitError: "<owner> has <field> 'x', which is not one of ...".
    """
    text = as_text(value, f"The {field} of {owner}").lower() or default
    if not text and optional:
        return text
    return check_choice(text, field, choices, aliases=aliases,
                        message=f"{owner} has {field} {text!r}, which is not one of {{choices}}{note}.")


def check_keys(
    mapping: Any, allowed: Iterable[str], where: str, required: Iterable[str] = ()
) -> dict[str, Any]:
    """Raise EquityKitError for a key not in ``allowed`` or a required key missing.

    Returns the mapping as a plain dict.
    """
    allowed = list(allowed)
    if not isinstance(mapping, Mapping):
        raise EquityKitError(
            f"{where} should be a set of 'key: value' lines, not {type(mapping).__name__}. "
            f"The keys allowed are: {', '.join(repr(k) for k in allowed)}."
        )
    for key in mapping:
        if key not in allowed:
            raise EquityKitError(
                f"{where} has an unknown key {key!r}.{did_you_mean(key, allowed)} "
                f"The keys allowed are: {', '.join(repr(k) for k in allowed)}."
            )
    for key in required:
        if key not in mapping or mapping[key] in (None, ""):
            raise EquityKitError(f"{where} has no {key!r}: add a line '{key}: ...'.")
    return dict(mapping)


def load_yaml(path: str | os.PathLike[str], what: str) -> Any:
    """Read a YAML file, with a clear error if it is missing or not valid YAML."""
    import yaml  # here, not at the top: only the QI tools' files need it

    target = Path(path)
    if not target.exists():
        raise EquityKitError(f"There is no file {str(target)!r} to read the {what} from: check the name and folder.")
    try:
        return yaml.safe_load(target.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" near line {where.line + 1}" if where is not None else ""
        raise EquityKitError(
            f"The file {str(target)!r} is not valid YAML{line}: {getattr(exc, 'problem', exc)}. "
            "Check the indentation and that each line reads 'key: value'."
        ) from None


def dump_yaml(path: str | os.PathLike[str], data: Any, header: str = "") -> Path:
    """Write ``data`` as YAML atomically (temporary file, then rename); return the path."""
    import yaml

    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if header:
        text = "".join(f"# {line}\n" for line in header.splitlines()) + text
    return atomic_write_text(path, text)


def as_text(value: Any, name: str, *, required: bool = False) -> str:
    """Return ``value`` as stripped text ('' for None); dates become ISO text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None or (isinstance(value, float) and value != value):
        text = ""
    elif isinstance(value, (_dt.date, _dt.datetime)):
        text = value.isoformat()[:10]
    elif isinstance(value, (str, int, float)):
        text = str(value).strip()
    else:
        raise EquityKitError(f"{name} should be text, not {type(value).__name__} ({value!r}).")
    if required and not text:
        raise EquityKitError(f"{name} is empty: write a few words for it.")
    return text


def as_text_list(value: Any, name: str) -> list[str]:
    """Return a list of non-empty texts from None, one text, or a list of texts."""
    if value is None:
        return []
    if isinstance(value, (str, int, float)):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise EquityKitError(f"{name} should be a list of texts, not {type(value).__name__}.")
    return [t for t in (as_text(v, name) for v in value) if t]
