"""EventBridge: rule targets (Input, InputPath, InputTransformer), buses, archives and replays."""
