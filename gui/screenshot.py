"""``keyscope --screenshot DIR``: load the sample dataset through a real connection, drive
a little traffic so the charts move, then render the window with each panel in front and
each panel alone to PNG files."""
from __future__ import annotations

import asyncio
import os

from .respcli import AsyncRedisConnection
from .sample import load_commands, sample_commands

SHOWCASE_KEY = b"user:3:profile"


async def take_screenshots(window, out_dir: str, load_seconds: float = 4.0) -> list[str]:
    os.makedirs(out_dir, exist_ok=True)
    host, port = window.source.address()
    conn = AsyncRedisConnection(host, port)
    await conn.connect()
    for cmd in sample_commands():
        await conn.execute(*cmd)           # an unknown command's error just skips it
    # a little traffic for the charts, paced over a few sampling intervals
    loop = asyncio.get_running_loop()
    end = loop.time() + load_seconds
    batch = load_commands()
    while loop.time() < end:
        await asyncio.gather(*(conn.execute(*c) for c in batch))
        await asyncio.sleep(0.05)
    await _settle(window)
    key = SHOWCASE_KEY if window.source.exists(0, SHOWCASE_KEY) else b"user:3:session"
    window.tree.reveal(key)
    await asyncio.sleep(0.3)
    window.console.run_line("HGETALL user:3:profile" if key == SHOWCASE_KEY
                            else "GET user:3:session")
    window.console.run_line("TTL user:3:session")
    window.console.run_line("INFO keyspace")
    await asyncio.sleep(0.3)
    conn.close()
    saved = []

    def save(widget, name):
        path = os.path.join(out_dir, name)
        widget.grab().save(path)
        saved.append(path)

    save(window, "keyscope-key.png")
    save(window.tree, "panel-tree.png")
    save(window.keyview, "panel-key.png")
    for name, widget in (("overview", window.overview), ("console", window.console),
                         *((n.lower(), w) for n, w in window.placeholders.items())):
        window.show_tab(widget)
        await asyncio.sleep(0.2)
        if name == "overview":
            widget.redraw()
        save(window, f"keyscope-{name}.png")
        save(widget, f"panel-{name}.png")
    return saved


async def _settle(window, timeout: float = 5.0):
    """Wait until the tree has indexed everything (it builds in slices)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end and (window.tree.model.building or
                                 len(window.tree.model.ns) != window.source.dbsize(0)):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
