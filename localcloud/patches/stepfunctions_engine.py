"""Step Functions' ASL engine: built once what it rebuilds per task (boto3 clients, parsed definitions and JSON
paths), and JSONata evaluated. (Retry intervals and Wait states wait on the clock: stepfunctions_time.py.)"""

from __future__ import annotations

import functools
import sys
import threading
from typing import Any

from moto.stepfunctions.parser.asl.component.common.path import result_path as result_path_module
from moto.stepfunctions.parser.asl.jsonata import jsonata as jsonata_module
from moto.stepfunctions.parser.asl.utils import boto_client as boto_client_module
from moto.stepfunctions.parser.asl.utils import json_path as json_path_module
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

from .. import aws_calls
from .base import CLEAR_ON_UNINSTALL, PATCHES, Patch, original, patch

_client_cache: dict[tuple[str, str], Any] = {}
CLEAR_ON_UNINSTALL.append(_client_cache.clear)
_client_lock = threading.Lock()
_original_boto_client_for = boto_client_module.boto_client_for


def cached_boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    key = (region, service)
    client = _client_cache.get(key)
    if client is None:
        with _client_lock:
            client = _client_cache.get(key)
            if client is None:
                client = _original_boto_client_for(region=region, service=service, state_credentials=state_credentials)
                setattr(client, aws_calls.STATES_CLIENT, True)  # its calls are a workflow's (aws_calls.py)
                _client_cache[key] = client
    return client


def _modules_importing_boto_client_for() -> list[Any]:
    return [
        m
        for name, m in list(sys.modules.items())
        if name.startswith("moto.stepfunctions.parser")
        and getattr(m, "boto_client_for", None) is _original_boto_client_for
    ]


class _ModulePatch(Patch):
    """The same function imported by name into many modules: patch each of them."""

    def apply(self) -> None:
        self.original = _original_boto_client_for
        self._modules = _modules_importing_boto_client_for()
        for m in self._modules:
            setattr(m, self.attribute, self.replacement)

    def revert(self) -> None:
        for m in self._modules:
            setattr(m, self.attribute, self.original)


PATCHES.append(
    _ModulePatch(
        "sfn_client_cache",
        boto_client_module,
        "boto_client_for",
        cached_boto_client_for,
        why="the ASL engine builds a new boto3 client (~2.6 ms) for every Task",
        relies_on="parser modules import boto_client_for(region, service, state_credentials) by name",
    )
)

_program_cache: dict[str, Any] = {}

PATCHES.append(
    Patch(
        "sfn_jsonpath_cache",
        json_path_module,
        "parse",
        functools.lru_cache(maxsize=4096)(json_path_module.parse),
        why="the ASL engine parses every JSONPath ($.x, InputPath, ResultSelector...) on every use, and jsonpath_ng "
        "builds its parser each time (~10 ms)",
        relies_on="moto.stepfunctions.parser.asl.utils.json_path.extract_json calls the module-level parse(path) and "
        "only calls .find() on the result",
    )
)
PATCHES.append(
    Patch(
        "sfn_resultpath_cache",
        result_path_module,
        "parse",
        functools.lru_cache(maxsize=4096)(result_path_module.parse),
        why="as above, for ResultPath",
        relies_on="ResultPath calls the module-level parse(path) and does not mutate the result",
    )
)


@patch(
    "sfn_definition_cache",
    ExecutionWorker,
    "_get_evaluation_entrypoint",
    why="the ASL engine parses the definition (~4 ms) on every execution",
    relies_on="parsed programs keep per-execution state in the Environment (env.heap/stack), not in the components",
)
def _cached_entrypoint(self: Any) -> Any:
    definition = self._evaluation_details.state_machine_details.definition
    program = _program_cache.get(definition)
    if program is None:
        program = original("sfn_definition_cache")(self)
        _program_cache[definition] = program
    return program


@functools.lru_cache(maxsize=512)
def _compiled_jsonata(expression: str) -> Any:
    import jsonata

    return jsonata.Jsonata(expression)


def _eval_jsonata(expression: str) -> Any:
    return _compiled_jsonata(expression).evaluate(None)


PATCHES.append(
    Patch(
        "sfn_jsonata",
        jsonata_module,
        "_eval_jsonata",
        _eval_jsonata,
        why="moto's JSONata evaluator is a stub (None): QueryLanguage JSONata and Assign fail with TypeError",
        relies_on="eval_jsonata_expression calls the module global _eval_jsonata(expression_string) with variables "
        "already bound inside the expression",
    )
)
