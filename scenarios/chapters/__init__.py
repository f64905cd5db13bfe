"""The story's chapters, one module per theme; `scenarios.story` puts them in order."""
