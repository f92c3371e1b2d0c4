"""Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, (S)PUBLISH, PUBSUB."""
from engine.commands import KS, Acl, Flag, KeySpec, command, container
from engine.glob import glob_match
from engine.replies import Multi, Push

PS = {Acl.PUBSUB}
_SUB_FLAGS = {Flag.PUBSUB, Flag.NOSCRIPT, Flag.LOADING, Flag.STALE}

# kind (Client attribute / registry name) -> (subscribe word, unsubscribe word)
WORDS = {"channels": (b"subscribe", b"unsubscribe"),
         "patterns": (b"psubscribe", b"punsubscribe"),
         "shard_channels": (b"ssubscribe", b"sunsubscribe")}


def _subscribe(c, kind, names):
    ps = c.engine.pubsub
    word = WORDS[kind][0]
    out = Multi()
    for name in names:
        ps.subscribe(c, kind, name)
        count = len(getattr(c, kind)) if kind == "shard_channels" else (
            len(c.channels or ()) + len(c.patterns or ()))
        out.append(Push([word, name, count]))
    return out


def _unsubscribe(c, kind, names):
    ps = c.engine.pubsub
    word = WORDS[kind][1]
    own = getattr(c, kind)
    if not names:
        names = list(own or ())
        if not names:
            return Push([word, None, _count(c, kind)])
    out = Multi()
    for name in names:
        ps.unsubscribe(c, kind, name)
        out.append(Push([word, name, _count(c, kind)]))
    return out


def _count(c, kind):
    if kind == "shard_channels":
        return len(c.shard_channels or ())
    return len(c.channels or ()) + len(c.patterns or ())


@command("SUBSCRIBE", arity=-2, group="pubsub", since="2.0.0", flags=_SUB_FLAGS, acl=PS,
         summary="Listen for messages published to the given channels",
         complexity="O(N) where N is the number of channels to subscribe to.")
def cmd_subscribe(c, *channels):
    """SUBSCRIBE channel [channel ...]"""
    return _subscribe(c, "channels", channels)


@command("PSUBSCRIBE", arity=-2, group="pubsub", since="2.0.0", flags=_SUB_FLAGS, acl=PS,
         summary="Listen for messages published to channels matching the given patterns",
         complexity="O(N) where N is the number of patterns the client is already subscribed "
                    "to.")
def cmd_psubscribe(c, *patterns):
    """PSUBSCRIBE pattern [pattern ...]"""
    return _subscribe(c, "patterns", patterns)


@command("SSUBSCRIBE", arity=-2, group="pubsub", since="7.0.0", flags=_SUB_FLAGS, acl=PS,
         keys=[KeySpec(1, last=-1, flags={KS.NOT_KEY})],
         summary="Listen for messages published to the given shard channels",
         complexity="O(N) where N is the number of shard channels to subscribe to.")
def cmd_ssubscribe(c, *channels):
    """SSUBSCRIBE shardchannel [shardchannel ...]"""
    return _subscribe(c, "shard_channels", channels)


@command("UNSUBSCRIBE", arity=-1, group="pubsub", since="2.0.0", flags=_SUB_FLAGS, acl=PS,
         summary="Stop listening for messages posted to the given channels",
         complexity="O(N) where N is the number of clients already subscribed to a channel.")
def cmd_unsubscribe(c, *channels):
    """UNSUBSCRIBE [channel [channel ...]]"""
    return _unsubscribe(c, "channels", channels)


@command("PUNSUBSCRIBE", arity=-1, group="pubsub", since="2.0.0", flags=_SUB_FLAGS, acl=PS,
         summary="Stop listening for messages posted to channels matching the given patterns",
         complexity="O(N+M) where N is the number of patterns the client is already "
                    "subscribed and M is the number of total patterns subscribed in the "
                    "system (by any client).")
def cmd_punsubscribe(c, *patterns):
    """PUNSUBSCRIBE [pattern [pattern ...]]"""
    return _unsubscribe(c, "patterns", patterns)


@command("SUNSUBSCRIBE", arity=-1, group="pubsub", since="7.0.0", flags=_SUB_FLAGS, acl=PS,
         keys=[KeySpec(1, last=-1, flags={KS.NOT_KEY})],
         summary="Stop listening for messages posted to the given shard channels",
         complexity="O(N) where N is the number of clients already subscribed to a shard "
                    "channel.")
def cmd_sunsubscribe(c, *channels):
    """SUNSUBSCRIBE [shardchannel [shardchannel ...]]"""
    return _unsubscribe(c, "shard_channels", channels)


@command("PUBLISH", arity=3, group="pubsub", since="2.0.0",
         flags={Flag.PUBSUB, Flag.LOADING, Flag.STALE, Flag.FAST, Flag.MAY_REPLICATE}, acl=PS,
         summary="Post a message to a channel",
         complexity="O(N+M) where N is the number of clients subscribed to the receiving "
                    "channel and M is the total number of subscribed patterns (by any client).")
def cmd_publish(c, channel, message):
    """PUBLISH channel message"""
    return c.engine.pubsub.publish(channel, message)


@command("SPUBLISH", arity=3, group="pubsub", since="7.0.0",
         flags={Flag.PUBSUB, Flag.LOADING, Flag.STALE, Flag.FAST, Flag.MAY_REPLICATE}, acl=PS,
         keys=[KeySpec(1, flags={KS.NOT_KEY})],
         summary="Post a message to a shard channel",
         complexity="O(N) where N is the number of clients subscribed to the receiving shard "
                    "channel.")
def cmd_spublish(c, channel, message):
    """SPUBLISH shardchannel message"""
    return c.engine.pubsub.publish(channel, message, sharded=True)


container("PUBSUB", group="pubsub", since="2.8.0",
          summary="A container for Pub/Sub commands")
_INTRO = {Flag.PUBSUB, Flag.LOADING, Flag.STALE}


def _names(registry, pattern):
    return [ch for ch in registry if pattern is None or glob_match(pattern, ch)]


@command("PUBSUB CHANNELS", arity=-2, group="pubsub", since="2.8.0", flags=_INTRO, acl=PS,
         summary="List active channels",
         complexity="O(N) where N is the number of active channels, and assuming constant "
                    "time pattern matching (relatively short channels and patterns)")
def cmd_pubsub_channels(c, *pattern):
    """PUBSUB CHANNELS [pattern]"""
    from engine.errors import WrongArity
    if len(pattern) > 1:
        raise WrongArity("pubsub|channels")
    return _names(c.engine.pubsub.channels, pattern[0] if pattern else None)


@command("PUBSUB SHARDCHANNELS", arity=-2, group="pubsub", since="7.0.0", flags=_INTRO,
         acl=PS, summary="List active shard channels",
         complexity="O(N) where N is the number of active shard channels, and assuming "
                    "constant time pattern matching (relatively short shard channels).")
def cmd_pubsub_shardchannels(c, *pattern):
    """PUBSUB SHARDCHANNELS [pattern]"""
    from engine.errors import WrongArity
    if len(pattern) > 1:
        raise WrongArity("pubsub|shardchannels")
    return _names(c.engine.pubsub.shard_channels, pattern[0] if pattern else None)


@command("PUBSUB NUMSUB", arity=-2, group="pubsub", since="2.8.0", flags=_INTRO, acl=PS,
         summary="Get the count of subscribers for channels",
         complexity="O(N) for the NUMSUB subcommand, where N is the number of requested "
                    "channels")
def cmd_pubsub_numsub(c, *channels):
    """PUBSUB NUMSUB [channel [channel ...]]"""
    reg = c.engine.pubsub.channels
    out = []
    for ch in channels:
        out += [ch, len(reg.get(ch, ()))]
    return out


@command("PUBSUB SHARDNUMSUB", arity=-2, group="pubsub", since="7.0.0", flags=_INTRO, acl=PS,
         summary="Get the count of subscribers for shard channels",
         complexity="O(N) for the SHARDNUMSUB subcommand, where N is the number of requested "
                    "shard channels")
def cmd_pubsub_shardnumsub(c, *channels):
    """PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]"""
    reg = c.engine.pubsub.shard_channels
    out = []
    for ch in channels:
        out += [ch, len(reg.get(ch, ()))]
    return out


@command("PUBSUB NUMPAT", arity=2, group="pubsub", since="2.8.0", flags=_INTRO, acl=PS,
         summary="Get the count of unique patterns pattern subscriptions", complexity="O(1)")
def cmd_pubsub_numpat(c):
    """PUBSUB NUMPAT"""
    return len(c.engine.pubsub.patterns)


_HELP = [
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
]


@command("PUBSUB HELP", arity=2, group="pubsub", since="6.2.0",
         flags={Flag.LOADING, Flag.STALE},
         summary="Show helpful text about the different subcommands", complexity="O(1)")
def cmd_pubsub_help(c):
    """PUBSUB HELP"""
    from engine.replies import Status
    return [Status(x.encode()) for x in _HELP]
