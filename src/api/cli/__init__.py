"""The command-line edge, `xuncha …`: serve, the database's set-up, read models, the relay, the
timers, audits, proofs, documents and the demo. Each subcommand opens the database and the
container for its run and closes them after (`main`)."""
