"""COMMAND DOCS arguments of every Redis 7.0.15 command, in engine.argspec's syntax.

Imported once from redis-server 7.0.15's COMMAND DOCS and kept here as plain data (the
argument trees of Redis's src/commands/*.json).  A command that declares ``arguments=``
in its decorator uses that instead.  Commands keyscope does not implement are listed too,
so that whoever adds one gets its documentation with it.
"""

ARGS = {
    'acl|cat': '[categoryname]',
    'acl|deluser': 'username...',
    'acl|dryrun': 'username command [arg...]',
    'acl|genpass': '[bits:integer]',
    'acl|getuser': 'username',
    'acl|log': '[operation{count:integer | RESET}]',
    'acl|setuser': 'username [rule...]',
    'append': 'key:key value',
    'auth': '[username]@6.0.0 password',
    'bgsave': '[SCHEDULE]@3.2.2',
    'bitcount': 'key:key [index(start:integer end:integer [index_unit{BYTE | BIT}]@7.0.0)]',
    'bitfield': (
        'key:key [operation{GET encoding_offset(encoding offset:integer) | write([OVERFLOW '
        'wrap_sat_fail{WRAP | SAT | FAIL}] write_operation{SET '
        'encoding_offset_value(encoding offset:integer value:integer) | INCRBY '
        'encoding_offset_increment(encoding offset:integer increment:integer)})}...]'),
    'bitfield_ro': 'key:key [GET encoding_offset(encoding offset:integer)]...',
    'bitop': 'operation destkey:key key:key#1...',
    'bitpos': (
        'key:key bit:integer '
        '[index(start:integer [end_index(end:integer [index_unit{BYTE | BIT}]@7.0.0)])]'),
    'blmove': (
        'source:key destination:key#1 wherefrom{LEFT | RIGHT} whereto{LEFT | RIGHT} '
        'timeout:double'),
    'blmpop': (
        'timeout:double numkeys:integer key:key... where{LEFT | RIGHT} [COUNT count:integer]'),
    'blpop': 'key:key... timeout:double',
    'brpop': 'key:key... timeout:double',
    'brpoplpush': 'source:key destination:key#1 timeout:double',
    'bzmpop': (
        'timeout:double numkeys:integer key:key... where{MIN | MAX} [COUNT count:integer]'),
    'bzpopmax': 'key:key... timeout:double',
    'bzpopmin': 'key:key... timeout:double',
    'client|caching': 'mode{YES | NO}',
    'client|kill': (
        "filter{'ip:port'!2.8.12 | new-format{[ID client-id:integer]@2.8.12 | [TYPE "
        'normal_master_slave_pubsub{NORMAL | MASTER@3.2.0 | SLAVE | REPLICA@5.0.0 | '
        "PUBSUB}]@2.8.12 | [USER username] | [ADDR 'ip:port'] | [LADDR 'ip:port']@6.2.0 | "
        "[SKIPME 'yes/no']}...}"),
    'client|list': (
        '[TYPE normal_master_replica_pubsub{NORMAL | MASTER | REPLICA | PUBSUB}]@5.0.0 '
        '[ID id(client-id:integer...)]@6.2.0'),
    'client|no-evict': 'enabled{ON | OFF}',
    'client|pause': 'timeout:integer [mode{WRITE | ALL}]@6.2.0',
    'client|reply': 'on_off_skip{ON | OFF | SKIP}',
    'client|setname': 'connection-name',
    'client|tracking': (
        'status{ON | OFF} [REDIRECT client-id:integer] [PREFIX prefix]... [BCAST] [OPTIN] '
        '[OPTOUT] [NOLOOP]'),
    'client|unblock': 'client-id:integer [timeout_error{TIMEOUT | ERROR}]',
    'cluster|addslots': 'slot:integer...',
    'cluster|addslotsrange': 'start-slot_end-slot(start-slot:integer end-slot:integer)...',
    'cluster|count-failure-reports': 'node-id',
    'cluster|countkeysinslot': 'slot:integer',
    'cluster|delslots': 'slot:integer...',
    'cluster|delslotsrange': 'start-slot_end-slot(start-slot:integer end-slot:integer)...',
    'cluster|failover': '[options{FORCE | TAKEOVER}]',
    'cluster|forget': 'node-id',
    'cluster|getkeysinslot': 'slot:integer count:integer',
    'cluster|keyslot': 'key',
    'cluster|meet': 'ip port:integer [cluster_bus_port:integer]@4.0.0',
    'cluster|replicas': 'node-id',
    'cluster|replicate': 'node-id',
    'cluster|reset': '[hard_soft{HARD | SOFT}]',
    'cluster|set-config-epoch': 'config-epoch:integer',
    'cluster|setslot': (
        'slot:integer '
        'subcommand{IMPORTING node-id | MIGRATING node-id | NODE node-id | STABLE}'),
    'cluster|slaves': 'node-id',
    'command|docs': '[command-name...]',
    'command|info': '[command-name...]',
    'command|list': (
        '[FILTERBY filterby{MODULE module-name | ACLCAT category | PATTERN pattern:pattern}]'),
    'config|get': 'parameter(parameter)...',
    'config|set': 'parameter_value(parameter value)...',
    'copy': 'source:key destination:key#1 [DB destination-db:integer] [REPLACE]',
    'decr': 'key:key',
    'decrby': 'key:key decrement:integer',
    'del': 'key:key...',
    'dump': 'key:key',
    'echo': 'message',
    'eval': 'script numkeys:integer [key:key...] [arg...]',
    'eval_ro': 'script numkeys:integer [key:key...] [arg...]',
    'evalsha': 'sha1 numkeys:integer [key:key...] [arg...]',
    'evalsha_ro': 'sha1 numkeys:integer [key:key...] [arg...]',
    'exists': 'key:key...',
    'expire': 'key:key seconds:integer [condition{NX | XX | GT | LT}]@7.0.0',
    'expireat': 'key:key unix-time-seconds:unix-time [condition{NX | XX | GT | LT}]@7.0.0',
    'expiretime': 'key:key',
    'failover': (
        '[TO target(host port:integer [FORCE])] [ABORT] [TIMEOUT milliseconds:integer]'),
    'fcall': 'function numkeys:integer [key:key...] [arg...]',
    'fcall_ro': 'function numkeys:integer [key:key...] [arg...]',
    'flushall': '[async{ASYNC@4.0.0 | SYNC@6.2.0}]',
    'flushdb': '[async{ASYNC@4.0.0 | SYNC@6.2.0}]',
    'function|delete': 'library-name',
    'function|flush': '[async{ASYNC | SYNC}]',
    'function|list': '[LIBRARYNAME library-name-pattern] [WITHCODE]',
    'function|load': '[REPLACE] function-code',
    'function|restore': 'serialized-value [policy{FLUSH | APPEND | REPLACE}]',
    'geoadd': (
        'key:key [condition{NX | XX}]@6.2.0 [change=CH]@6.2.0 '
        'longitude_latitude_member(longitude:double latitude:double member)...'),
    'geodist': 'key:key member1 member2 [unit{M | KM | FT | MI}]',
    'geohash': 'key:key member...',
    'geopos': 'key:key member...',
    'georadius': (
        'key:key longitude:double latitude:double radius:double unit{M | KM | FT | MI} '
        '[WITHCOORD] [WITHDIST] [WITHHASH] [count(COUNT count:integer [ANY]@6.2.0)] '
        '[order{ASC | DESC}] [STORE key:key#1] [STOREDIST key:key#2]'),
    'georadius_ro': (
        'key:key longitude:double latitude:double radius:double unit{M | KM | FT | MI} '
        '[WITHCOORD] [WITHDIST] [WITHHASH] [count(COUNT count:integer [ANY]@6.2.0)] '
        '[order{ASC | DESC}]'),
    'georadiusbymember': (
        'key:key member radius:double unit{M | KM | FT | MI} [WITHCOORD] [WITHDIST] '
        '[WITHHASH] [count(COUNT count:integer [ANY])] [order{ASC | DESC}] [STORE key:key#1] '
        '[STOREDIST key:key#2]'),
    'georadiusbymember_ro': (
        'key:key member radius:double unit{M | KM | FT | MI} [WITHCOORD] [WITHDIST] '
        '[WITHHASH] [count(COUNT count:integer [ANY])] [order{ASC | DESC}]'),
    'geosearch': (
        'key:key from{FROMMEMBER member | FROMLONLAT '
        'longitude_latitude(longitude:double latitude:double)} '
        'by{circle(BYRADIUS radius:double unit{M | KM | FT | MI}) | '
        'box(BYBOX width:double height:double unit{M | KM | FT | MI})} [order{ASC | DESC}] '
        '[count(COUNT count:integer [ANY])] [WITHCOORD] [WITHDIST] [WITHHASH]'),
    'geosearchstore': (
        'destination:key source:key#1 from{FROMMEMBER member | FROMLONLAT '
        'longitude_latitude(longitude:double latitude:double)} '
        'by{circle(BYRADIUS radius:double unit{M | KM | FT | MI}) | '
        'box(BYBOX width:double height:double unit{M | KM | FT | MI})} [order{ASC | DESC}] '
        '[count(COUNT count:integer [ANY])] [STOREDIST]'),
    'get': 'key:key',
    'getbit': 'key:key offset:integer',
    'getdel': 'key:key',
    'getex': (
        'key:key [expiration{EX seconds:integer | PX milliseconds:integer | EXAT '
        'unix-time-seconds:unix-time | PXAT unix-time-milliseconds:unix-time | PERSIST}]'),
    'getrange': 'key:key start:integer end:integer',
    'getset': 'key:key value',
    'hdel': 'key:key field...',
    'hello': (
        '[arguments(protover:integer [AUTH username_password(username password)] '
        '[SETNAME clientname])]'),
    'hexists': 'key:key field',
    'hget': 'key:key field',
    'hgetall': 'key:key',
    'hincrby': 'key:key field increment:integer',
    'hincrbyfloat': 'key:key field increment:double',
    'hkeys': 'key:key',
    'hlen': 'key:key',
    'hmget': 'key:key field...',
    'hmset': 'key:key field_value(field value)...',
    'hrandfield': 'key:key [options(count:integer [WITHVALUES])]',
    'hscan': 'key:key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]',
    'hset': 'key:key field_value(field value)...',
    'hsetnx': 'key:key field value',
    'hstrlen': 'key:key field',
    'hvals': 'key:key',
    'incr': 'key:key',
    'incrby': 'key:key increment:integer',
    'incrbyfloat': 'key:key increment:double',
    'info': '[section...]',
    'keys': 'pattern:pattern',
    'latency|graph': 'event',
    'latency|histogram': '[command...]',
    'latency|history': 'event',
    'latency|reset': '[event...]',
    'lcs': 'key1:key key2:key [LEN] [IDX] [MINMATCHLEN len:integer] [WITHMATCHLEN]',
    'lindex': 'key:key index:integer',
    'linsert': 'key:key where{BEFORE | AFTER} pivot element',
    'llen': 'key:key',
    'lmove': 'source:key destination:key#1 wherefrom{LEFT | RIGHT} whereto{LEFT | RIGHT}',
    'lmpop': 'numkeys:integer key:key... where{LEFT | RIGHT} [COUNT count:integer]',
    'lolwut': '[VERSION version:integer]',
    'lpop': 'key:key [count:integer]@6.2.0',
    'lpos': (
        'key:key element [RANK rank:integer] [COUNT num-matches:integer] '
        '[MAXLEN len:integer]'),
    'lpush': 'key:key element...',
    'lpushx': 'key:key element...',
    'lrange': 'key:key start:integer stop:integer',
    'lrem': 'key:key count:integer element',
    'lset': 'key:key index:integer element',
    'ltrim': 'key:key start:integer stop:integer',
    'memory|usage': 'key:key [SAMPLES count:integer]',
    'mget': 'key:key...',
    'migrate': (
        'host port:integer key_or_empty_string{key:key | empty_string=""} '
        'destination-db:integer timeout:integer [COPY]@3.0.0 [REPLACE]@3.0.0 '
        '[authentication{[AUTH password]@4.0.7 | '
        '[AUTH2 username_password(username password)]@6.0.0}] [KEYS key:key#1...]@3.0.6'),
    'module|load': 'path [arg...]',
    'module|loadex': 'path [CONFIG configs(name value)]... [ARGS args(arg)...]',
    'module|unload': 'name',
    'move': 'key:key db:integer',
    'mset': 'key_value(key:key value)...',
    'msetnx': 'key_value(key:key value)...',
    'object|encoding': 'key:key',
    'object|freq': 'key:key',
    'object|idletime': 'key:key',
    'object|refcount': 'key:key',
    'persist': 'key:key',
    'pexpire': 'key:key milliseconds:integer [condition{NX | XX | GT | LT}]@7.0.0',
    'pexpireat': (
        'key:key unix-time-milliseconds:unix-time [condition{NX | XX | GT | LT}]@7.0.0'),
    'pexpiretime': 'key:key',
    'pfadd': 'key:key [element...]',
    'pfcount': 'key:key...',
    'pfdebug': 'subcommand key:key',
    'pfmerge': 'destkey:key sourcekey:key#1...',
    'ping': '[message]',
    'psetex': 'key:key milliseconds:integer value',
    'psubscribe': 'pattern(pattern:pattern)...',
    'psync': 'replicationid offset:integer',
    'pttl': 'key:key',
    'publish': 'channel message',
    'pubsub|channels': '[pattern:pattern]',
    'pubsub|numsub': '[channel...]',
    'pubsub|shardchannels': '[pattern:pattern]',
    'pubsub|shardnumsub': '[shardchannel...]',
    'punsubscribe': '[pattern:pattern...]',
    'rename': 'key:key newkey:key#1',
    'renamenx': 'key:key newkey:key#1',
    'replicaof': 'args{host-port(host port:integer) | no-one(NO ONE)}',
    'restore': (
        'key:key ttl:integer serialized-value [REPLACE]@3.0.0 [ABSTTL]@5.0.0 '
        '[IDLETIME seconds:integer]@5.0.0 [FREQ frequency:integer]@5.0.0'),
    'restore-asking': (
        'key:key ttl:integer serialized-value [REPLACE]@3.0.0 [ABSTTL]@5.0.0 '
        '[IDLETIME seconds:integer]@5.0.0 [FREQ frequency:integer]@5.0.0'),
    'rpop': 'key:key [count:integer]@6.2.0',
    'rpoplpush': 'source:key destination:key#1',
    'rpush': 'key:key element...',
    'rpushx': 'key:key element...',
    'sadd': 'key:key member...',
    'scan': 'cursor:integer [MATCH pattern:pattern] [COUNT count:integer] [TYPE type]@6.0.0',
    'scard': 'key:key',
    'script|debug': 'mode{YES | SYNC | NO}',
    'script|exists': 'sha1...',
    'script|flush': '[async{ASYNC | SYNC}]@6.2.0',
    'script|load': 'script',
    'sdiff': 'key:key...',
    'sdiffstore': 'destination:key key:key#1...',
    'select': 'index:integer',
    'set': (
        'key:key value [condition{NX | XX}]@2.6.12 [GET]@6.2.0 [expiration{EX '
        'seconds:integer@2.6.12 | PX milliseconds:integer@2.6.12 | EXAT '
        'unix-time-seconds:unix-time@6.2.0 | PXAT unix-time-milliseconds:unix-time@6.2.0 | '
        'KEEPTTL@6.0.0}]'),
    'setbit': 'key:key offset:integer value:integer',
    'setex': 'key:key seconds:integer value',
    'setnx': 'key:key value',
    'setrange': 'key:key offset:integer value',
    'shutdown': '[nosave_save{NOSAVE | SAVE}] [NOW]@7.0.0 [FORCE]@7.0.0 [ABORT]@7.0.0',
    'sinter': 'key:key...',
    'sintercard': 'numkeys:integer key:key... [LIMIT limit:integer]',
    'sinterstore': 'destination:key key:key#1...',
    'sismember': 'key:key member',
    'slaveof': 'args{host-port(host port:integer) | no-one(NO ONE)}',
    'slowlog|get': '[count:integer]',
    'smembers': 'key:key',
    'smismember': 'key:key member...',
    'smove': 'source:key destination:key#1 member',
    'sort': (
        'key:key [BY pattern:pattern#1] [LIMIT offset_count(offset:integer count:integer)] '
        '[GET pattern:pattern#1]... [order{ASC | DESC}] [sorting=ALPHA] '
        '[STORE destination:key#2]'),
    'sort_ro': (
        'key:key [BY pattern:pattern#1] [LIMIT offset_count(offset:integer count:integer)] '
        '[GET pattern:pattern#1]... [order{ASC | DESC}] [sorting=ALPHA]'),
    'spop': 'key:key [count:integer]@3.2.0',
    'spublish': 'shardchannel message',
    'srandmember': 'key:key [count:integer]@2.6.0',
    'srem': 'key:key member...',
    'sscan': 'key:key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]',
    'ssubscribe': 'shardchannel...',
    'strlen': 'key:key',
    'subscribe': 'channel...',
    'substr': 'key:key start:integer end:integer',
    'sunion': 'key:key...',
    'sunionstore': 'destination:key key:key#1...',
    'sunsubscribe': '[shardchannel...]',
    'swapdb': 'index1:integer index2:integer',
    'touch': 'key:key...',
    'ttl': 'key:key',
    'type': 'key:key',
    'unlink': 'key:key...',
    'unsubscribe': '[channel...]',
    'wait': 'numreplicas:integer timeout:integer',
    'watch': 'key:key...',
    'xack': 'key:key group id...',
    'xadd': (
        'key:key [NOMKSTREAM]@6.2.0 [trim(strategy{MAXLEN | MINID@6.2.0} '
        '[operator{equal="=" | approximately="~"}] threshold [LIMIT count:integer]@6.2.0)] '
        'id_or_auto{auto_id="*" | id} field_value(field value)...'),
    'xautoclaim': 'key:key group consumer min-idle-time start [COUNT count:integer] [JUSTID]',
    'xclaim': (
        'key:key group consumer min-idle-time id... [IDLE ms:integer] '
        '[TIME unix-time-milliseconds:unix-time] [RETRYCOUNT count:integer] [FORCE] [JUSTID] '
        '[LASTID id]'),
    'xdel': 'key:key id...',
    'xgroup|create': (
        'key:key groupname id{id | new_id="$"} [MKSTREAM] [ENTRIESREAD entries_read:integer]'),
    'xgroup|createconsumer': 'key:key groupname consumername',
    'xgroup|delconsumer': 'key:key groupname consumername',
    'xgroup|destroy': 'key:key groupname',
    'xgroup|setid': 'key:key groupname id{id | new_id="$"} [ENTRIESREAD entries_read:integer]',
    'xinfo|consumers': 'key:key groupname',
    'xinfo|groups': 'key:key',
    'xinfo|stream': 'key:key [FULL full([COUNT count:integer])]',
    'xlen': 'key:key',
    'xpending': (
        'key:key group '
        '[filters([IDLE min-idle-time:integer]@6.2.0 start end count:integer [consumer])]'),
    'xrange': 'key:key start end [COUNT count:integer]',
    'xread': (
        '[COUNT count:integer] [BLOCK milliseconds:integer] STREAMS '
        'streams(key:key... id...)'),
    'xreadgroup': (
        'GROUP group_consumer(group consumer) [COUNT count:integer] '
        '[BLOCK milliseconds:integer] [NOACK] STREAMS streams(key:key... id...)'),
    'xrevrange': 'key:key end start [COUNT count:integer]',
    'xsetid': (
        'key:key last-id [ENTRIESADDED entries_added:integer]@7.0.0 '
        '[MAXDELETEDID max_deleted_entry_id]@7.0.0'),
    'xtrim': (
        'key:key trim(strategy{MAXLEN | MINID@6.2.0} '
        '[operator{equal="=" | approximately="~"}] threshold [LIMIT count:integer]@6.2.0)'),
    'zadd': (
        'key:key [condition{NX | XX}]@3.0.2 [comparison{GT | LT}]@6.2.0 [change=CH]@3.0.2 '
        '[increment=INCR]@3.0.2 score_member(score:double member)...'),
    'zcard': 'key:key',
    'zcount': 'key:key min:double max:double',
    'zdiff': 'numkeys:integer key:key... [WITHSCORES]',
    'zdiffstore': 'destination:key numkeys:integer key:key#1...',
    'zincrby': 'key:key increment:integer member',
    'zinter': (
        'numkeys:integer key:key... [WEIGHTS weight:integer...] '
        '[AGGREGATE aggregate{SUM | MIN | MAX}] [WITHSCORES]'),
    'zintercard': 'numkeys:integer key:key... [LIMIT limit:integer]',
    'zinterstore': (
        'destination:key numkeys:integer key:key#1... [WEIGHTS weight:integer...] '
        '[AGGREGATE aggregate{SUM | MIN | MAX}]'),
    'zlexcount': 'key:key min max',
    'zmpop': 'numkeys:integer key:key... where{MIN | MAX} [COUNT count:integer]',
    'zmscore': 'key:key member...',
    'zpopmax': 'key:key [count:integer]',
    'zpopmin': 'key:key [count:integer]',
    'zrandmember': 'key:key [options(count:integer [WITHSCORES])]',
    'zrange': (
        'key:key start stop [sortby{BYSCORE | BYLEX}]@6.2.0 [REV]@6.2.0 '
        '[LIMIT offset_count(offset:integer count:integer)]@6.2.0 [WITHSCORES]'),
    'zrangebylex': 'key:key min max [LIMIT offset_count(offset:integer count:integer)]',
    'zrangebyscore': (
        'key:key min:double max:double [WITHSCORES]@2.0.0 '
        '[LIMIT offset_count(offset:integer count:integer)]'),
    'zrangestore': (
        'dst:key src:key#1 min max [sortby{BYSCORE | BYLEX}] [REV] '
        '[LIMIT offset_count(offset:integer count:integer)]'),
    'zrank': 'key:key member',
    'zrem': 'key:key member...',
    'zremrangebylex': 'key:key min max',
    'zremrangebyrank': 'key:key start:integer stop:integer',
    'zremrangebyscore': 'key:key min:double max:double',
    'zrevrange': 'key:key start:integer stop:integer [WITHSCORES]',
    'zrevrangebylex': 'key:key max min [LIMIT offset_count(offset:integer count:integer)]',
    'zrevrangebyscore': (
        'key:key max:double min:double [WITHSCORES] '
        '[LIMIT offset_count(offset:integer count:integer)]'),
    'zrevrank': 'key:key member',
    'zscan': 'key:key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]',
    'zscore': 'key:key member',
    'zunion': (
        'numkeys:integer key:key... [WEIGHTS weight:integer...] '
        '[AGGREGATE aggregate{SUM | MIN | MAX}] [WITHSCORES]'),
    'zunionstore': (
        'destination:key numkeys:integer key:key#1... [WEIGHTS weight:integer...] '
        '[AGGREGATE aggregate{SUM | MIN | MAX}]'),
}
