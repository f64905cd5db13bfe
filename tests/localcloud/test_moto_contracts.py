"""One contract per moto patch: what unpatched moto does that the patch relies on (or works around), and that the
patch works. When moto is upgraded, the failing test names the patch to revisit."""

import inspect
import json
import re
import threading

import moto
import pytest
from moto import mock_aws

from localcloud import moto_patches
from localcloud.cloud import MOTO_CONFIG

CONTRACTS: dict[str, str] = {}  # patch name -> the test that covers it


def contract(*names):
    def register(fn):
        for name in names:
            CONTRACTS[name] = fn.__name__
        return fn

    return register


def unpatched(name):
    """The attribute as moto ships it (whether or not a LocalCloud is running)."""
    return moto_patches.original(name)


def test_moto_is_the_pinned_version():
    assert moto.__version__ == moto_patches.EXPECTED_MOTO_VERSION


def test_every_patch_has_a_contract():
    names = {p.name for p in moto_patches.PATCHES}
    assert names == set(CONTRACTS), f"patches without a contract test: {names - set(CONTRACTS)}"


def test_patches_are_reverted_after_the_cloud_stops(fixture_out):
    from localcloud import LocalCloud

    before = {p.name: getattr(p.owner, p.attribute) for p in moto_patches.PATCHES}
    with LocalCloud.start(fixture_out):
        assert all(getattr(p.owner, p.attribute) is p.replacement for p in moto_patches.PATCHES)
    assert {p.name: getattr(p.owner, p.attribute) for p in moto_patches.PATCHES} == before


def test_one_cloud_per_process(cloud, fixture_out):
    from localcloud import LocalCloud

    with pytest.raises(RuntimeError, match="already running"):
        LocalCloud.start(fixture_out)


# ---------------------------------------------------------------- Lambda
@contract("lambda_invoke")
def test_lambda_simple_backend_returns_a_canned_answer(cloud_free):
    from moto.awslambda_simple.models import LambdaSimpleBackend

    params = list(inspect.signature(LambdaSimpleBackend.invoke).parameters)
    assert params == ["self", "function_name", "qualifier", "body", "headers", "response_headers"]
    backend = LambdaSimpleBackend("us-east-1", "123456789012")
    assert unpatched("lambda_invoke")(backend, "f", None, None, {}, {}) == b"Simple Lambda happy path OK"
    # moto turns x-amz-function-error into FunctionError: the patched side is test_direct_invoke_shapes_errors_like_lambda
    from moto.awslambda.responses import LambdaResponse

    assert "response_headers" in inspect.getsource(LambdaResponse.invoke)


# ---------------------------------------------------------------- EventBridge
def _rule(targets, state="ENABLED"):
    from moto.events.models import Rule

    return Rule("r", "123456789012", "us-east-1", None, json.dumps({"source": ["s"]}), None, None, "default", state,
                targets=targets)


@contract("rule_targets")
def test_rule_lambda_targets_raise_and_disabled_rules_deliver(cloud_free):
    params = list(inspect.signature(unpatched("rule_targets")).parameters)
    assert params == ["self", "original_event", "transform_input"]
    event = {"source": "s", "detail-type": "d", "detail": {}, "time": 0.0, "ingestion-time": 0.0, "id": "1",
             "account": "123456789012", "region": "us-east-1", "resources": []}
    lambda_target = {"Id": "1", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f"}
    with pytest.raises(NotImplementedError):
        unpatched("rule_targets")(_rule([lambda_target]), dict(event))
    with mock_aws(config=MOTO_CONFIG):
        import boto3

        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        target = {"Id": "1", "Arn": "arn:aws:sqs:us-east-1:123456789012:q", "Input": '{"constant": true}'}
        unpatched("rule_targets")(_rule([target], state="DISABLED"), dict(event))
        [message] = sqs.receive_message(QueueUrl=url)["Messages"]
        body = json.loads(message["Body"])
        assert body != {"constant": True} and body["source"] == "s"  # disabled rule delivered; Input ignored


def test_archive_rule_target_shape_the_cloud_relies_on(cloud_free):
    from moto.events.models import EventsBackend

    source = inspect.getsource(EventsBackend.create_archive)
    assert '"archive-arn": "{archive.arn}:{archive.uuid}"' in source
    assert 'f"arn:{get_partition(self.region_name)}:events:{self.region_name}:::"' in source
    from moto.events.models import Replay

    assert '"replay-name": self.name' in inspect.getsource(Replay.replay_events)


# ---------------------------------------------------------------- Step Functions
@contract("sfn_nested_parameters", "sfn_nested_response")
def test_sfn_parameter_conversion_is_a_stub(cloud_free):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (
        StateTaskService,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
        StateTaskServiceSfn,
    )

    params = {"StateMachineArn": "arn", "Input": "{}"}
    StateTaskService._normalise_parameters(None, params)
    assert params == {"StateMachineArn": "arn", "Input": "{}"}  # still a stub: the patch is needed
    response = {"executionArn": "a"}
    StateTaskService._normalise_response(None, response)
    assert response == {"executionArn": "a"}
    assert "_normalise_response" not in StateTaskServiceSfn.__dict__
    assert callable(StateTaskService._to_boto_request) and callable(StateTaskService._from_boto_response)
    # patched: test_state_machine_with_callback_nested_sync_and_put_events runs startExecution.sync:2


@contract("sfn_execution_names")
def test_unnamed_executions_end_in_none(cloud_free):
    with mock_aws(config=MOTO_CONFIG):
        import boto3

        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        arn = sfn.create_state_machine(
            name="m", roleArn="arn:aws:iam::123456789012:role/r",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        )["stateMachineArn"]
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        backend = stepfunctions_parser_backends["123456789012"]["us-east-1"]
        first = unpatched("sfn_execution_names")(backend, arn, None, "{}")
        second = unpatched("sfn_execution_names")(backend, arn, None, "{}")
        assert first.exec_arn.endswith(":None") and second is first


def test_unnamed_executions_get_uuid_names(cloud):
    first = cloud.start_execution("Child", {"item_id": "x"})
    second = cloud.start_execution("Child", {"item_id": "x"})
    assert first != second and not first.endswith(":None")
    cloud.run_until_quiet()


@contract("sfn_client_cache")
def test_asl_engine_imports_boto_client_for_by_name(cloud_free):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.utils import boto_client

    assert lambda_eval_utils.boto_client_for is boto_client.boto_client_for
    assert list(inspect.signature(boto_client.boto_client_for).parameters) == ["region", "service", "state_credentials"]
    modules = moto_patches._modules_importing_boto_client_for()
    assert len(modules) >= 5


def test_asl_engine_reuses_clients(cloud):
    cloud.start_execution("Child", {"item_id": "a"})
    cloud.start_execution("Child", {"item_id": "b"})
    cloud.run_until_quiet()
    assert list(moto_patches._client_cache) == [("us-east-1", "lambda")]


@contract("sfn_definition_cache")
def test_programs_keep_their_state_in_the_environment(cloud):
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    assert "AmazonStateLanguageParser.parse" in inspect.getsource(unpatched("sfn_definition_cache"))
    assert "_get_evaluation_entrypoint()" in inspect.getsource(unpatched("sfn_execution_end"))
    # one cached program, many concurrent executions with different inputs: outputs do not mix
    names = [f"c{i}" for i in range(8)]
    for name in names:
        cloud.start_execution("Child", {"item_id": name}, name=name)
    cloud.run_until_quiet()
    assert {e.name: e.output for e in cloud.executions("Child")} == {n: {"settled": n} for n in names}


@contract("sfn_jsonpath_cache", "sfn_resultpath_cache")
def test_jsonpath_is_parsed_through_the_module_level_parse(cloud_free):
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    assert "parse(path)" in inspect.getsource(json_path.extract_json)
    assert "parse(" in inspect.getsource(result_path)
    expression = unpatched("sfn_jsonpath_cache")("$.a.b")
    assert expression.find({"a": {"b": 1}})[0].value == 1
    assert expression.find({"a": {"b": 2}})[0].value == 2  # reusable: find() does not consume it


@contract("sfn_execution_start", "sfn_execution_end")
def test_an_execution_is_one_thread_running_execution_logic(cloud_free):
    start = inspect.getsource(unpatched("sfn_execution_start"))
    assert "Thread(target=self._execution_logic" in start
    logic = inspect.getsource(unpatched("sfn_execution_end"))
    assert "program.eval(self.env)" in logic and "self._execution_communication.terminated()" in logic


@contract("sfn_sync_wait")
def test_sync_tasks_poll_with_a_half_second_sleep(cloud_free):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_callback

    assert state_task_service_callback._DELAY_SECONDS_SYNC_CONDITION_CHECK == 0.5
    # The names its bytecode uses: the polling loop sleeps the module constant through the module-level `time`.
    code = unpatched("sfn_sync_wait").__code__
    assert {"time", "sleep", "_DELAY_SECONDS_SYNC_CONDITION_CHECK"} <= set(code.co_names)
    assert "sync_resolver" in code.co_varnames
    assert "sync_result = sync_resolver()" in inspect.getsource(unpatched("sfn_sync_wait"))


@contract("sfn_task_token_park", "sfn_send_task_success", "sfn_send_task_failure")
def test_task_token_waits_and_answers(cloud_free):
    params = list(inspect.signature(unpatched("sfn_task_token_park")).parameters)
    assert params == ["self", "env", "timeout_seconds", "callback_endpoint", "heartbeat_endpoint"]
    assert list(inspect.signature(unpatched("sfn_send_task_success")).parameters)[:2] == ["self", "task_token"]
    assert list(inspect.signature(unpatched("sfn_send_task_failure")).parameters)[:2] == ["self", "task_token"]
    # patched: test_state_machine_with_callback_nested_sync_and_put_events and test_send_task_failure_goes_to_catch


@contract("sfn_retry_interval")
def test_retry_intervals_sleep_through_the_module_time(cloud_free):
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    body = retrier_decl.RetrierDecl._eval_body
    assert {"time", "sleep"} <= set(body.__code__.co_names) and "interval_seconds" in body.__code__.co_varnames
    assert unpatched("sfn_retry_interval").__name__ == "time"


@contract("sfn_wait_state")
def test_wait_states_wait_on_the_program_event(cloud_free):
    source = inspect.getsource(unpatched("sfn_wait_state"))
    assert "env.program_state_event.wait(wait_seconds)" in source


def test_retry_and_wait_elapse_instantly(cloud):
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    instant = retrier_decl.time
    assert isinstance(instant, moto_patches._InstantSleep)
    instant.sleep(30)  # returns at once, recording the wait
    assert cloud.timeline.of_kind("wait")[0].detail["seconds"] == 30


@contract("sfn_jsonata")
def test_jsonata_evaluator_is_a_stub(cloud_free):
    from moto.stepfunctions.parser.asl.jsonata import jsonata

    assert unpatched("sfn_jsonata") is None
    with pytest.raises(TypeError):
        jsonata.eval_jsonata_expression("1 + 2")


def test_jsonata_states_run(cloud):
    definition = {
        "QueryLanguage": "JSONata", "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $states.input.a + 1 %}", "End": True}},
    }
    sfn = cloud.client("stepfunctions")
    arn = sfn.create_state_machine(name="jsonata", definition=json.dumps(definition),
                                   roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"a": 41}))["executionArn"]
    cloud.run_until_quiet()
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == 42


# ---------------------------------------------------------------- time
@contract("sqs_clock_millis", "sqs_clock", "events_clock")
def test_sqs_and_events_read_time_through_module_level_functions(cloud_free):
    from moto.core.utils import unix_time, unix_time_millis
    from moto.events.models import EventsBackend
    from moto.sqs.models import Message, Queue

    assert unpatched("sqs_clock_millis") is unix_time_millis and unpatched("sqs_clock") is unix_time
    assert unpatched("events_clock") is unix_time
    for fn in (Message.change_visibility, Message.mark_sent, Message.delay):
        assert "unix_time_millis" in fn.__code__.co_names
    assert "unix_time_millis" in Message.visible.fget.__code__.co_names
    assert "DEDUPLICATION_TIME_IN_SECONDS" in Queue.add_message.__code__.co_names
    assert "unix_time" in EventsBackend.put_events.__code__.co_names


def test_the_clock_drives_sqs_visibility(manual_cloud):
    cloud = manual_cloud
    sqs = cloud.client("sqs")
    url = cloud.queue("Notes").url
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=10)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    cloud.advance(9)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    cloud.advance(2)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"


# ---------------------------------------------------------------- speed: caches of pure work
def _ast_dump(node):
    """A DynamoDB update-expression AST as plain data (types, values, children), to compare ASTs structurally."""
    from moto.dynamodb.parsing.ast_nodes import Node

    if isinstance(node, Node):
        return (type(node).__name__, [_ast_dump(c) for c in (node.children or [])])
    return repr(node)


_UPDATE = ("SET #s = :s, history = list_append(if_not_exists(history, :empty), :entry),"
           " #v = if_not_exists(#v, :zero) + :one")


def _orders_table(cloud):
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName="contract-speed", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    return ddb


def _update(ddb, key, status, entry, condition=None, version=None):
    values = {":s": {"S": status}, ":empty": {"L": []}, ":entry": {"L": [{"S": entry}]}, ":zero": {"N": "0"},
              ":one": {"N": "1"}}
    kwargs = {}
    if condition:
        kwargs["ConditionExpression"] = condition
        values[":version"] = {"N": str(version)}
    return ddb.update_item(TableName="contract-speed", Key={"id": {"S": key}}, UpdateExpression=_UPDATE,
                           ExpressionAttributeNames={"#s": "status", "#v": "version"},
                           ExpressionAttributeValues=values, ReturnValues="ALL_NEW", **kwargs)["Attributes"]


@contract("dynamodb_update_expression_cache")
def test_update_expression_asts_depend_on_the_string_and_are_copied_before_use(cloud_free):
    from moto.dynamodb import responses
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.parsing import validators

    make = unpatched("dynamodb_update_expression_cache")
    assert isinstance(make, classmethod)
    assert list(inspect.signature(make.__func__).parameters) == ["cls", "expression_str"]
    assert "ExpressionTokenizer.make_list(expression_str)" in inspect.getsource(make.__func__)
    # the validator works on its own deep copy; the other callers only read the AST
    assert "self.node_to_validate = deepcopy(expression)" in inspect.getsource(validators.Validator.__init__)
    for fn in (responses.DynamoHandler.update_item, responses.DynamoHandler.transact_write_items,
               DynamoDBBackend.update_item):
        source = inspect.getsource(fn)
        assert ".make(" not in source.replace("UpdateExpressionParser.make(", "")  # called on the class only
        uses = [line.strip() for line in source.splitlines() if "update_expression_ast" in line]
        assert uses, fn
        for line in uses:
            assert (line.startswith("update_expression_ast = UpdateExpressionParser.make(")
                    or "update_expression_ast.find_clauses(" in line or line == "update_expression_ast,"), line


def test_cached_update_expression_asts_stay_unchanged(cloud):
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    ddb = _orders_table(cloud)
    assert UpdateExpressionParser.make(_UPDATE) is UpdateExpressionParser.make(_UPDATE)  # cached
    before = _ast_dump(UpdateExpressionParser.make(_UPDATE))
    assert before == _ast_dump(unpatched("dynamodb_update_expression_cache").__func__(UpdateExpressionParser, _UPDATE))
    first = _update(ddb, "a", "PLACED", "e1")
    second = _update(ddb, "a", "PAID", "e2")
    other = _update(ddb, "b", "SHIPPED", "e3")
    assert _ast_dump(UpdateExpressionParser.make(_UPDATE)) == before  # moto did not mutate the shared AST
    assert first == {"id": {"S": "a"}, "status": {"S": "PLACED"}, "history": {"L": [{"S": "e1"}]}, "version": {"N": "1"}}
    assert second["history"] == {"L": [{"S": "e1"}, {"S": "e2"}]} and second["version"] == {"N": "2"}
    assert other["status"] == {"S": "SHIPPED"} and other["version"] == {"N": "1"}


@contract("dynamodb_condition_lex_cache")
def test_condition_lexing_reads_only_the_expression(cloud_free):
    from moto.dynamodb.comparisons import ConditionExpressionParser

    lex = unpatched("dynamodb_condition_lex_cache")
    source = inspect.getsource(lex)
    assert "self.condition_expression" in source
    assert "expression_attribute" not in source and "self._lex_one_node" in source
    assert "self.expression_attribute" not in inspect.getsource(ConditionExpressionParser._lex_one_node)
    assert "nodes = self._lex_condition_expression()" in inspect.getsource(ConditionExpressionParser.parse)
    nodes = lex(ConditionExpressionParser("#v = :v AND attribute_exists(x)", {"#v": "v"}, {":v": {"N": "1"}}))
    assert all(isinstance(n, tuple) and n.children == [] for n in nodes)  # immutable tokens, no children yet


def test_cached_condition_tokens_give_the_same_conditions(cloud):
    from moto.dynamodb.comparisons import ConditionExpressionParser

    expression = "attribute_not_exists(#id) OR #exp < :now OR (#s = :s AND size(#h) > :n)"
    names = {"#id": "id", "#exp": "expiration", "#s": "status", "#h": "history"}
    for now in ("1", "2", "3"):  # same expression, different values: the values are not cached
        values = {":now": {"N": now}, ":s": {"S": "INPROGRESS"}, ":n": {"N": now}}
        patched = ConditionExpressionParser(expression, names, values)
        original = ConditionExpressionParser(expression, names, values)
        original._lex_condition_expression = lambda o=original: unpatched("dynamodb_condition_lex_cache")(o)
        assert repr(patched.parse()) == repr(original.parse())
        assert patched.expr_attr_values_found == original.expr_attr_values_found
    ddb = _orders_table(cloud)
    _update(ddb, "a", "PLACED", "e1")
    _update(ddb, "a", "PAID", "e2", condition="#v = :version", version=1)
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        _update(ddb, "a", "PAID", "e3", condition="#v = :version", version=1)  # same expression, stale value


@contract("moto_method_names_cache")
def test_call_action_only_checks_membership_in_the_method_names(cloud_free):
    from moto.core import responses
    from moto.dynamodb.responses import DynamoHandler

    source = inspect.getsource(responses.BaseResponse.call_action)
    assert "method_names = method_names_from_class(self.__class__)" in source
    assert len(re.findall(r"\bmethod_names\b", source)) == 2 and "if action in method_names:" in source
    names = moto_patches._cached_method_names(DynamoHandler)
    assert names == set(unpatched("moto_method_names_cache")(DynamoHandler)) and "update_item" in names
    moto_patches._method_names_cache.clear()


@contract("sqs_camelcase_cache")
def test_sqs_queue_attributes_use_the_module_level_camelcase(cloud_free):
    from moto.core.utils import camelcase_to_underscores
    from moto.sqs.models import Queue

    assert unpatched("sqs_camelcase_cache") is camelcase_to_underscores
    assert "camelcase_to_underscores" in Queue.attributes.fget.__code__.co_names
    for name in ("VisibilityTimeout", "ContentBasedDeduplication", "KmsMasterKeyId", "FifoQueue", "RedrivePolicy"):
        assert moto_patches._cached_camelcase_to_underscores(name) == camelcase_to_underscores(name)
    moto_patches._cached_camelcase_to_underscores.cache_clear()


@contract("dynamodb_traverse_memo")
def test_ast_processors_have_constant_processing_maps(cloud_free):
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.parsing import ast_nodes, validators

    traverse = unpatched("dynamodb_traverse_memo")
    assert inspect.getsource(traverse).strip().endswith("return self.traverse_node_recursively(node)")
    recursive = inspect.getsource(ast_nodes.DepthFirstTraverser.traverse_node_recursively)
    assert "self.nodes_to_be_processed()" in recursive and "self.process(node)" in recursive
    processors = [c for c in vars(validators).values()
                  if isinstance(c, type) and issubclass(c, ast_nodes.DepthFirstTraverser)
                  and c is not ast_nodes.DepthFirstTraverser]
    assert len(processors) >= 10
    for cls in processors:  # nobody overrides what the memo stands in for
        assert "nodes_to_be_processed" not in cls.__dict__ and "process" not in cls.__dict__, cls
        assert "_processing_map" in cls.__dict__, cls

    class _Table:
        table_key_attrs = ["id"]
        attribute_keys = ["id"]
        attr = []

    item = Item(None, None, attrs={"id": {"S": "a"}})
    validator = validators.UpdateExpressionValidator(
        unpatched("dynamodb_update_expression_cache").__func__(
            __import__("moto.dynamodb.parsing.expressions", fromlist=["x"]).UpdateExpressionParser, _UPDATE),
        expression_attribute_names={"#s": "status", "#v": "version"},
        expression_attribute_values={":s": {"S": "x"}, ":empty": {"L": []}, ":entry": {"L": [{"S": "e"}]},
                                     ":zero": {"N": "0"}, ":one": {"N": "1"}},
        item=item, table=_Table(),
    )
    for processor in validator.processors:  # a constant map: the same keys and the same methods every time
        first, second = processor._processing_map(), processor._processing_map()
        assert list(first) == list(second) and list(first.values()) == list(second.values())


def test_memoized_traversal_validates_like_moto(cloud):
    # the patched traversal ran in test_cached_update_expression_asts_stay_unchanged; here: errors still surface
    ddb = _orders_table(cloud)
    with pytest.raises(ddb.exceptions.ClientError, match="Cannot update attribute id"):
        ddb.update_item(TableName="contract-speed", Key={"id": {"S": "a"}}, UpdateExpression="SET id = :v",
                        ExpressionAttributeValues={":v": {"S": "b"}})
    with pytest.raises(ddb.exceptions.ClientError, match="document path"):
        ddb.update_item(TableName="contract-speed", Key={"id": {"S": "a"}}, UpdateExpression="SET a.b = :v",
                        ExpressionAttributeValues={":v": {"S": "b"}})
    ddb.update_item(TableName="contract-speed", Key={"id": {"S": "a"}}, UpdateExpression="SET n = :v",
                    ExpressionAttributeValues={":v": {"N": "1"}})
    assert ddb.get_item(TableName="contract-speed", Key={"id": {"S": "a"}})["Item"]["n"] == {"N": "1"}


@pytest.fixture
def cloud_free():
    """Asserts no LocalCloud is running (the patches are not installed)."""
    assert moto_patches.engine is None
    yield
    assert threading.active_count() >= 1


# ---------------------------------------------------------------- every AWS call (aws_calls.py)
@contract("aws_call_note")
def test_every_client_operation_goes_through_make_api_call(cloud_free):
    from botocore.client import BaseClient

    assert list(inspect.signature(unpatched("aws_call_note")).parameters) == ["self", "operation_name", "api_params"]
    with mock_aws(config=MOTO_CONFIG):
        import boto3

        seen = []
        real = BaseClient._make_api_call

        def spy(self, operation_name, api_params):
            seen.append((self.meta.service_model.service_name, operation_name, api_params))
            return real(self, operation_name, api_params)

        BaseClient._make_api_call = spy
        try:
            boto3.client("sqs", region_name="us-east-1").list_queues(QueueNamePrefix="x")
        finally:
            BaseClient._make_api_call = real
    assert seen == [("sqs", "ListQueues", {"QueueNamePrefix": "x"})]


@contract("aws_call_seam")
def test_mock_aws_answers_every_request_in_the_before_send_stubber(cloud_free):
    from botocore.handlers import BUILTIN_HANDLERS
    from moto.core.botocore_stubber import BotocoreStubber

    stubbers = [h for event, h, *_ in BUILTIN_HANDLERS if event == "before-send" and isinstance(h, BotocoreStubber)]
    assert len(stubbers) == 1
    assert list(inspect.signature(unpatched("aws_call_seam")).parameters) == ["self", "event_name", "request", "kwargs"]
    # patched: tests/localcloud/test_aws_calls.py


@contract("sdk_retry_sleep")
def test_sdk_retries_sleep_through_the_endpoint_module_time(cloud_free):
    from botocore.endpoint import Endpoint

    assert {"time", "sleep"} <= set(Endpoint._needs_retry.__code__.co_names)
    assert unpatched("sdk_retry_sleep").__name__ == "time"
    # patched: test_a_failed_call_fails_the_handler_with_the_aws_error records the backoff as a wait


@contract("sfn_events_task_error")
def test_events_task_passes_client_errors_to_the_generic_failure(cloud_free):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_events import (
        StateTaskServiceEvents,
    )

    names = unpatched("sfn_events_task_error").__code__.co_names
    assert "SfnFailedEntryCountException" in names and "ClientError" not in names
    assert "_from_error" in StateTaskServiceEvents.__dict__
    # patched: test_a_failed_call_fails_the_workflow_task_with_the_error_aws_reports
