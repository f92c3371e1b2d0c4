"""Value types.  Strings are plain ``bytes``/``bytearray``; every other type is a class
with ``TYPE_NAME`` (what TYPE replies) and ``encoding(config) -> bytes`` (what OBJECT
ENCODING replies, switching at Redis's config thresholds)."""
from __future__ import annotations

from .string import string_encoding


def type_name(value) -> bytes:
    if value.__class__ is bytes or value.__class__ is bytearray:
        return b"string"
    return value.TYPE_NAME


def encoding_of(value, config) -> bytes:
    if value.__class__ is bytes or value.__class__ is bytearray:
        return string_encoding(value)
    return value.encoding(config)
