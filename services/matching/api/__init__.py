"""HTTP routers of the matching service (one module per resource)."""
