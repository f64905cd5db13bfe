"""API Gateway: the HTTP API's router (payload 2.0)."""
