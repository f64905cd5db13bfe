"""Every change the local cloud makes to moto's behaviour, and nothing else.

moto is pinned exactly: these patches reach into its internals, so importing this module with any other moto
version fails loudly. Each patch names what it relies on in moto (`relies_on`), and tests/localcloud/
test_moto_contracts.py checks, for each one, that unpatched moto still behaves the way the patch assumes and that the
patch works. An upgrade is: bump the pin, run those tests, fix what they name.

The patches are installed while a LocalCloud runs and dispatch to it (`engine`); outside a LocalCloud, moto behaves
as shipped.
"""

from __future__ import annotations

import collections
import copy
import functools
import sys
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import moto

EXPECTED_MOTO_VERSION = "5.2.5"

if moto.__version__ != EXPECTED_MOTO_VERSION:  # pragma: no cover - the point is to fail loudly
    raise RuntimeError(
        f"localcloud patches moto internals and is pinned to moto=={EXPECTED_MOTO_VERSION}, "
        f"but moto {moto.__version__} is installed. Install the pinned version, or upgrade deliberately: change "
        "EXPECTED_MOTO_VERSION in localcloud/moto_patches.py and make tests/localcloud/test_moto_contracts.py pass."
    )

try:
    import antlr4  # noqa: F401  (moto's ASL parser)
    import jsonpath_ng  # noqa: F401  (moto's JSON paths)
except ImportError as exc:  # pragma: no cover
    raise ImportError(
        f"{exc.name} is missing: the local cloud needs moto's Step Functions and EventBridge extras; "
        f"install moto[events,stepfunctions]=={EXPECTED_MOTO_VERSION}"
    ) from exc

import moto.events.models as events_models  # noqa: E402
import moto.sqs.models as sqs_models  # noqa: E402
from moto.awslambda_simple.models import LambdaSimpleBackend  # noqa: E402
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl  # noqa: E402
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (  # noqa: E402
    state_task_service_callback as callback_module,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (  # noqa: E402
    ResourceCondition,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (  # noqa: E402
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (  # noqa: E402
    StateTaskServiceSfn,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction  # noqa: E402
from moto.stepfunctions.parser.asl.jsonata import jsonata as jsonata_module  # noqa: E402
from moto.stepfunctions.parser.asl.component.common.path import result_path as result_path_module  # noqa: E402
from moto.stepfunctions.parser.asl.utils import boto_client as boto_client_module  # noqa: E402
from moto.stepfunctions.parser.asl.utils import json_path as json_path_module  # noqa: E402
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str  # noqa: E402
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker  # noqa: E402
from moto.stepfunctions.parser.models import StepFunctionsParserBackend  # noqa: E402

from . import aws_calls  # noqa: E402

engine: Any = None  # the running LocalCloud's engine; see localcloud.cloud.Engine


@dataclass
class Patch:
    name: str
    owner: Any
    attribute: str
    replacement: Any
    why: str
    relies_on: str
    original: Any = None

    def apply(self) -> None:
        self.inherited = isinstance(self.owner, type) and self.attribute not in self.owner.__dict__
        self.original = getattr(self.owner, self.attribute)
        if isinstance(self.owner, type) and not self.inherited:
            self.original = self.owner.__dict__[self.attribute]
        setattr(self.owner, self.attribute, self.replacement)

    def revert(self) -> None:
        if self.inherited:
            delattr(self.owner, self.attribute)
        else:
            setattr(self.owner, self.attribute, self.original)


PATCHES: list[Patch] = []
_installed = False
_install_lock = threading.Lock()


def _patch(name: str, owner: Any, attribute: str, *, why: str, relies_on: str) -> Callable:
    def register(fn: Callable) -> Callable:
        PATCHES.append(Patch(name, owner, attribute, fn, why, relies_on))
        return fn

    return register


def original(name: str) -> Any:
    """The unpatched attribute a patch replaced (while installed)."""
    for p in PATCHES:
        if p.name == name and p.original is not None:
            return p.original
    for p in PATCHES:
        if p.name == name:
            return getattr(p.owner, p.attribute)
    raise KeyError(name)


def install(new_engine: Any) -> None:
    global engine, _installed
    with _install_lock:
        if engine is not None:
            raise RuntimeError("a LocalCloud is already running in this process (moto's state is process-wide)")
        engine = new_engine
        if not _installed:
            for p in PATCHES:
                p.apply()
            _installed = True


def uninstall() -> None:
    global engine, _installed
    with _install_lock:
        engine = None
        if _installed:
            for p in reversed(PATCHES):
                p.revert()
            _installed = False
        _client_cache.clear()
        for cache in _SPEED_CACHES:
            cache.clear()
        _cached_camelcase_to_underscores.cache_clear()


# ---------------------------------------------------------------------------------------------------------------
# Lambda: a runtime instead of moto's canned answer
# ---------------------------------------------------------------------------------------------------------------
@_patch(
    "lambda_invoke", LambdaSimpleBackend, "invoke",
    why="moto's simple Lambda backend returns a canned string; run the handler instead",
    relies_on="LambdaSimpleBackend.invoke(function_name, qualifier, body, headers, response_headers) is what every "
    "Invoke reaches (direct, Step Functions tasks, our rule targets), and an x-amz-function-error entry in "
    "response_headers becomes the FunctionError of the response",
)
def _lambda_invoke(self, function_name, qualifier, body, headers, response_headers):
    fn = self.get_function(function_name, qualifier)  # moto's own validation: unknown function -> 404
    return engine.lambda_api_invoke(fn.function_name, body, headers or {}, response_headers)


# ---------------------------------------------------------------------------------------------------------------
# EventBridge: rule targets
# ---------------------------------------------------------------------------------------------------------------
@_patch(
    "rule_targets", events_models.Rule, "send_to_targets",
    why="moto raises NotImplementedError for Lambda and Step Functions targets (skipping later targets), delivers "
    "through disabled rules and ignores Input/InputPath; deliver every target through the local cloud",
    relies_on="PutEvents and Replay call Rule.send_to_targets(event, transform_input) once per rule of the bus, with "
    "the event as a dict whose 'time' is epoch seconds; the archive's own rule targets 'arn:aws:events:<region>:::'",
)
def _send_to_targets(self, original_event, transform_input=True):
    if self.state != "ENABLED":
        return
    if not self.event_pattern.matches_event(original_event):
        return
    for target in list(self.targets):
        if not engine.rule_target(self, target, original_event):
            single = copy.copy(self)
            single.targets = [target]
            original("rule_targets")(single, copy.deepcopy(original_event), transform_input)


# ---------------------------------------------------------------------------------------------------------------
# Step Functions
# ---------------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _operation_model(service: str, action: str):
    from botocore import xform_name

    model = _cached_boto_client_for("us-east-1", service).meta.service_model
    for op in model.operation_names:
        if xform_name(op) == action:
            return model.operation_model(op)
    raise KeyError(f"{service}.{action}")


def _sfn_normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
    action = self._get_boto_service_action(service_action_name)
    if service_action_name is None and action == "start_execution":
        optional_input = parameters.get("Input")
        if not isinstance(optional_input, str):
            parameters["Input"] = to_json_str({} if optional_input is None else optional_input, separators=(",", ":"))
    shape = _operation_model(self._get_boto_service_name(boto_service_name), action).input_shape
    if shape is not None:
        self._to_boto_request(parameters, shape)


def _sfn_normalise_response(self, response, boto_service_name=None, service_action_name=None):
    action = self._get_boto_service_action(service_action_name)
    shape = _operation_model(self._get_boto_service_name(boto_service_name), action).output_shape
    if shape is not None:
        self._from_boto_response(response, shape)


PATCHES.append(Patch(
    "sfn_nested_parameters", StateTaskServiceSfn, "_normalise_parameters", _sfn_normalise_parameters,
    why="moto's copy stubs the request-name conversion, so states:startExecution(.sync/.sync:2) fails with "
    "KeyError 'StateMachineArn'",
    relies_on="StateTaskService._normalise_parameters is a no-op stub and the helper _to_boto_request is present",
))
PATCHES.append(Patch(
    "sfn_nested_response", StateTaskServiceSfn, "_normalise_response", _sfn_normalise_response,
    why="the matching response conversion (executionArn -> ExecutionArn, output -> Output)",
    relies_on="StateTaskService._normalise_response is a no-op stub and the helper _from_boto_response is present",
))


@_patch(
    "sfn_execution_names", StepFunctionsParserBackend, "start_execution",
    why="StartExecution without a name gets an ARN ending ':None', and a second unnamed start returns the first",
    relies_on="StepFunctionsParserBackend.start_execution(state_machine_arn, name, execution_input, trace_header)",
)
def _start_execution(self, state_machine_arn, name=None, execution_input=None, trace_header=None):
    name = name or str(uuid.uuid4())
    execution = original("sfn_execution_names")(self, state_machine_arn, name, execution_input, trace_header)
    if engine is not None:
        engine.execution_started(execution)
    return execution


_client_cache: dict[tuple[str, str], Any] = {}
_client_lock = threading.Lock()
_original_boto_client_for = boto_client_module.boto_client_for


def _cached_boto_client_for(region: str, service: str, state_credentials: Any = None):
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
        m for name, m in list(sys.modules.items())
        if name.startswith("moto.stepfunctions.parser") and getattr(m, "boto_client_for", None) is _original_boto_client_for
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


PATCHES.append(_ModulePatch(
    "sfn_client_cache", boto_client_module, "boto_client_for", _cached_boto_client_for,
    why="the ASL engine builds a new boto3 client (~2.6 ms) for every Task",
    relies_on="parser modules import boto_client_for(region, service, state_credentials) by name",
))

_program_cache: dict[str, Any] = {}

PATCHES.append(Patch(
    "sfn_jsonpath_cache", json_path_module, "parse", functools.lru_cache(maxsize=4096)(json_path_module.parse),
    why="the ASL engine parses every JSONPath ($.x, InputPath, ResultSelector...) on every use, and jsonpath_ng "
    "builds its parser each time (~10 ms)",
    relies_on="moto.stepfunctions.parser.asl.utils.json_path.extract_json calls the module-level parse(path) and "
    "only calls .find() on the result",
))
PATCHES.append(Patch(
    "sfn_resultpath_cache", result_path_module, "parse", functools.lru_cache(maxsize=4096)(result_path_module.parse),
    why="as above, for ResultPath",
    relies_on="ResultPath calls the module-level parse(path) and does not mutate the result",
))


@_patch(
    "sfn_definition_cache", ExecutionWorker, "_get_evaluation_entrypoint",
    why="the ASL engine parses the definition (~4 ms) on every execution",
    relies_on="parsed programs keep per-execution state in the Environment (env.heap/stack), not in the components",
)
def _cached_entrypoint(self):
    definition = self._evaluation_details.state_machine_details.definition
    program = _program_cache.get(definition)
    if program is None:
        program = original("sfn_definition_cache")(self)
        _program_cache[definition] = program
    return program


@_patch(
    "sfn_execution_start", ExecutionWorker, "start",
    why="count running executions so run_until_quiet knows when they have all settled",
    relies_on="ExecutionWorker.start() starts one thread running _execution_logic()",
)
def _worker_start(self):
    if engine is not None:
        engine.tracker.started()
        self._localcloud_counted = True
    return original("sfn_execution_start")(self)


@_patch(
    "sfn_execution_end", ExecutionWorker, "_execution_logic",
    why="notice when an execution ends (or its thread dies, which moto leaves RUNNING forever)",
    relies_on="ExecutionWorker._execution_logic() runs the program, then calls _execution_communication.terminated()",
)
def _worker_logic(self):
    counted = getattr(self, "_localcloud_counted", False)
    crashed: BaseException | None = None
    execution = getattr(self._execution_communication, "execution", None)
    aws_calls.set_execution(getattr(execution, "exec_arn", None))  # this thread's AWS calls are this execution's
    try:
        original("sfn_execution_end")(self)
    except BaseException as exc:  # noqa: BLE001
        crashed = exc
    finally:
        aws_calls.set_execution(None)
        if engine is not None:
            engine.execution_finished(self, crashed)
            if counted:
                engine.tracker.finished()


def _eval_sync(self, env, sync_resolver, timeout_seconds, callback_endpoint, heartbeat_endpoint):
    callback_output = None
    if callback_endpoint is not None:

        def _local_update_wait_for_task_token():
            nonlocal callback_output
            callback_output = self._eval_wait_for_task_token(
                env=env, timeout_seconds=timeout_seconds,
                callback_endpoint=callback_endpoint, heartbeat_endpoint=heartbeat_endpoint,
            )

        thread = threading.Thread(target=_local_update_wait_for_task_token, name="WaitForTaskToken_SyncTask", daemon=True)
        callback_module.TMP_THREADS.append(thread)
        thread.start()

    tracker = engine.tracker if engine is not None else None
    sync_result = None
    key = object()
    while env.is_running():
        generation = tracker.generation if tracker else 0
        sync_result = sync_resolver()
        if callback_output or sync_result:
            break
        if tracker is None:
            import time

            time.sleep(0.5)
        else:
            tracker.wait_for_change(generation, key)
    return callback_output or sync_result


PATCHES.append(Patch(
    "sfn_sync_wait", StateTaskServiceCallback, "_eval_sync", _eval_sync,
    why=".sync tasks poll the child execution every 0.5 s with time.sleep; wake them when an execution changes",
    relies_on="StateTaskServiceCallback._eval_sync(env, sync_resolver, timeout_seconds, callback_endpoint, "
    "heartbeat_endpoint) loops on sync_resolver() with time.sleep(_DELAY_SECONDS_SYNC_CONDITION_CHECK)",
))


@_patch(
    "sfn_task_token_park", StateTaskServiceCallback, "_eval_wait_for_task_token",
    why="an execution waiting for a task token is parked, not busy: run_until_quiet must not wait for it",
    relies_on="_eval_wait_for_task_token(env, timeout_seconds, callback_endpoint, heartbeat_endpoint) blocks until "
    "SendTaskSuccess/Failure or the timeout",
)
def _eval_wait_for_task_token(self, env, timeout_seconds, callback_endpoint, heartbeat_endpoint):
    parks = engine is not None and self.resource.condition == ResourceCondition.WaitForTaskToken
    if parks:
        engine.tracker.park(callback_endpoint.callback_id)
    try:
        return original("sfn_task_token_park")(
            self, env=env, timeout_seconds=timeout_seconds,
            callback_endpoint=callback_endpoint, heartbeat_endpoint=heartbeat_endpoint,
        )
    finally:
        if parks:
            engine.tracker.unpark(callback_endpoint.callback_id)


def _unpark_after(name: str) -> Callable:
    def wrapper(self, task_token, *args, **kwargs):
        result = original(name)(self, task_token, *args, **kwargs)
        if engine is not None:
            engine.tracker.unpark(task_token)  # the waiter is about to run: busy from now on
            engine.task_token_answered(name, task_token, *args, **kwargs)
        return result

    return wrapper


for _name, _method, _why in (
    ("sfn_send_task_success", "send_task_success", "the waiting execution is busy again from the moment it is answered"),
    ("sfn_send_task_failure", "send_task_failure", "as for success"),
):
    PATCHES.append(Patch(
        _name, StepFunctionsParserBackend, _method, _unpark_after(_name), why=_why,
        relies_on=f"StepFunctionsParserBackend.{_method}(task_token, ...) notifies the waiting task",
    ))


class _InstantSleep:
    """Stands in for the `time` module inside the retrier: Retry intervals elapse instantly, and are recorded."""

    def __getattr__(self, item):
        import time

        return getattr(time, item)

    @staticmethod
    def sleep(seconds: float) -> None:
        if engine is not None:
            engine.sfn_wait("retry", seconds)


PATCHES.append(Patch(
    "sfn_retry_interval", retrier_decl, "time", _InstantSleep(),
    why="Retry IntervalSeconds/BackoffRate really sleep (2 s, 4 s, 8 s ...); locally they elapse instantly",
    relies_on="RetrierDecl._eval_body waits with time.sleep(interval_seconds) from the module-level `time`",
))


@_patch(
    "sfn_wait_state", WaitFunction, "_wait_interval",
    why="Wait states really sleep; locally they elapse instantly",
    relies_on="WaitFunction._wait_interval(env, wait_seconds) does the waiting for Seconds/Timestamp/...Path",
)
def _wait_interval(self, env, wait_seconds):
    if engine is not None:
        engine.sfn_wait("wait", wait_seconds)


from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_events import (  # noqa: E402
    StateTaskServiceEvents,
)


def _events_task_error(self, env, ex):
    from botocore.exceptions import ClientError
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    if not isinstance(ex, ClientError):
        return original("sfn_events_task_error")(self, env, ex)
    error, meta = ex.response["Error"], ex.response["ResponseMetadata"]
    name = f"EventBridge.{error['Code']}"
    cause = (f"{error.get('Message', '')} (Service: EventBridge, Status Code: {meta.get('HTTPStatusCode')}, "
             f"Error Code: {error['Code']}, Request ID: {meta.get('RequestId')})")
    return FailureEvent(
        env=env, error_name=CustomErrorName(name), event_type=HistoryEventType.TaskFailed,
        event_details=EventDetails(taskFailedEventDetails=TaskFailedEventDetails(
            error=name, cause=cause, resource=self._get_sfn_resource(), resourceType=self._get_sfn_resource_type())),
    )


PATCHES.append(Patch(
    "sfn_events_task_error", StateTaskServiceEvents, "_from_error", _events_task_error,
    why="an events:putEvents task whose call fails (a throttle) fails with States.Runtime, which no Retry on the "
    "service's errors matches; name it '<service>.<error code>' as moto's DynamoDB task does",
    relies_on="StateTaskServiceEvents._from_error(env, ex) handles only FailedEntry and passes a botocore ClientError "
    "on to the generic States.Runtime failure",
))


@functools.lru_cache(maxsize=512)
def _compiled_jsonata(expression: str):
    import jsonata

    return jsonata.Jsonata(expression)


def _eval_jsonata(expression: str) -> Any:
    return _compiled_jsonata(expression).evaluate(None)


PATCHES.append(Patch(
    "sfn_jsonata", jsonata_module, "_eval_jsonata", _eval_jsonata,
    why="moto's JSONata evaluator is a stub (None): QueryLanguage JSONata and Assign fail with TypeError",
    relies_on="eval_jsonata_expression calls the module global _eval_jsonata(expression_string) with variables "
    "already bound inside the expression",
))


# ---------------------------------------------------------------------------------------------------------------
# Speed: moto redoes pure work on every request; cache it (keyed on everything the result depends on)
# ---------------------------------------------------------------------------------------------------------------
from moto.core import responses as core_responses  # noqa: E402
from moto.dynamodb.comparisons import ConditionExpressionParser  # noqa: E402
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser  # noqa: E402
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # noqa: E402

_CACHE_LIMIT = 2048  # distinct expressions/names; a cache that grows past it starts again (no unbounded growth)
_update_ast_cache: dict[str, Any] = {}
_condition_lex_cache: dict[str, tuple] = {}
_method_names_cache: dict[type, frozenset] = {}
_SPEED_CACHES: list[dict] = [_update_ast_cache, _condition_lex_cache, _method_names_cache]


def _remember(cache: dict, key: Any, value: Any) -> Any:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _cached_update_expression(expression_str):
    # The AST depends on the expression string only (names and values are substituted later, by the validator, into
    # its own deep copy), so one parsed AST is shared: moto only reads it (find_clauses) and hands it to
    # UpdateExpressionValidator, which deep-copies it before resolving and executing. Failures are not cached.
    # (A plain function on the class: every caller calls UpdateExpressionParser.make(...) on the class itself.)
    ast = _update_ast_cache.get(expression_str)
    if ast is None:
        make = original("dynamodb_update_expression_cache").__func__
        ast = _remember(_update_ast_cache, expression_str, make(UpdateExpressionParser, expression_str))
    return ast


PATCHES.append(Patch(
    "dynamodb_update_expression_cache", UpdateExpressionParser, "make", _cached_update_expression,
    why="UpdateItem tokenizes and parses its UpdateExpression twice per request (responses and backend, ~0.25 ms "
    "each for the status projection's expression); the same few expressions come back all the time",
    relies_on="UpdateExpressionParser.make(expression_str) depends on the string only and is only called on that "
    "class; callers only read the AST (find_clauses) or pass it to Validator, whose __init__ deep-copies it",
))


def _cached_condition_lex(self):
    # Lexing reads only the expression string; the tokens are immutable Nodes (namedtuples). The parser consumes the
    # deque it gets, so each call gets a new deque (and each node a new, empty children list).
    expression = self.condition_expression
    tokens = _condition_lex_cache.get(expression)
    if tokens is None:
        tokens = _remember(_condition_lex_cache, expression, tuple(original("dynamodb_condition_lex_cache")(self)))
    return collections.deque(node._replace(children=[]) for node in tokens)


PATCHES.append(Patch(
    "dynamodb_condition_lex_cache", ConditionExpressionParser, "_lex_condition_expression", _cached_condition_lex,
    why="every condition/filter expression is lexed with six regular expressions per token on every request (half "
    "of its parse); names and values are resolved after lexing, so the tokens of an expression string can be reused",
    relies_on="ConditionExpressionParser._lex_condition_expression() reads only self.condition_expression and returns "
    "a deque of Node namedtuples with empty children, which parse() consumes without mutating the nodes",
))


def _cached_method_names(clazz):
    names = _method_names_cache.get(clazz)
    if names is None:
        names = _remember(_method_names_cache, clazz, frozenset(original("moto_method_names_cache")(clazz)))
    return names


PATCHES.append(Patch(
    "moto_method_names_cache", core_responses, "method_names_from_class", _cached_method_names,
    why="every request lists its response class's methods with inspect.getmembers (~0.06 ms, ~45 times a flow) only "
    "to check that the action is one of them",
    relies_on="BaseResponse.call_action uses method_names_from_class(self.__class__) only for `action in ...`; "
    "response classes are not changed at run time",
))


@functools.lru_cache(maxsize=1024)
def _cached_camelcase_to_underscores(argument: str) -> str:
    return _real_camelcase_to_underscores(argument)


from moto.core.utils import camelcase_to_underscores as _real_camelcase_to_underscores  # noqa: E402

PATCHES.append(Patch(
    "sqs_camelcase_cache", sqs_models, "camelcase_to_underscores", _cached_camelcase_to_underscores,
    why="Queue.attributes (read several times per SendMessage/ReceiveMessage) converts ~20 attribute names with "
    "camelcase_to_underscores each time",
    relies_on="moto.sqs.models calls the module-level camelcase_to_underscores(str), a pure function",
))


def _memo_traverse(self, node):
    # Each processor's _processing_map() is a constant dict of its bound methods, rebuilt by moto for every node it
    # visits (twice: nodes_to_be_processed and process). Build it once per traversal; same order, same lookups.
    if "process" in self.__dict__:  # a traversal inside a traversal: already memoized
        return self.traverse_node_recursively(node)
    processing_map = self._processing_map()
    node_types = tuple(processing_map)

    def process(n):
        for class_key, processor in processing_map.items():
            if isinstance(n, class_key):
                return processor(n)

    self.nodes_to_be_processed = lambda: node_types
    self.process = process
    try:
        return self.traverse_node_recursively(node)
    finally:
        del self.nodes_to_be_processed, self.process


PATCHES.append(Patch(
    "dynamodb_traverse_memo", DepthFirstTraverser, "traverse", _memo_traverse,
    why="UpdateItem validation runs ten AST processors, each rebuilding its processing map twice per node visited",
    relies_on="DepthFirstTraverser.traverse(node) calls traverse_node_recursively, which consults "
    "self.nodes_to_be_processed() and self.process(node); every _processing_map() returns a constant dict, and no "
    "processor overrides nodes_to_be_processed or process",
))


# ---------------------------------------------------------------------------------------------------------------
# Time: SQS visibility, delays, deduplication and event times follow the local cloud's clock
# ---------------------------------------------------------------------------------------------------------------
def _now_millis() -> float:
    return engine.clock.now() * 1000 if engine is not None else _real_unix_time_millis()


def _now() -> float:
    return engine.clock.now() if engine is not None else _real_unix_time()


from moto.core.utils import unix_time as _real_unix_time, unix_time_millis as _real_unix_time_millis  # noqa: E402

PATCHES.append(Patch(
    "sqs_clock_millis", sqs_models, "unix_time_millis", _now_millis,
    why="visibility timeouts, delays and the deduplication window need time to pass: tests advance the clock",
    relies_on="moto.sqs.models reads the module-level unix_time_millis() for visible_at, delayed_until, "
    "sent_timestamp and the deduplication window",
))
PATCHES.append(Patch(
    "sqs_clock", sqs_models, "unix_time", _now,
    why="as above (retention, long-poll deadline)",
    relies_on="moto.sqs.models reads the module-level unix_time()",
))
PATCHES.append(Patch(
    "events_clock", events_models, "unix_time", _now,
    why="event 'time' follows the local cloud's clock",
    relies_on="EventsBackend.put_events stamps event time with the module-level unix_time()",
))


# ---------------------------------------------------------------------------------------------------------------
# Every AWS API call: one seam (aws_calls.py)
# ---------------------------------------------------------------------------------------------------------------
from botocore import endpoint as botocore_endpoint  # noqa: E402
from botocore.client import BaseClient  # noqa: E402
from moto.core.botocore_stubber import BotocoreStubber  # noqa: E402


@_patch(
    "aws_call_note", BaseClient, "_make_api_call",
    why="the before-send handler sees only the serialized request: note the client, operation, parameters and caller "
    "of each call for its thread while the call runs",
    relies_on="every boto3 client operation calls BaseClient._make_api_call(operation_name, api_params), which sends "
    "the request (and its retries) on the calling thread before returning",
)
def _make_api_call(self, operation_name, api_params):
    if engine is None:
        return original("aws_call_note")(self, operation_name, api_params)
    previous = aws_calls.note_call(self, operation_name, api_params, engine.running_functions)
    try:
        return original("aws_call_note")(self, operation_name, api_params)
    finally:
        aws_calls.restore(previous)


@_patch(
    "aws_call_seam", BotocoreStubber, "__call__",
    why="every request of every boto3 client reaches moto here (once per attempt): count it and run the aws_call hooks",
    relies_on="mock_aws registers the BotocoreStubber instance as botocore's before-send handler, called as "
    "(event_name, request, **kwargs); a returned AWSResponse is parsed as the service's answer",
)
def _stubber_call(self, event_name, request, **kwargs):
    pending = aws_calls.pending_call()
    if engine is None or pending is None or not self.enabled:
        return original("aws_call_seam")(self, event_name, request, **kwargs)
    return engine.aws_calls.send(pending, request, lambda: original("aws_call_seam")(self, event_name, request, **kwargs))


class _InstantRetrySleep:
    """Stands in for the `time` module in botocore's endpoint: an SDK retry's backoff elapses instantly, recorded."""

    def __getattr__(self, item):
        import time

        return getattr(time, item)

    @staticmethod
    def sleep(seconds: float) -> None:
        if engine is not None:
            engine.timeline.record("wait", "sdk", "retry", seconds=seconds, note="elapsed instantly")


PATCHES.append(Patch(
    "sdk_retry_sleep", botocore_endpoint, "time", _InstantRetrySleep(),
    why="a failed call (an injected fault) is retried by the SDK after a real backoff sleep; locally it elapses "
    "instantly, as Step Functions Retry intervals do",
    relies_on="botocore.endpoint.Endpoint._needs_retry sleeps with the module-level time.sleep(delay)",
))


def describe() -> list[dict[str, str]]:
    """What each patch changes and why (for docs and the contract tests)."""
    return [{"name": p.name, "target": f"{getattr(p.owner, '__name__', p.owner)}.{p.attribute}", "why": p.why,
             "relies_on": p.relies_on} for p in PATCHES]
