"""The small grammars of spec values: time steps, resolutions, dates, durations and nodata,
each with a refusal that says what is accepted and suggests what was probably meant."""

from __future__ import annotations

import datetime as dt
import math
import re

# --- time steps of station tables -------------------------------------------------------

_STEP_UNITS: dict[str, int] = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "t": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
_AMBIGUOUS_STEP = {
    "m": "M is a month in pandas and a minute elsewhere",
    "ms": "MS is a month start in pandas and a millisecond elsewhere",
}
_CALENDAR_STEP = {"y", "a", "ys", "as", "q", "qs", "me", "year", "years", "month", "months"}
STEP_FORMS = "10min, 30min, 10T, 1h, H, 1D, D, 1W, 30s, PT30M, PT1H, P1D or P1W"
_ISO_STEP = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?",
    re.IGNORECASE,
)


class StepError(ValueError):
    """A time step that is not one fixed length, with the accepted forms in its message."""


def parse_step(text: str) -> int:
    """Seconds in a step written as a pandas offset alias (``10min``, ``10T``, ``H``, ``1D``,
    ``D``) or an ISO 8601 duration (``PT30M``, ``P1D``), in any letter case where that is
    unambiguous. ``M``/``MS`` (month or minute?) and calendar steps are refused."""
    raw = str(text).strip()
    iso = _ISO_STEP.fullmatch(raw)
    if iso and raw.upper() not in ("P", "PT") and any(iso.groups()):
        parts = {k: int(v) for k, v in iso.groupdict().items() if v}
        seconds = (
            (((parts.get("weeks", 0) * 7 + parts.get("days", 0)) * 24 + parts.get("hours", 0)) * 60)
            + parts.get("minutes", 0)
        ) * 60 + parts.get("seconds", 0)
        if seconds > 0:
            return seconds
    found = re.fullmatch(r"(\d+)?\s*([A-Za-z]+)", raw)
    if found:
        count = int(found.group(1) or 1)
        unit = found.group(2).lower()
        if unit in _AMBIGUOUS_STEP:
            raise StepError(
                f"time step {raw!r} is ambiguous ({_AMBIGUOUS_STEP[unit]}): write "
                f"{count}min for minutes; months are no fixed step. Accepted: {STEP_FORMS}"
            )
        if unit in _CALENDAR_STEP or re.fullmatch(r"p\d+[ym]", raw.lower()):
            raise StepError(
                f"time step {raw!r} is a calendar step of varying length; a table's step must "
                f"be fixed. Accepted: {STEP_FORMS}"
            )
        if unit in _STEP_UNITS and count > 0:
            return count * _STEP_UNITS[unit]
    if re.fullmatch(r"P\d+[YM]", raw, re.IGNORECASE):
        raise StepError(
            f"time step {raw!r} is a calendar step of varying length; a table's step must be "
            f"fixed. Accepted: {STEP_FORMS}"
        )
    raise StepError(f"not a time step: {raw!r}. Accepted: {STEP_FORMS}")


_STEP_WRITINGS = (  # unit in seconds: (in words, as pandas writes it, as ISO 8601)
    (86400, "day", "D", "P{}D"),
    (3600, "h", "h", "PT{}H"),
    (60, "min", "min", "PT{}M"),
    (1, "s", "s", "PT{}S"),
)


def _step_writing(seconds: int) -> tuple[int, str, str, str]:
    """(count, word, alias, ISO pattern) of the largest unit that divides the step."""
    for size, word, alias, iso in _STEP_WRITINGS:
        if seconds % size == 0:
            return seconds // size, word, alias, iso
    raise AssertionError("one second divides every whole step")


def describe_step(seconds: int) -> str:
    """A step in words: ``10 min``, ``1 h``, ``1 day``."""
    count, word, _, _ = _step_writing(seconds)
    plural = "s" if word == "day" and count != 1 else ""
    return f"{count} {word}{plural}"


def step_text(seconds: int) -> str:
    """A step as people write it in a spec: ``30s``, ``10min``, ``1h``, ``1D``, ``7D``."""
    count, _, alias, _ = _step_writing(seconds)
    return f"{count}{alias}"


def iso_step(seconds: int) -> str:
    """A step as an ISO 8601 duration: ``PT30S``, ``PT10M``, ``PT3H``, ``P1D``."""
    count, _, _, iso = _step_writing(seconds)
    return iso.format(count)


def unit_seconds(unit: str) -> int | None:
    """Seconds in a time unit as written in a step or a CF time axis (``hours``, ``min``,
    ``day``), or None."""
    return _STEP_UNITS.get(unit.strip().lower())


# --- resolutions -------------------------------------------------------------------------

RESOLUTION_UNITS = ("m", "km", "deg", "arcsec")
RESOLUTION_FORMS = "1 km, 30 m, 0.01 deg, 30 arcsec or {value: 1, unit: km}"
_RESOLUTION = re.compile(
    r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*"
    r"(m|metres?|meters?|km|kilometres?|kilometers?|deg|degrees?|°|arcsec|arc-?seconds?|″|\")\s*",
    re.IGNORECASE,
)


def parse_resolution_text(text: str) -> tuple[float, str] | None:
    """``1 km``, ``1km``, ``30 arcsec``, ``0.25 deg``, ``500m`` → (value, unit); anything else
    (a range such as ``1km - 10km``) gives None."""
    found = _RESOLUTION.fullmatch(str(text))
    if not found:
        return None
    unit = found.group(2).lower()
    if unit.startswith(("kilo", "km")):
        unit = "km"
    elif unit.startswith(("met", "m")) and not unit.startswith("m/"):
        unit = "m"
    elif unit.startswith(("arc", "″", '"')):
        unit = "arcsec"
    else:
        unit = "deg"
    value = float(found.group(1))
    return (value, unit) if value > 0 else None


# --- dates and durations -----------------------------------------------------------------

DATE_FORMS = "2017-01-01, 2017-01-01T06:00:00Z or 2017-01-01 06:00+08:00"
_DATE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)


def suggest_date(text: str) -> str | None:
    """The ISO spelling of a date written another common way (2020/12/31, 31.12.2020,
    20201231), or None."""
    raw = str(text).strip()
    for pattern in ("%Y/%m/%d", "%Y.%m.%d", "%d.%m.%Y", "%Y%m%d", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date().isoformat()
        except ValueError:
            continue
    return None


LATEST_YEAR = 9000
"""Dates past this are refused: stepping a series past year 9999 cannot be computed, and
``9999-12-31`` is a placeholder for "open", not a coverage."""
LONGEST_STEP_DAYS = 1000 * 366
"""Durations past a millennium are refused (``P99999999999Y`` overflows every clock)."""


def parse_moment(text: str, *, end: bool) -> dt.datetime:
    """A declared start or end: a date is its first (start) or last (end) second, UTC unless
    an offset is given. Raises ValueError with the accepted forms."""
    moment = _parse_moment(text, end=end)
    if moment.year > LATEST_YEAR:
        raise ValueError(
            f"{str(text).strip()!r} lies past the year {LATEST_YEAR}: write the last date the "
            "data cover (an open end is not a coverage)"
        )
    return moment


def _parse_moment(text: str, *, end: bool) -> dt.datetime:
    raw = str(text).strip()
    if not _DATE.fullmatch(raw):
        suggestion = suggest_date(raw)
        hint = f"; write {suggestion}" if suggestion else ""
        raise ValueError(f"{raw!r} is not an ISO 8601 date ({DATE_FORMS}){hint}")
    if len(raw) == 10:
        day = dt.date.fromisoformat(raw)
        clock = dt.time(23, 59, 59) if end else dt.time(0, 0, 0)
        return dt.datetime.combine(day, clock, tzinfo=dt.UTC)
    value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


DURATION_FORMS = "P1Y (a year), P1M (a month), P8D, P1D, PT3H"
_ISO_DURATION = re.compile(
    r"P(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?"
)
_WORD_DURATIONS = {
    "year": "Y",
    "years": "Y",
    "yearly": "Y",
    "annual": "Y",
    "month": "M",
    "months": "M",
    "monthly": "M",
    "day": "D",
    "days": "D",
    "daily": "D",
    "week": "W",
    "weeks": "W",
    "weekly": "W",
}


def suggest_duration(text: str) -> str | None:
    """The ISO 8601 duration of a step written in words (``1 year`` → P1Y, ``daily`` →
    P1D, ``3 hours`` → PT3H), or None."""
    found = re.fullmatch(r"\s*(\d+)?\s*([A-Za-z]+)\s*", str(text))
    if not found:
        return None
    count, word = found.group(1) or "1", found.group(2).lower()
    if word in _WORD_DURATIONS:
        return f"P{count}{_WORD_DURATIONS[word]}"
    if word in ("hour", "hours", "h", "hourly"):
        return f"PT{count}H"
    return None


_DAYS_PER = {"Y": 366.0, "M": 31.0, "W": 7.0, "D": 1.0}
_DAYS_PER_TIME = {"H": 1 / 24, "M": 1 / 1440, "S": 1 / 86400}


def _duration_days(raw: str) -> float:
    """The most days an ISO 8601 duration can span (years of 366 days, months of 31)."""
    date_part, _, time_part = raw[1:].partition("T")
    days = 0.0
    for part, scale in ((date_part, _DAYS_PER), (time_part, _DAYS_PER_TIME)):
        for number, unit in re.findall(r"([0-9]+)([A-Z])", part):
            days += int(number) * scale[unit]
    return days


def check_duration(text: str) -> str:
    """An ISO 8601 duration as written; raises ValueError with the accepted forms."""
    raw = str(text).strip()
    if _ISO_DURATION.fullmatch(raw):
        if _duration_days(raw) > LONGEST_STEP_DAYS:
            raise ValueError(f"{raw!r} is longer than a millennium: not a time step")
        return raw
    suggestion = suggest_duration(raw)
    hint = f"; write {suggestion}" if suggestion else ""
    raise ValueError(f"{raw!r} is not an ISO 8601 duration ({DURATION_FORMS}){hint}")


# --- nodata ------------------------------------------------------------------------------


def parse_nodata(raw: object) -> tuple[str, float | None]:
    """``required``, ``nan`` or a number (also written as quoted text: ``'-9999'``) →
    (kind, value). Raises ValueError with the accepted forms."""
    if isinstance(raw, bool):
        raise ValueError("nodata must be required, nan or a number such as -9999")
    if isinstance(raw, int | float):
        return ("nan", None) if math.isnan(raw) else ("value", float(raw))
    text = str(raw).strip()
    if text.lower() == "required":
        return ("required", None)
    if text.lower() == "nan":
        return ("nan", None)
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"nodata {text!r} must be required (any nodata value), nan, or a number such as -9999"
        ) from None
    return ("nan", None) if math.isnan(value) else ("value", value)


PLACEHOLDER = "TODO"
"""What `tpqc init` writes where only a person can fill the value in (title, licence ...)."""


def is_placeholder(value: object) -> bool:
    """True for a ``TODO`` or ``TODO: ...`` placeholder: the field counts as not filled in."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return text == PLACEHOLDER or text.startswith((PLACEHOLDER + ":", PLACEHOLDER + " "))
