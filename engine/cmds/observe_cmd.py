"""SLOWLOG, LATENCY and MONITOR."""
from engine.commands import Flag, command, container
from engine.errors import RedisError
from engine.parsing import to_int
from engine.replies import OK, Status, Verbatim

_ADMIN = {Flag.ADMIN, Flag.LOADING, Flag.STALE}
container("SLOWLOG", group="server", since="2.2.12",
          summary="A container for slow log commands")


@command("SLOWLOG GET", arity=-2, group="server", since="2.2.12", flags=_ADMIN,
         summary="Get the slow log's entries",
         complexity="O(N) where N is the number of entries returned",
         history=[("4.0.0", "Added client IP address, port and name to the reply.")],
         tips=["request_policy:all_nodes", "nondeterministic_output"])
def cmd_slowlog_get(c, *count):
    """SLOWLOG GET [count]"""
    if len(count) > 1:
        raise RedisError("ERR unknown subcommand or wrong number of arguments for "
                         f"'{c.argv[1].decode('utf-8', 'replace')}'. Try SLOWLOG HELP.")
    n = 10
    if count:
        n = to_int(count[0])
        if n is None or n < -1:
            raise RedisError("ERR count should be greater than or equal to -1")
    entries = c.engine.slowlog.entries
    if n == -1:
        n = len(entries)
    return [list(e) for e in list(entries)[:n]]


@command("SLOWLOG LEN", arity=2, group="server", since="2.2.12", flags=_ADMIN,
         summary="Get the slow log's length", complexity="O(1)",
         tips=["request_policy:all_nodes",
               "response_policy:agg_sum",
               "nondeterministic_output"])
def cmd_slowlog_len(c):
    """SLOWLOG LEN"""
    return len(c.engine.slowlog.entries)


@command("SLOWLOG RESET", arity=2, group="server", since="2.2.12", flags=_ADMIN,
         summary="Clear all entries from the slow log",
         complexity="O(N) where N is the number of entries in the slowlog",
         tips=["request_policy:all_nodes", "response_policy:all_succeeded"])
def cmd_slowlog_reset(c):
    """SLOWLOG RESET"""
    c.engine.slowlog.entries.clear()
    return OK


@command("SLOWLOG HELP", arity=2, group="server", since="6.2.0", flags={Flag.LOADING,
                                                                       Flag.STALE},
         summary="Show helpful text about the different subcommands", complexity="O(1)")
def cmd_slowlog_help(c):
    """SLOWLOG HELP"""
    return [Status(x) for x in (
        b"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        b"GET [<count>]",
        b"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        b"    Entries are made of:",
        b"    id, timestamp, time in microseconds, arguments array, client IP and port,",
        b"    client name",
        b"LEN",
        b"    Return the length of the slowlog.",
        b"RESET",
        b"    Reset the slowlog.",
        b"HELP",
        b"    Prints this help.")]


_LATENCY = _ADMIN | {Flag.NOSCRIPT}
container("LATENCY", group="server", since="2.8.13",
          summary="A container for latency diagnostics commands")


@command("LATENCY LATEST", arity=2, group="server", since="2.8.13", flags=_LATENCY,
         summary="Return the latest latency samples for all events.",
         complexity="O(1)",
         tips=["nondeterministic_output",
               "request_policy:all_nodes",
               "response_policy:special"])
def cmd_latency_latest(c):
    """LATENCY LATEST"""
    out = []
    for name, ev in c.engine.latency.events.items():
        ts, ms = ev["history"][-1]
        out.append([name.encode(), ts, ms, ev["max"]])
    return out


@command("LATENCY HISTORY", arity=3, group="server", since="2.8.13", flags=_LATENCY,
         summary="Return timestamp-latency samples for the event.",
         complexity="O(1)",
         tips=["nondeterministic_output",
               "request_policy:all_nodes",
               "response_policy:special"])
def cmd_latency_history(c, event):
    """LATENCY HISTORY event"""
    ev = c.engine.latency.events.get(event.decode("utf-8", "replace"))
    return [[ts, ms] for ts, ms in ev["history"]] if ev else []


@command("LATENCY RESET", arity=-2, group="server", since="2.8.13", flags=_LATENCY,
         summary="Reset latency data for one or more events.", complexity="O(1)",
         tips=["request_policy:all_nodes", "response_policy:all_succeeded"])
def cmd_latency_reset(c, *events):
    """LATENCY RESET [event [event ...]]"""
    return c.engine.latency.reset([e.decode("utf-8", "replace") for e in events])


@command("LATENCY GRAPH", arity=3, group="server", since="2.8.13", flags=_LATENCY,
         summary="Return a latency graph for the event.", complexity="O(1)",
         tips=["nondeterministic_output",
               "request_policy:all_nodes",
               "response_policy:special"])
def cmd_latency_graph(c, event):
    """LATENCY GRAPH event"""
    name = event.decode("utf-8", "replace")
    ev = c.engine.latency.events.get(name)
    if ev is None:
        raise RedisError(f"ERR No samples available for event '{name}'")
    samples = list(ev["history"])
    hi = max(ms for _, ms in samples) or 1
    lo = min(ms for _, ms in samples)
    rows = 4
    lines = [f"{name} - high {hi} ms, low {lo} ms (all time high {ev['max']} ms)",
             "-" * 80]
    for level in range(rows, 0, -1):
        lines.append("".join("#" if ms * rows >= level * hi else " " for _, ms in samples))
    return Verbatim(("\n".join(lines) + "\n").encode())


@command("LATENCY DOCTOR", arity=2, group="server", since="2.8.13", flags=_LATENCY,
         summary="Return a human readable latency analysis report.", complexity="O(1)",
         tips=["nondeterministic_output",
               "request_policy:all_nodes",
               "response_policy:special"])
def cmd_latency_doctor(c):
    """LATENCY DOCTOR"""
    eng = c.engine
    if not eng.latency_threshold:
        return Verbatim(
            b"I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
            b"instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" "
            b"in order to enable it. If we weren't in a deep space mission I'd suggest to "
            b"take a look at https://redis.io/topics/latency-monitor.\n")
    if not eng.latency.events:
        return Verbatim(b"Dave, no latency spike was observed during the lifetime of this "
                        b"Redis instance, not in the slightest bit. I honestly think you ought "
                        b"to sleep tonight.\n")
    lines = ["Dave, I have observed latency spikes in this Redis instance. You don't mind "
             "talking about it, do you Dave?", ""]
    for i, (name, ev) in enumerate(eng.latency.events.items(), 1):
        samples = [ms for _, ms in ev["history"]]
        avg = sum(samples) // len(samples)
        lines.append(f"{i}. {name}: {len(samples)} latency spikes (average {avg}ms, "
                     f"mean deviation 0ms, period 0 sec). Worst all time event "
                     f"{ev['max']}ms.")
    lines += ["", "I have a few advices for you:", "",
              "- Check your SLOWLOG and the commands in the 'command' event: slow commands "
              "(O(N) over big keys, KEYS, big SORT/ZUNIONSTORE) block the server."]
    return Verbatim(("\n".join(lines) + "\n").encode())


@command("LATENCY HISTOGRAM", arity=-2, group="server", since="7.0.0", flags=_LATENCY,
         summary="Return the cumulative distribution of latencies of a subset of commands or "
                 "all.", complexity="O(N) where N is the number of commands with latency "
                                             "information being retrieved.",
         tips=["nondeterministic_output",
               "request_policy:all_nodes",
               "response_policy:special"])
def cmd_latency_histogram(c, *names):
    """LATENCY HISTOGRAM [command [command ...]]"""
    from engine.commands import TABLE
    eng = c.engine
    wanted = None
    if names:
        wanted = set()
        for n in names:
            spec = TABLE.get(n.lower())
            if spec is not None:
                wanted.add(spec)
                wanted.update(spec.subcommands.values())
    out = {}
    for spec, hist in eng.cmd_hist.items():
        if hist.count and (wanted is None or spec in wanted):
            out[spec.name.encode()] = {b"calls": hist.count,
                                       b"histogram_usec": hist.cumulative()}
    return out


@command("LATENCY HELP", arity=2, group="server", since="2.8.13",
         flags={Flag.LOADING, Flag.STALE},
         summary="Show helpful text about the different subcommands.", complexity="O(1)")
def cmd_latency_help(c):
    """LATENCY HELP"""
    return [Status(x) for x in (
        b"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        b"DOCTOR",
        b"    Return a human readable latency analysis report.",
        b"GRAPH <event>",
        b"    Return an ASCII latency graph for the <event> class.",
        b"HISTORY <event>",
        b"    Return time-latency samples for the <event> class.",
        b"LATEST",
        b"    Return the latest latency samples for all events.",
        b"RESET [<event> ...]",
        b"    Reset latency data of one or more <event> classes.",
        b"    (default: reset all data for all event classes)",
        b"HISTOGRAM [COMMAND ...]",
        b"    Return a cumulative distribution of latencies in the format of a histogram for "
        b"the specified command names.",
        b"    If no commands are specified then all histograms are replied.",
        b"HELP",
        b"    Prints this help.")]


@command("MONITOR", arity=1, group="server", since="1.0.0",
         flags={Flag.ADMIN, Flag.NOSCRIPT, Flag.LOADING, Flag.STALE},
         summary="Listen for all requests received by the server in real time",
         complexity="")
def cmd_monitor(c):
    """MONITOR"""
    if c not in c.engine.monitors:
        c.flags.add("O")
        c.engine.monitors.append(c)
    return OK
