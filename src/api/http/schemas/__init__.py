"""Response models of the queries, one module per route module (`api/http/routes/<area>.py` answers
with the models of `api/http/schemas/<area>.py`); `common` holds the page and the base model."""
