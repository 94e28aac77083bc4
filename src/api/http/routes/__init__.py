"""HTTP routes, one module per area; `api.app` gathers them."""
