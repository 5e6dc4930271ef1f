"""ID numbers (证件号码) in, pseudonyms out: validated, then keyed HMAC-SHA256.

``person_key`` = HMAC-SHA256 (hex) under :func:`xinfang.config.pii_key` over the normalised
number (NFKC, no white space, check character upper-case ``X``), computed once per distinct
number. A number is valid when it has 18 characters (17 digits and a digit or ``X``), a known
province prefix, a real birth date from 1900 to the submission date and the GB 11643-1999
check character; an invalid one gets no key and a warning naming its first problem.
"""

from __future__ import annotations

import hashlib
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
_EARLIEST_BIRTH = date(1900, 1, 1)
_BLOCK = 64  # SHA-256 block size


@cache
def province_prefixes() -> frozenset[str]:
    return frozenset({u.province_code[:2] for u in units().values()} | set(_PERMIT_PREFIXES))


class Pseudonymiser:
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer states computed once."""

    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def __call__(self, text: str) -> str:
        return self.many([text.encode("utf-8")])[0]

    def many(self, messages: list[bytes]) -> list[str]:
        """Hex digests of many messages (the loop is the hot path: kept tight)."""
        inner, outer = self._inner, self._outer
        out: list[str] = []
        append = out.append
        for message in messages:
            i = inner.copy()
            i.update(message)
            o = outer.copy()
            o.update(i.digest())
            append(o.hexdigest())
        return out


def normalise_ids(values: pa.Array) -> pa.Array:
    """NFKC (full-width digits), all white space removed, upper case; empty -> null."""
    text = pc.utf8_upper(pc.replace_substring_regex(pc.utf8_normalize(values, "NFKC"), r"\s+", ""))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _byte_matrix(texts: pa.Array, width: int) -> np.ndarray:
    """ASCII texts all ``width`` long, as a (len, width) matrix of bytes."""
    offsets = np.frombuffer(texts.buffers()[1], np.int32)[
        texts.offset : texts.offset + len(texts) + 1
    ]
    data = np.frombuffer(texts.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(-1, width)


def problems(ids: pa.Array, received_on: date) -> list[str | None]:
    """Per normalised number: None when valid or empty, else its first problem, looked for in
    this order: ``format``, ``province``, ``birth_date``, ``check_digit``."""
    out = np.full(len(ids), None, dtype=object)
    present = ids.is_valid().to_numpy(zero_copy_only=False)
    shaped = pc.match_substring_regex(ids, r"^\d{17}[\dX]$")
    shaped = pc.fill_null(shaped, False).to_numpy(zero_copy_only=False)
    out[present & ~shaped] = "format"
    if not shaped.any():
        return out.tolist()
    numbers = ids.filter(pa.array(shaped))
    digits = _byte_matrix(numbers, 18)
    prefix = (digits[:, 0] - 48) * 10 + digits[:, 1] - 48
    known = np.isin(prefix, [int(p) for p in province_prefixes()])
    born = pc.cast(
        pc.strptime(pc.utf8_slice_codeunits(numbers, 6, 14), "%Y%m%d", "s", error_is_null=True),
        pa.date32(),
    )
    born_ok = pc.and_(
        pc.greater_equal(born, pa.scalar(_EARLIEST_BIRTH)),
        pc.less_equal(born, pa.scalar(received_on)),
    )
    born_ok = pc.fill_null(born_ok, False).to_numpy(zero_copy_only=False)
    checked = digits[:, 17] == _CHECK[((digits[:, :17] - 48) @ _WEIGHTS) % 11]
    found = np.full(len(numbers), None, dtype=object)
    found[~checked] = "check_digit"  # the first problem wins: assigned last
    found[~born_ok] = "birth_date"
    found[~known] = "province"
    out[shaped] = found
    return out.tolist()


def pseudonymise(
    ids: pa.Array, received_on: date, key: Pseudonymiser
) -> tuple[pa.Array, list[str | None]]:
    """For distinct normalised numbers: their ``person_key`` (null when invalid or empty) and
    the problem of each invalid one."""
    codes = problems(ids, received_on)
    valid = np.array([c is None for c in codes], dtype=bool) & ids.is_valid().to_numpy(
        zero_copy_only=False
    )
    keys = np.full(len(ids), None, dtype=object)
    keys[valid] = key.many(ids.filter(pa.array(valid)).cast(pa.binary()).to_pylist())
    return pa.array(keys, pa.string()), codes
