"""orders-cli: the talk's moves against a deployed stage (its stack outputs) or the local cloud (`local serve`)."""
