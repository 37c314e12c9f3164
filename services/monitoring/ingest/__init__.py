"""From an event to ClickHouse rows (pure): validation and encoding (``encoding``), the rows of each
table (``rows``), and the warning scopes a batch touches (``scopes``). Runs in the decoding child."""
