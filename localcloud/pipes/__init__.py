"""EventBridge Pipes (SQS source, SQS target)."""
