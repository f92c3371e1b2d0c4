"""A small, realistic sample dataset (screenshots, demos): sent as ordinary commands, so
a type the server does not implement yet is simply skipped."""
from __future__ import annotations

import random


def sample_commands(seed: int = 7) -> list[list[bytes]]:
    rng = random.Random(seed)
    cmds: list[list[str]] = []
    names = ["ada", "grace", "linus", "guido", "barbara", "ken", "margaret", "dennis",
             "frances", "edsger", "donald", "radia", "john", "alan", "tim", "vint"]
    for i, name in enumerate(names, 1):
        cmds.append(["HSET", f"user:{i}:profile", "name", name, "email", f"{name}@example.com",
                     "plan", rng.choice(["free", "pro", "team"]), "visits", str(rng.randint(1, 900))])
        cmds.append(["SET", f"user:{i}:session", f"sess-{rng.getrandbits(64):016x}",
                     "EX", str(rng.randint(600, 7200))])
        cmds.append(["SADD", f"user:{i}:tags", *rng.sample(["redis", "python", "qt", "rust",
                                                            "go", "c", "ops", "ml"], 3)])
    for i in range(40):
        cmds.append(["SET", f"cache:page:/docs/{i}", f"<html><body>page {i}</body></html>",
                     "PX", str(rng.randint(30_000, 900_000))])
    for i in range(12):
        cmds.append(["SET", f"cache:api:v1:items:{i}", '{"id": %d, "price": %.2f}'
                     % (i, rng.uniform(1, 99))])
    cmds.append(["SET", "counter:visits", "184467"])
    cmds.append(["SET", "counter:signups", "4021"])
    cmds.append(["SET", "feature:dark-mode", "on"])
    cmds.append(["SET", "blob:thumbnail", bytes(rng.getrandbits(8) for _ in range(96))])
    cmds.append(["RPUSH", "queue:emails", *[f"job-{n}" for n in range(25)]])
    cmds.append(["ZADD", "leaderboard:weekly",
                 *[x for n in names for x in (str(rng.randint(10, 5000)), n)]])
    for n in range(8):
        cmds.append(["XADD", "events:signup", "*", "user", names[n], "source",
                     rng.choice(["web", "ios", "android"])])
    cmds.append(["SET", "config:maintenance", "off"])
    out = []
    for c in cmds:
        out.append([a if isinstance(a, bytes) else a.encode() for a in c])
    return out


def load_commands(seed: int = 11, n: int = 200) -> list[list[bytes]]:
    """A light mixed load for the charts: reads and writes on the sample keys."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        i = rng.randint(1, 16)
        r = rng.random()
        if r < 0.5:
            out.append([b"GET", b"user:%d:session" % i])
        elif r < 0.7:
            out.append([b"INCR", b"counter:visits"])
        elif r < 0.9:
            out.append([b"HGET", b"user:%d:profile" % i, b"name"])
        else:
            out.append([b"SET", b"cache:page:/docs/%d" % rng.randint(0, 60), b"<html/>",
                        b"EX", b"300"])
    return out
