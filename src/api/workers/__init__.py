"""Background workers started by `xuncha serve` (or on their own): the timers' tick, signed
checkpoints, the Kafka consumers with their health, and the ordered shutdown of them all."""
