"""On-disk formats shared with real Redis 7.0 (RDB v10, DUMP payloads, AOF)."""
