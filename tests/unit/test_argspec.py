"""engine.argspec: the COMMAND DOCS argument syntax parses to Redis's trees and back."""
import pytest

from engine.argspec import parse, render
from engine.command_args import ARGS


@pytest.mark.parametrize("name", sorted(ARGS))
def test_every_imported_argument_list_renders_back_to_its_text(name):
    assert render(parse(ARGS[name])) == ARGS[name]


def test_set_arguments_parse_to_redis_maps():
    args = parse(ARGS["set"])
    assert args[0].reply() == {b"name": b"key", b"type": b"key", b"key_spec_index": 0}
    cond = args[2].reply()
    assert cond[b"name"] == b"condition" and cond[b"type"] == b"oneof"
    assert cond[b"since"] == b"2.6.12" and list(cond[b"flags"]) == [b"optional"]
    assert [a[b"token"] for a in cond[b"arguments"]] == [b"NX", b"XX"]
    exat = args[4].args[2].reply()
    assert exat == {b"name": b"unix-time-seconds", b"type": b"unix-time", b"token": b"EXAT",
                    b"since": b"6.2.0"}


def test_flags_tokens_and_quoting():
    (get,) = parse("[GET pattern:pattern#1]...")
    assert (get.token, get.type, get.key_spec_index) == ("GET", "pattern", 1)
    assert get.flags() == ["optional", "multiple", "multiple_token"]
    (a, b) = parse("'ip:port'!2.8.12 approximately=\"~\"")
    assert (a.name, a.deprecated_since) == ("ip:port", "2.8.12")
    assert (b.name, b.type, b.token) == ("approximately", "pure-token", "~")
    (blk,) = parse("[LIMIT offset_count(offset:integer count:integer)]")
    assert (blk.type, blk.token, [x.name for x in blk.args]) == \
        ("block", "LIMIT", ["offset", "count"])


@pytest.mark.parametrize("bad", ["[key", "key)", "name:float", "x{a | b"])
def test_malformed_syntax_is_refused(bad):
    with pytest.raises(ValueError):
        parse(bad)
