"""The HTTP edge: the FastAPI application (`app`), its routes, request and answer schemas,
the pages (`web`), and what guards each request (authentication, admission, scope checks,
errors as problem details). Nothing here decides: a route turns a request into a command for
`commands.service.Application` or a query of a read model."""
