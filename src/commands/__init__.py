"""The write side of Xuncha: commands, aggregates (pure decide/evolve), the application service."""
