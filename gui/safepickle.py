"""Read a pickle as data, never unpickling it: our own stack machine over
``pickletools.genops`` (which only parses opcodes).  Globals stay names, calls stay
calls (shown with their arguments), objects stay their class name and state: nothing is
imported, looked up or executed.  A few data-only constructors (bytes via
``_codecs.encode``, set, frozenset, bytearray) are evaluated here on plain values.
Used by the value formatters (gui/formatters.py).
"""
from __future__ import annotations

import pickletools

from .formatters import MAX_STEPS, Bad, Opaque, Pairs

_SAFE_CALLS = {            # computed here on plain data, nothing imported
    ("_codecs", "encode"), ("builtins", "set"), ("__builtin__", "set"),
    ("builtins", "frozenset"), ("__builtin__", "frozenset"),
    ("builtins", "bytearray"), ("__builtin__", "bytearray"),
}


class _Global(Opaque):
    __slots__ = ("module", "qualname")

    def __init__(self, module: str, qualname: str):
        super().__init__(f"global {module}.{qualname} (not imported)")
        self.module, self.qualname = module, qualname


def _name(f) -> str:
    """What a class or callable on the stack is called (a global's dotted name)."""
    return f"{f.module}.{f.qualname}" if isinstance(f, _Global) else repr(f)


def _call(f, args):
    """A REDUCE: a few data-only constructors are evaluated by us; any other call is
    shown as the call it would make."""
    if isinstance(f, _Global) and (f.module, f.qualname) in _SAFE_CALLS and \
            isinstance(args, tuple):
        try:
            if f.qualname == "encode" and len(args) == 2 and isinstance(args[0], str) \
                    and args[1] in ("latin1", "latin-1"):
                return args[0].encode("latin-1")
            if f.qualname in ("set", "frozenset") and len(args) <= 1:
                return Opaque(f.qualname, list(args[0]) if args else [])
            if f.qualname == "bytearray" and len(args) <= 1 and \
                    (not args or isinstance(args[0], (bytes, str))):
                return bytearray(args[0] if not args or isinstance(args[0], bytes)
                                 else args[0].encode("latin-1"))
        except (TypeError, ValueError):
            pass
    return Opaque(f"call {_name(f)} (not executed)", list(args)
                  if isinstance(args, tuple) else args)


def read_pickle(data: bytes):
    """Rebuild a pickle's data with our own stack machine; returns (value, globals)."""
    stack: list = []
    marks: list = []
    memo: dict = {}
    seen_globals: list[str] = []
    steps = 0
    result = None
    stopped = False

    def pop_mark():
        nonlocal stack
        if not marks:
            raise Bad("MARK missing")
        items, stack = stack, marks.pop()
        return items

    def pop():
        if not stack:
            raise Bad("stack underflow")
        return stack.pop()

    def top():
        if not stack:
            raise Bad("stack underflow")
        return stack[-1]

    def into(target, items):
        if isinstance(target, list):
            target.extend(items)
        elif isinstance(target, Opaque):
            body = target.body
            if isinstance(body, list):
                body.extend(items)
            else:
                target.body = {"state": body, "items": list(items)} if body is not None \
                    else list(items)
        else:
            raise Bad(f"cannot append to {type(target).__name__}")

    def setitems(target, pairs):
        if isinstance(target, Pairs):
            target.extend(pairs)
        elif isinstance(target, Opaque):
            if target.body is None:
                target.body = Pairs()
            if isinstance(target.body, Pairs):
                target.body.extend(pairs)
            else:
                target.body = Pairs([("state", target.body)] + list(pairs))
        else:
            raise Bad(f"cannot set items on {type(target).__name__}")

    def glob(module, name):
        if not isinstance(module, str) or not isinstance(name, str):
            raise Bad("a global's name is not text")
        seen_globals.append(f"{module}.{name}")
        return _Global(module, name)

    try:
        for op, arg, pos in pickletools.genops(data):
            steps += 1
            if steps > MAX_STEPS:
                raise Bad(f"more than {MAX_STEPS:,} opcodes")
            n = op.name
            if n in ("PROTO", "FRAME", "READONLY_BUFFER"):
                continue
            if n == "STOP":
                result, stopped = pop(), True
                break
            if n == "MARK":
                marks.append(stack)
                stack = []
            elif n == "POP":
                if stack:
                    stack.pop()
                else:
                    pop_mark()
            elif n == "POP_MARK":
                pop_mark()
            elif n == "DUP":
                stack.append(top())
            elif n == "NONE":
                stack.append(None)
            elif n in ("NEWTRUE", "NEWFALSE"):
                stack.append(n == "NEWTRUE")
            elif n in ("INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4",
                       "FLOAT", "BINFLOAT", "STRING", "BINSTRING", "SHORT_BINSTRING",
                       "UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8",
                       "BINBYTES", "SHORT_BINBYTES", "BINBYTES8"):
                stack.append(arg)
            elif n == "BYTEARRAY8":
                stack.append(bytearray(arg))
            elif n == "NEXT_BUFFER":
                stack.append(Opaque("out-of-band buffer (not available)"))
            elif n == "EMPTY_LIST":
                stack.append([])
            elif n == "EMPTY_DICT":
                stack.append(Pairs())
            elif n == "EMPTY_TUPLE":
                stack.append(())
            elif n == "EMPTY_SET":
                stack.append(Opaque("set", []))
            elif n == "LIST":
                items = pop_mark()        # before naming ``stack``: it is rebound
                stack.append(list(items))
            elif n == "TUPLE":
                items = pop_mark()
                stack.append(tuple(items))
            elif n in ("TUPLE1", "TUPLE2", "TUPLE3"):
                k = int(n[-1])
                if len(stack) < k:
                    raise Bad("stack underflow")
                items = tuple(stack[-k:])
                del stack[-k:]
                stack.append(items)
            elif n == "DICT":
                items = pop_mark()
                stack.append(Pairs(zip(items[::2], items[1::2])))
            elif n == "FROZENSET":
                items = pop_mark()
                stack.append(Opaque("frozenset", list(items)))
            elif n == "APPEND":
                v = pop()
                into(top(), [v])
            elif n in ("APPENDS", "ADDITEMS"):
                items = pop_mark()
                into(top(), items)
            elif n == "SETITEM":
                v, k = pop(), pop()
                setitems(top(), [(k, v)])
            elif n == "SETITEMS":
                items = pop_mark()
                setitems(top(), list(zip(items[::2], items[1::2])))
            elif n in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[arg] = top()
            elif n == "MEMOIZE":
                memo[len(memo)] = top()
            elif n in ("GET", "BINGET", "LONG_BINGET"):
                if arg not in memo:
                    raise Bad(f"memo entry {arg} missing")
                stack.append(memo[arg])
            elif n in ("GLOBAL", "INST"):
                module, _, name = str(arg).partition(" ")
                g = glob(module, name)
                if n == "GLOBAL":
                    stack.append(g)
                else:
                    items = pop_mark()
                    stack.append(Opaque(f"object {module}.{name} (not created)",
                                        list(items) or None))
            elif n == "STACK_GLOBAL":
                name, module = pop(), pop()
                stack.append(glob(module, name))
            elif n in ("EXT1", "EXT2", "EXT4"):
                stack.append(Opaque(f"extension code {arg} (not looked up)"))
            elif n == "REDUCE":
                args, f = pop(), pop()
                stack.append(_call(f, args))
            elif n == "BUILD":
                state = pop()
                target = top()
                if isinstance(target, Opaque):
                    if target.body is None:
                        target.body = state
                    else:
                        target.body = Pairs([("args", target.body), ("state", state)])
                else:
                    raise Bad(f"BUILD on {type(target).__name__}")
            elif n in ("NEWOBJ", "NEWOBJ_EX"):
                kwargs = pop() if n == "NEWOBJ_EX" else None
                args, cls = pop(), pop()
                body = list(args) if isinstance(args, tuple) and args else None
                if kwargs:
                    body = Pairs([("args", body), ("kwargs", kwargs)])
                stack.append(Opaque(f"object {_name(cls)} (not created)", body))
            elif n == "OBJ":
                items = pop_mark()
                if not items:
                    raise Bad("OBJ without a class")
                stack.append(Opaque(f"object {_name(items[0])} (not created)",
                                    list(items[1:]) or None))
            elif n in ("PERSID", "BINPERSID"):
                pid = arg if n == "PERSID" else pop()
                stack.append(Opaque("persistent id (not resolved)", pid))
            else:
                raise Bad(f"unsupported opcode {n}")
    except Bad:
        raise
    except Exception as e:              # genops' own parse errors (ValueError ...)
        raise Bad(str(e) or type(e).__name__) from None
    if not stopped:
        raise Bad("no STOP opcode")
    return result, seen_globals
