"""RESP codec, asyncio protocol and server loop for keyscope-server."""
