"""Lambda handlers. ``eventing`` is imported first, before anything a handler imports: it pauses the garbage
collector for the cold start (see ``eventing/__init__.py``), whatever order a handler's imports come in."""

import eventing  # noqa: F401
