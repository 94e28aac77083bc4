"""The event-store adapter beside the deciders: the PostgreSQL recorder with its idempotency
records (`store`), the hash chain and Merkle tree with signed heads (`integrity`, `merkle`,
`tree_store`, `heads`, `log_verifications`), recorded time, the data subjects' keys
(`subject_keys`, `wrapping_keys`), time travel (`history`) and the log follower of the timers.
The deciders never import it; the application service and the edges do."""
