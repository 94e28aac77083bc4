"""Xuncha (巡察): the back end of city and county Party inspection work.

The design card's folders install as one namespace (pyproject.toml, ``package-dir``):
``src/events`` is ``xuncha.events``, ``src/commands`` is ``xuncha.commands``,
``src/projections`` is ``xuncha.projections`` and ``src/api`` is ``xuncha.api``, so nothing
generic lands in site-packages (docs/architecture.md).
"""
