"""Contracts of localcloud/patches/stepfunctions.py and stepfunctions_engine.py (timers: test_stepfunctions_time.py)."""

import inspect
import json

import pytest
from moto import mock_aws

from localcloud.cloud import MOTO_CONFIG
from localcloud.patches import stepfunctions_engine
from tests.localcloud.patches.contracts import contract, unpatched


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
            name="m",
            roleArn="arn:aws:iam::123456789012:role/r",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        )["stateMachineArn"]
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        backend = stepfunctions_parser_backends["123456789012"]["us-east-1"]
        first = unpatched("sfn_execution_names")(backend, arn, None, "{}")
        assert first.exec_arn.endswith(":None")
        from moto.stepfunctions.exceptions import ExecutionAlreadyExists

        try:  # a second unnamed start collides with the first: it returns it while running, raises once it ended
            second = unpatched("sfn_execution_names")(backend, arn, None, "{}")
        except ExecutionAlreadyExists:
            return
        assert second is first


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
    modules = stepfunctions_engine._modules_importing_boto_client_for()
    assert len(modules) >= 5


def test_asl_engine_reuses_clients(cloud):
    cloud.start_execution("Child", {"item_id": "a"})
    cloud.start_execution("Child", {"item_id": "b"})
    cloud.run_until_quiet()
    assert list(stepfunctions_engine._client_cache) == [("us-east-1", "lambda")]


@contract("sfn_definition_cache")
def test_programs_keep_their_state_in_the_environment(cloud):

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


@contract("sfn_send_task_success", "sfn_send_task_failure")
def test_task_token_answers(cloud_free):
    assert list(inspect.signature(unpatched("sfn_send_task_success")).parameters)[:2] == ["self", "task_token"]
    assert list(inspect.signature(unpatched("sfn_send_task_failure")).parameters)[:2] == ["self", "task_token"]
    # patched: test_state_machine_with_callback_nested_sync_and_put_events and test_send_task_failure_goes_to_catch
    # (the waits themselves: test_stepfunctions_time.py)


@contract("sfn_jsonata")
def test_jsonata_evaluator_is_a_stub(cloud_free):
    from moto.stepfunctions.parser.asl.jsonata import jsonata

    assert unpatched("sfn_jsonata") is None
    with pytest.raises(TypeError):
        jsonata.eval_jsonata_expression("1 + 2")


def test_jsonata_states_run(cloud):
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $states.input.a + 1 %}", "End": True}},
    }
    sfn = cloud.client("stepfunctions")
    arn = sfn.create_state_machine(
        name="jsonata", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"a": 41}))["executionArn"]
    cloud.run_until_quiet()
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == 42


@contract("sfn_events_task_error")
def test_events_task_passes_client_errors_to_the_generic_failure(cloud_free):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_events import (
        StateTaskServiceEvents,
    )

    names = unpatched("sfn_events_task_error").__code__.co_names
    assert "SfnFailedEntryCountException" in names and "ClientError" not in names
    assert "_from_error" in StateTaskServiceEvents.__dict__
    # patched: test_a_failed_call_fails_the_workflow_task_with_the_error_aws_reports


@contract("sfn_answerable_executions")
def test_task_answers_dereference_every_listed_executions_environment(cloud_free):
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    for method in ("send_task_success", "send_task_failure", "send_task_heartbeat", "describe_map_run"):
        source = inspect.getsource(getattr(StepFunctionsParserBackend, method))
        assert "self._get_executions(" in source and "execution.exec_worker.env." in source, method
    backend = StepFunctionsParserBackend("us-east-1", "123456789012")

    class Starting:  # an execution whose thread has not run yet
        status = "RUNNING"
        exec_worker = type("Worker", (), {"env": None})()

    backend.state_machines = [type("Machine", (), {"executions": [Starting()]})()]
    assert len(unpatched("sfn_answerable_executions")(backend)) == 1  # listed: send_task_* would dereference None


def test_an_answer_skips_an_execution_still_starting(cloud):
    from localcloud.patches import stepfunctions

    class Starting:
        status = "RUNNING"
        exec_worker = type("Worker", (), {"env": None})()

    backend = type("Backend", (), {"state_machines": [type("Machine", (), {"executions": [Starting()]})()]})()
    assert stepfunctions._answerable_executions(backend) == []
