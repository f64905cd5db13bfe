"""Docs generated from the synthesized application and the event models: `make docs`."""
