"""Edges and wiring of Xuncha: settings, the composition root, HTTP routes, the CLI."""
