"""What every function of the order system shares (events, idempotency, AWS clients, observability).

Cold start: importing this package pauses Python's automatic garbage collection until the end of the function's
first invocation (``observability.lambda_handler`` calls ``cold_start_over``), which then moves everything alive
out of the collector's reach (``gc.freeze``) and resumes collecting. A cold start allocates hundreds of thousands
of objects that live as long as the process (modules, classes, the SDK's models and clients); each collection walks
them all again and frees almost nothing, about a quarter of a handler's cold start here. Later garbage is collected
as before. Only in a Lambda sandbox (``AWS_LAMBDA_FUNCTION_NAME`` set): a test or tool that imports this package
and invokes no handler keeps its collector; where the collector was already off, it is left alone.
"""

import gc
import os

_paused = gc.isenabled() and "AWS_LAMBDA_FUNCTION_NAME" in os.environ
if _paused:
    gc.disable()


def cold_start_over() -> None:
    """Freeze what the cold start made and resume collecting (once; later calls do nothing)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
