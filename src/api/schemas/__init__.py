"""Response models of the queries, one module per route module (`api/routes/<area>.py` answers
with the models of `api/schemas/<area>.py`); `common` holds the page and the base model."""
