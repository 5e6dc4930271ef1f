"""ID numbers (证件号码) in, pseudonyms out: validated, then keyed HMAC-SHA256.

``person_key`` = HMAC-SHA256 (hex) under :func:`xinfang.config.pii_key` over the normalised
number (NFKC, no white space, check character upper-case ``X``), computed once per distinct
number. A number is checked by :mod:`xinfang.idnumber`; an invalid one gets no key and a
warning naming its first problem.
"""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.idnumber import problems

_BLOCK = 64  # SHA-256 block size


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
