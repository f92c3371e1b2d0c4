"""CLIENT subcommands."""
from engine.commands import Acl, container
from engine.errors import RedisError

container("CLIENT", group="connection", since="2.4.0",
          summary="A container for client connection commands.")
CONN = {Acl.CONNECTION}


def validate_name(name: bytes):
    if any(ch <= 32 or ch > 126 for ch in name):
        raise RedisError("ERR Client names cannot contain spaces, newlines or special "
                         "characters.")
