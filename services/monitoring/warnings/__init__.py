"""The early warnings: the rules as data (``thresholds``), the level rule (``levels``), both pure; the
engine that measures scopes in ClickHouse (``engine``) and the SQL ledger of their state (``ledger``)."""
