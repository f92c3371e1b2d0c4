"""COMMAND sentences: INFO shapes equal to Redis 7.0.15's, COUNT, LIST filters, DOCS,
GETKEYS / GETKEYSANDFLAGS and their errors, HELP."""
import pytest

from tests.spec.test_connection import Wire, w, wire  # noqa: F401  (fixtures)

_CONN_SESSION = [b"noscript", b"loading", b"stale", b"fast", b"no_auth", b"allow_busy"]
_GET_KEYSPEC = [b"flags", [b"RO", b"access"],
                b"begin_search", [b"type", b"index", b"spec", [b"index", 1]],
                b"find_keys", [b"type", b"range", b"spec",
                               [b"lastkey", 0, b"keystep", 1, b"limit", 0]]]
_ADMIN = [b"admin", b"noscript", b"loading", b"stale"]
_ADMIN_CATS = [b"@admin", b"@slow", b"@dangerous"]
_SUB = [b"loading", b"stale"]
_CS = [b"@slow", b"@connection"]

# COMMAND INFO as redis-server 7.0.15 replies it (subcommands sorted by name: Redis lists
# them in hash-table order)
EXPECTED = {
    "get": [b"get", 2, [b"readonly", b"fast"], 1, 1, 1, [b"@read", b"@string", b"@fast"],
            [], [_GET_KEYSPEC], []],
    "ping": [b"ping", -1, [b"fast"], 0, 0, 0, [b"@fast", b"@connection"],
             [b"request_policy:all_shards", b"response_policy:all_succeeded"], [], []],
    "echo": [b"echo", 2, [b"loading", b"stale", b"fast"], 0, 0, 0,
             [b"@fast", b"@connection"], [], [], []],
    "quit": [b"quit", -1, _CONN_SESSION, 0, 0, 0, [b"@fast", b"@connection"], [], [], []],
    "hello": [b"hello", -1, _CONN_SESSION, 0, 0, 0, [b"@fast", b"@connection"], [], [], []],
    "reset": [b"reset", 1, _CONN_SESSION, 0, 0, 0, [b"@fast", b"@connection"], [], [], []],
    "auth": [b"auth", -2, _CONN_SESSION, 0, 0, 0, [b"@fast", b"@connection"], [], [], []],
    "select": [b"select", 2, [b"loading", b"stale", b"fast"], 0, 0, 0,
               [b"@fast", b"@connection"], [], [], []],
    "info": [b"info", -1, [b"loading", b"stale"], 0, 0, 0, [b"@slow", b"@dangerous"],
             [b"nondeterministic_output", b"request_policy:all_shards",
              b"response_policy:special"], [], []],
    "time": [b"time", 1, [b"loading", b"stale", b"fast"], 0, 0, 0, [b"@fast"],
             [b"nondeterministic_output"], [], []],
    "lastsave": [b"lastsave", 1, [b"loading", b"stale", b"fast"], 0, 0, 0,
                 [b"@admin", b"@fast", b"@dangerous"], [b"nondeterministic_output"], [], []],
    "shutdown": [b"shutdown", -1, _ADMIN + [b"no_multi", b"allow_busy"], 0, 0, 0,
                 _ADMIN_CATS, [], [], []],
    "client|list": [b"client|list", -2, _ADMIN, 0, 0, 0, _ADMIN_CATS + [b"@connection"],
                    [b"nondeterministic_output"], [], []],
    "client|kill": [b"client|kill", -3, _ADMIN, 0, 0, 0, _ADMIN_CATS + [b"@connection"],
                    [], [], []],
    "client|info": [b"client|info", 2, [b"noscript", b"loading", b"stale"], 0, 0, 0, _CS,
                    [b"nondeterministic_output"], [], []],
    "config": [b"config", -2, [], 0, 0, 0, [b"@slow"], [], [], [
        [b"config|get", -3, _ADMIN, 0, 0, 0, _ADMIN_CATS, [], [], []],
        [b"config|help", 2, _SUB, 0, 0, 0, [b"@slow"], [], [], []],
        [b"config|resetstat", 2, _ADMIN, 0, 0, 0, _ADMIN_CATS, [], [], []],
        [b"config|rewrite", 2, _ADMIN, 0, 0, 0, _ADMIN_CATS, [], [], []],
        [b"config|set", -4, _ADMIN, 0, 0, 0, _ADMIN_CATS,
         [b"request_policy:all_nodes", b"response_policy:all_succeeded"], [], []]]],
    "command": [b"command", -1, _SUB, 0, 0, 0, _CS, [b"nondeterministic_output_order"], [], [
        [b"command|count", 2, _SUB, 0, 0, 0, _CS, [], [], []],
        [b"command|docs", -2, _SUB, 0, 0, 0, _CS, [b"nondeterministic_output_order"], [], []],
        [b"command|getkeys", -4, _SUB, 0, 0, 0, _CS, [], [], []],
        [b"command|getkeysandflags", -4, _SUB, 0, 0, 0, _CS, [], [], []],
        [b"command|help", 2, _SUB, 0, 0, 0, _CS, [], [], []],
        [b"command|info", -2, _SUB, 0, 0, 0, _CS, [b"nondeterministic_output_order"], [], []],
        [b"command|list", -2, _SUB, 0, 0, 0, _CS, [b"nondeterministic_output_order"], [],
         []]]],
}


def _sorted_subs(entry):
    entry = list(entry)
    entry[9] = sorted(entry[9], key=lambda s: s[0])
    return entry


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_command_info_entry_is_redis_7_0_shape(w, name):
    (entry,) = w("COMMAND", "INFO", name)
    assert _sorted_subs(entry) == EXPECTED[name]


def test_command_info_of_set_has_its_variable_flags_key_spec(w):
    (entry,) = w("COMMAND", "INFO", "SET")
    assert entry[:8] == [b"set", -3, [b"write", b"denyoom"], 1, 1, 1,
                         [b"@write", b"@string", b"@slow"], []]
    spec = dict(zip(entry[8][0][0::2], entry[8][0][1::2]))
    assert spec[b"flags"] == [b"RW", b"access", b"update", b"variable_flags"]
    assert spec[b"begin_search"] == _GET_KEYSPEC[3]
    assert spec[b"find_keys"] == _GET_KEYSPEC[5]


def test_command_info_key_specs_and_legacy_range_of_multi_key_commands(w):
    info = {e[0]: e for e in w("COMMAND", "INFO", "mset", "mget", "zunionstore", "del")}
    assert info[b"mset"][2:6] == [[b"write", b"denyoom"], 1, -1, 2]
    assert info[b"mget"][2:6] == [[b"readonly", b"fast"], 1, -1, 1]
    assert info[b"zunionstore"][2:6] == [[b"write", b"denyoom", b"movablekeys"], 1, 1, 1]
    assert info[b"zunionstore"][8][1][5] == [b"type", b"keynum", b"spec",
                                            [b"keynumidx", 0, b"firstkey", 1, b"keystep", 1]]
    assert info[b"del"][8][0][1] == [b"RM", b"delete"]


def test_command_info_in_resp3_uses_sets_and_maps(raw):
    s = raw()
    s.send(b"HELLO 3\r\n")
    s.recv(1)
    expected = (b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n"
                b":1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n"
                b"~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n"
                b"$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n"
                b"$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n"
                b"$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n"
                b"$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n"
                b"$5\r\nlimit\r\n:0\r\n~0\r\n")
    assert s.request(b"COMMAND INFO get\r\n", expected) == expected


def test_command_info_unknown_names_are_nil_and_subcommands_by_pipe(w):
    got = w("COMMAND", "INFO", "nosuch", "CONFIG|GET", "config|nosuch", "get|x")
    assert got[0] is None and got[2] is None and got[3] is None
    assert got[1][0] == b"config|get"


def test_command_without_arguments_and_command_info_list_every_command(w):
    count = w("COMMAND", "COUNT")
    assert isinstance(count, int) and count > 50
    everything = w("COMMAND")
    assert len(everything) == count == len(w("COMMAND", "INFO"))
    assert {e[0] for e in everything} >= {b"get", b"config", b"client", b"command", b"info"}


def test_command_list_and_its_filters(w):
    names = w("COMMAND", "LIST")
    assert b"config|get" in names and b"get" in names and len(names) > w("COMMAND", "COUNT")
    assert sorted(w("COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG*")) == [
        b"config", b"config|get", b"config|help", b"config|resetstat", b"config|rewrite",
        b"config|set"]
    assert w("COMMAND", "LIST", "FILTERBY", "pattern", "config|g*") == [b"config|get"]
    assert w("COMMAND", "LIST", "FILTERBY", "MODULE", "foo") == []
    assert w("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch") == []
    conn = w("COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection")
    assert {b"ping", b"auth", b"client|list", b"command|docs"} <= set(conn)
    assert b"get" not in conn and b"config|get" not in conn


@pytest.mark.parametrize("args", [["FILTERBY"], ["FILTERBY", "foo", "bar"], ["x"],
                                  ["FILTERBY", "PATTERN"], ["FILTERBY", "PATTERN", "a", "b"]])
def test_command_list_syntax_errors(w, args):
    assert w.err("COMMAND", "LIST", *args) == "ERR syntax error"


DOCS = {
    "config|get": {b"summary": b"Get the values of configuration parameters",
                   b"since": b"2.0.0", b"group": b"server",
                   b"complexity": b"O(N) when N is the number of configuration parameters "
                                  b"provided",
                   b"history": [[b"7.0.0", b"Added the ability to pass multiple pattern "
                                           b"parameters in one call"]]},
    "ping": {b"summary": b"Ping the server", b"since": b"1.0.0", b"group": b"connection",
             b"complexity": b"O(1)"},
    "client|kill": {b"summary": b"Kill the connection of a client", b"since": b"2.4.0",
                    b"group": b"connection",
                    b"complexity": b"O(N) where N is the number of client connections",
                    b"history": [[b"2.8.12", b"Added new filter format."],
                                 [b"2.8.12", b"`ID` option."],
                                 [b"3.2.0", b"Added `master` type in for `TYPE` option."],
                                 [b"5.0.0", b"Replaced `slave` `TYPE` with `replica`. `slave` "
                                            b"still supported for backward compatibility."],
                                 [b"6.2.0", b"`LADDR` option."]]},
    "shutdown": {b"summary": b"Synchronously save the dataset to disk and then shut down "
                             b"the server", b"since": b"1.0.0", b"group": b"server",
                 b"complexity": b"O(N) when saving, where N is the total number of keys in "
                                b"all databases when saving data, otherwise O(1)",
                 b"history": [[b"7.0.0", b"Added the `NOW`, `FORCE` and `ABORT` "
                                         b"modifiers."]]},
}


@pytest.mark.parametrize("name", sorted(DOCS))
def test_command_docs_summary_since_group_complexity_history(w, name):
    reply = w("COMMAND", "DOCS", name)
    assert reply[0] == name.encode()
    doc = dict(zip(reply[1][0::2], reply[1][1::2]))
    doc.pop(b"arguments", None)          # keyscope does not declare argument trees yet
    assert doc == DOCS[name]


def test_command_docs_of_a_container_nests_its_subcommands(wire):
    w3 = wire(3)
    docs = w3("COMMAND", "DOCS", "config")[b"config"]
    assert docs[b"summary"] == b"A container for server configuration commands"
    assert docs[b"complexity"] == b"Depends on subcommand."
    assert set(docs[b"subcommands"]) == {b"config|get", b"config|set", b"config|help",
                                         b"config|resetstat", b"config|rewrite"}


def test_command_docs_skips_unknown_names_and_repeats_asked_twice(w):
    reply = w("COMMAND", "DOCS", "nosuch", "echo", "ECHO")
    assert reply[0::2] == [b"echo", b"echo"]


# ------------------------------------------------------------------ GETKEYS
@pytest.mark.parametrize("argv,keys", [
    (["get", "a"], [b"a"]),
    (["SET", "a", "b", "EX", "10"], [b"a"]),
    (["mset", "a", "1", "b", "2"], [b"a", b"b"]),
    (["mget", "a", "b", "c"], [b"a", b"b", b"c"]),
    (["del", "x", "y"], [b"x", b"y"]),
    (["zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"], [b"d", b"a", b"b"]),
    (["eval", "return 1", "2", "k1", "k2", "arg"], [b"k1", b"k2"]),
    (["eval", "return 1", "0"], []),                        # no_mandatory_keys
    (["object", "encoding", "k"], [b"k"]),
    (["smove", "src", "dst", "m"], [b"src", b"dst"]),
])
def test_command_getkeys(w, argv, keys):
    assert w("COMMAND", "GETKEYS", *argv) == keys


@pytest.mark.parametrize("argv,error", [
    (["nosuch", "a"], "ERR Invalid command specified"),
    (["config", "nosuch"], "ERR Invalid command specified"),
    (["ping", "x"], "ERR The command has no key arguments"),
    (["config", "get", "x"], "ERR The command has no key arguments"),
    (["get", "a", "b"], "ERR Invalid number of arguments specified for command"),
    (["set", "a"], "ERR Invalid number of arguments specified for command"),
    (["zunionstore", "d", "x", "a", "b"], "ERR Invalid arguments specified for command"),
    (["zunionstore", "d", "5", "a", "b"], "ERR Invalid arguments specified for command"),
])
def test_command_getkeys_errors(w, argv, error):
    assert w.err("COMMAND", "GETKEYS", *argv) == error


def test_command_getkeys_arity(w):
    assert w.err("COMMAND", "GETKEYS", "get") == \
        "ERR wrong number of arguments for 'command|getkeys' command"


def test_command_getkeysandflags_reports_each_keys_flags(w):
    assert w("COMMAND", "GETKEYSANDFLAGS", "get", "a") == [[b"a", [b"RO", b"access"]]]
    assert w("COMMAND", "GETKEYSANDFLAGS", "set", "a", "b") == [[b"a", [b"OW", b"update"]]]
    assert w("COMMAND", "GETKEYSANDFLAGS", "set", "a", "b", "GET") == [
        [b"a", [b"RW", b"access", b"update"]]]
    assert w("COMMAND", "GETKEYSANDFLAGS", "smove", "s", "d", "m") == [
        [b"s", [b"RW", b"access", b"delete"]], [b"d", [b"RW", b"insert"]]]


# ------------------------------------------------------------------ HELP / errors
def test_command_help(w):
    lines = w("COMMAND", "HELP")
    assert lines[0] == b"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[1:3] == [b"(no subcommand)", b"    Return details about all Redis commands."]
    assert lines[-2:] == [b"HELP", b"    Prints this help."]
    assert len(lines) == 21


def test_command_subcommand_errors(w):
    assert w.err("COMMAND", "FOO") == "ERR unknown subcommand 'FOO'. Try COMMAND HELP."
    assert w.err("COMMAND", "COUNT", "x") == \
        "ERR wrong number of arguments for 'command|count' command"
