"""String values: ``bytes`` (as SET stored it) or ``bytearray`` (modified in place)."""
from __future__ import annotations

from engine.parsing import to_int

EMBSTR_LIMIT = 44      # OBJ_ENCODING_EMBSTR_SIZE_LIMIT


def string_encoding(v) -> bytes:
    """OBJECT ENCODING of a string: int when it is a canonical 64-bit integer of at most
    20 chars, embstr up to 44 bytes, raw beyond and for strings changed in place."""
    if v.__class__ is bytearray:
        return b"raw"
    if len(v) <= 20 and to_int(v) is not None:
        return b"int"
    return b"embstr" if len(v) <= EMBSTR_LIMIT else b"raw"
