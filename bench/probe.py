"""One cold start, in the fresh interpreter the bench starts for it: import a handler, run its first invocation.

    python -m bench.probe <job.json> <result.json>

job: ``{"handler": "orders.handlers.create_order.handler", "code_root": "...", "event": {...}}``; the environment
(the function's variables, AWS_ENDPOINT_URL of the bridge, credentials) comes from the parent. The result holds
``import_ms``, ``first_invocation_ms`` and ``network_ms`` (the time the first invocation spent waiting for the local
cloud's answers, botocore's HTTP send), and the CPU time of both phases (``*_cpu_ms``), which other processes on a
busy machine barely move and which waiting for an answer does not add to.
Only the stdlib is imported before the clock starts; the handler prints its logs to stdout, so results go to a file.
"""

import importlib
import json
import sys
import time
import traceback


class _Context:
    function_name = "bench-probe"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench-probe"
    memory_limit_in_mb = 256
    aws_request_id = "00000000-0000-0000-0000-000000000001"
    log_group_name = "/aws/lambda/bench-probe"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _time_network() -> list[float]:
    """Add the seconds of every HTTP exchange botocore makes to the returned one-item list."""
    from botocore.endpoint import Endpoint

    spent = [0.0]
    send = Endpoint._send

    def timed_send(self, request):
        started = time.perf_counter()
        try:
            return send(self, request)
        finally:
            spent[0] += time.perf_counter() - started

    Endpoint._send = timed_send
    return spent


def main(job_path: str, result_path: str) -> int:
    with open(job_path) as f:
        job = json.load(f)
    module_name, _, attribute = job["handler"].rpartition(".")
    started, started_cpu = time.perf_counter(), time.process_time()
    sys.path.insert(0, job["code_root"])
    handler = getattr(importlib.import_module(module_name), attribute)
    imported, imported_cpu = time.perf_counter(), time.process_time()
    network = _time_network()  # counted in the first invocation: a handler that defers boto3 pays for it there
    error = aws_error = None
    try:
        response = handler(job["event"], _Context())
        if isinstance(response, dict) and str(response.get("statusCode", 200)).startswith("5"):
            error = f"answered {response['statusCode']}: {response.get('body')}"
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        if hasattr(exc, "response") and hasattr(exc, "operation_name"):
            # botocore's ClientError: the local cloud refused a call (a replayed event's task token already
            # answered, say); everything the call needed was built, so the sample stands and the report says so
            aws_error = f"{exc.operation_name}: {exc.response.get('Error', {}).get('Code')}"
        else:
            error = traceback.format_exc(limit=5)
    finished, finished_cpu = time.perf_counter(), time.process_time()
    result = {
        "import_ms": (imported - started) * 1000,
        "first_invocation_ms": (finished - imported) * 1000,
        "network_ms": network[0] * 1000,
        "import_cpu_ms": (imported_cpu - started_cpu) * 1000,
        "first_invocation_cpu_ms": (finished_cpu - imported_cpu) * 1000,
        "error": error,
        "aws_error": aws_error,
    }
    with open(result_path, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
