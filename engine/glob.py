"""Redis's glob matching (stringmatchlen): * ? [abc] [^a-z] and \\ escapes, on bytes."""
from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def compile_glob(pattern: bytes):
    """A compiled regex equivalent to Redis's stringmatchlen for this pattern."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        ch = pattern[i:i + 1]
        if ch == b"*":
            while i + 1 < n and pattern[i + 1:i + 2] == b"*":
                i += 1
            out.append(b".*")
        elif ch == b"?":
            out.append(b".")
        elif ch == b"[":
            i += 1
            neg = i < n and pattern[i:i + 1] == b"^"
            if neg:
                i += 1
            items = []
            while i < n and pattern[i:i + 1] != b"]":
                c = pattern[i:i + 1]
                if c == b"\\" and i + 1 < n:
                    i += 1
                    items.append(re.escape(pattern[i:i + 1]))
                elif i + 2 < n and pattern[i + 1:i + 2] == b"-":
                    a, b = pattern[i], pattern[i + 2]
                    if a > b:
                        a, b = b, a
                    items.append(re.escape(bytes([a])) + b"-" + re.escape(bytes([b])))
                    i += 2
                else:
                    items.append(re.escape(c))
                i += 1
            # an unterminated class matches what it has so far, as Redis does
            body = b"".join(items)
            if not body:
                out.append(b"(?!)" if not neg else b".")
            else:
                out.append(b"[" + (b"^" if neg else b"") + body + b"]")
        elif ch == b"\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i:i + 1]))
        else:
            out.append(re.escape(ch))
        i += 1
    # stringmatchlen never matches an empty subject against a non-empty pattern
    return re.compile((b"(?=.)" if pattern else b"") + b"".join(out), re.DOTALL)


def glob_match(pattern: bytes, subject: bytes, nocase: bool = False) -> bool:
    if pattern == b"*":
        return subject != b""
    if nocase:
        pattern, subject = pattern.lower(), subject.lower()
    return compile_glob(pattern).fullmatch(subject) is not None


def is_plain(pattern: bytes) -> bool:
    """True when the pattern has no glob specials (it can only match itself)."""
    return not any(c in pattern for c in b"*?[\\")
