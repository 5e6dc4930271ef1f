"""Citizen ID numbers (GB 11643-1999): what is wrong with one; personal data shown masked.

The one implementation ingestion (:mod:`xinfang.ingest.identity`, before pseudonymising) and
the quality gate (:mod:`xinfang.quality.idcard`) both use. A number is valid when it has 18
characters (17 digits and a digit or ``X``), a known province prefix, a real birth date from
1900 to the submission date and the GB 11643-1999 check character.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.reference import units

#: Residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证).
_PERMIT_PREFIXES = ("81", "82", "83")
_WEIGHTS = np.array([2 ** (17 - i) % 11 for i in range(17)])
_CHECK = np.frombuffer(b"10X98765432", np.uint8)
_MONTH_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_EARLIEST_BIRTH = 19000101

_ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{15}")
_PHONE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

#: The problems, in the order they are looked for; a number gets the first that applies.
PROBLEMS = ("format", "province", "birth_date", "check_digit")


@cache
def province_prefixes() -> frozenset[str]:
    """The first two digits of every province in the reference units, and the permit prefixes."""
    return frozenset({u.province_code[:2] for u in units().values()} | set(_PERMIT_PREFIXES))


def _byte_matrix(texts: pa.Array, width: int) -> np.ndarray:
    """ASCII texts all ``width`` long, as a (len, width) matrix of bytes."""
    offsets = np.frombuffer(texts.buffers()[1], np.int32)[
        texts.offset : texts.offset + len(texts) + 1
    ]
    data = np.frombuffer(texts.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(-1, width)


def _birth_ok(digits: np.ndarray, today: date) -> np.ndarray:
    """Digits 7-14 are a calendar day from 1900-01-01 to ``today`` (checked by arithmetic:
    Arrow's ``strptime`` takes 29 February of any year)."""
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10:12] @ np.array([10, 1])
    day = digits[:, 12:14] @ np.array([10, 1])
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    last = np.where(month_ok, _MONTH_DAYS[np.clip(month, 0, 12)], 0) - ((month == 2) & ~leap)
    stamp = year * 10000 + month * 100 + day
    today_stamp = today.year * 10000 + today.month * 100 + today.day
    return (
        month_ok & (day >= 1) & (day <= last) & (stamp >= _EARLIEST_BIRTH) & (stamp <= today_stamp)
    )


def problems(ids: pa.Array, received_on: date) -> list[str | None]:
    """Per normalised number (``pa.string()``): None when valid or empty, else the first of
    :data:`PROBLEMS` it has."""
    out = np.full(len(ids), None, dtype=object)
    present = ids.is_valid().to_numpy(zero_copy_only=False)
    shaped = pc.match_substring_regex(ids, r"^\d{17}[\dX]$")
    shaped = pc.fill_null(shaped, False).to_numpy(zero_copy_only=False)
    out[present & ~shaped] = "format"
    if not shaped.any():
        return out.tolist()
    numbers = ids.filter(pa.array(shaped))
    digits = _byte_matrix(numbers, 18)
    known = np.isin(
        (digits[:, 0] - 48) * 10 + digits[:, 1] - 48, [int(p) for p in province_prefixes()]
    )
    born_ok = _birth_ok(digits.astype(np.int64) - 48, received_on)
    checked = digits[:, 17] == _CHECK[((digits[:, :17].astype(np.int64) - 48) @ _WEIGHTS) % 11]
    found = np.full(len(numbers), None, dtype=object)
    found[~checked] = "check_digit"  # the first problem wins: assigned last
    found[~born_ok] = "birth_date"
    found[~known] = "province"
    out[shaped] = found
    return out.tolist()


def mask(text: str) -> str:
    """Keep the first 4 and the last 2 characters, star the rest (a short value all stars)."""
    if len(text) <= 6:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 6) + text[-2:]


def mask_pii(text: str) -> str:
    """Mask anything shaped like an ID number (:func:`mask`) or a mobile number (all stars)."""
    text = _ID_LIKE.sub(lambda m: mask(m.group()), text)
    return _PHONE_LIKE.sub(lambda m: "*" * len(m.group()), text)
