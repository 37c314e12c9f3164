"""HTTP routers of the programmes service, one module per resource."""
