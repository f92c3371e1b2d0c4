"""keyscope's data store: pure Python, no sockets, no asyncio, no Qt."""
from .engine import Engine, VERSION, REDIS_VERSION  # noqa: F401
from .config import Config  # noqa: F401
