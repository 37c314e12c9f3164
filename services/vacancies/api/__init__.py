"""HTTP routers of the vacancies service, one module per resource."""
