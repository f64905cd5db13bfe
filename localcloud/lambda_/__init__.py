"""Lambda: the runtime that runs the handlers, and invocations (synchronous, asynchronous, from the API)."""
