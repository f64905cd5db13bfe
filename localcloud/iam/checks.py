"""The permission checks as one hook on the cloud's seams:

- `aws_call`: a handler's or a workflow task's AWS request is made with its role (the function's, the state
  machine's) and refused with the error AWS gives (`AccessDeniedException`; `KMS.AccessDeniedException` from SQS
  when the queue's key refuses). The test's own client ("" caller) is the administrator that provisioned the app.
- `deliver`: the hops AWS makes for the app: rule -> target (the queue policy, the function's permission, the
  target role, the log group's resource policy, and the queue's key policy), pipe -> target (the pipe's role and
  keys), queue -> function (the function's role and the queue's key).
- `invoke`: an HTTP API route's call of its function needs the function's `AWS::Lambda::Permission`.

A refused rule target sends the event to the target's dead-letter queue with the attributes EventBridge adds
(`RULE_ARN`, `TARGET_ARN`, `ERROR_CODE`, `ERROR_MESSAGE`) or, without one, drops it; a refused pipe or event source
mapping leaves the message in its queue. Every refusal is a `denied` entry in the timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..hooks import AwsCall, AwsCallError, Delivery, Invocation, InvokeResult
from ..timeline import Timeline
from .authorizer import Authorizer, Denial
from .documents import PolicyIndex
from .policy import Decision, Principal, evaluate
from .requests import RequestMapper

EVENTS = "events.amazonaws.com"
# Query-protocol services answer "AccessDenied" (403); Lambda "AccessDeniedException" with 403; the JSON ones 400.
_QUERY_SERVICES = {"sqs", "sns", "sts", "iam", "cloudwatch"}
_SQS_KEY_ACTIONS = {
    "SendMessage": ["kms:GenerateDataKey"],
    "SendMessageBatch": ["kms:GenerateDataKey"],
    "ReceiveMessage": ["kms:Decrypt"],
}
_CONSUMER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")


class DeliveryRefused(Exception):
    """A pipe could not use its source or target: the message stays in the source queue, as on AWS."""


class IamChecks:
    def __init__(
        self,
        index: PolicyIndex,
        *,
        timeline: Timeline,
        label: Callable[[str], str],
        dead_letter: Callable[[str, str, dict[str, Any]], None],
        token_state_machine: Callable[[str], str | None] = lambda _: None,
    ):
        self.index = index
        self.timeline = timeline
        self.label = label
        self.dead_letter = dead_letter
        self.mapper = RequestMapper(index, token_state_machine=token_state_machine)
        self.authorizer = Authorizer(index)
        self.region, self.account = index.region, index.account
        self.checked_calls = 0  # requests of handlers and workflows decided (the test's own are not)
        self.checked_hops = 0  # deliveries and routed invocations decided
        self._rule_targets: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        for rule in index.of_type("AWS::Events::Rule"):
            if rule.ref is None:
                continue
            for target in rule.props.get("Targets") or []:
                self._rule_targets[(label(rule.attrs["Arn"]), label(target["Arn"]))] = (rule.attrs["Arn"], target)
        self._pipes = {label(p.ref): p for p in index.of_type("AWS::Pipes::Pipe") if p.ref is not None}
        self._mappings = {}
        for m in index.of_type("AWS::Lambda::EventSourceMapping"):
            function = index.function_arn(m.props.get("FunctionName", "")).split(":function:")[1]
            self._mappings[(label(m.props.get("EventSourceArn", "")), label(function))] = (
                m.props.get("EventSourceArn", ""),
                function,
            )
        self._routes = {}
        for route in index.of_type("AWS::ApiGatewayV2::Route"):
            self._routes[route.props.get("RouteKey")] = route.props.get("ApiId")

    # ------------------------------------------------------------------ a handler's or a workflow's requests
    def aws_call(self, call: AwsCall, proceed: Callable[[], Any]) -> Any:
        role, session = self._role_of(call.caller)
        if role is None:
            return proceed()
        self.checked_calls += 1
        for action, resource in self.mapper.requested(call.service, call.operation, call.params):
            denial = self.authorizer.role_request(role, session, action, resource)
            if denial is None and call.service == "sqs":
                denial = self._queue_key(role, session, call.operation, resource)
                if denial is not None:
                    self._refuse(call, denial, "KMS.AccessDeniedException", 400)
            if denial is not None:
                code, status = _access_denied(call.service)
                self._refuse(call, denial, code, status)
        return proceed()

    def _role_of(self, caller: str) -> tuple[str | None, str]:
        if not caller:
            return None, ""
        if caller.startswith("states:"):
            execution = caller[len("states:") :]
            parts = execution.split(":")
            if len(parts) < 8:
                return None, ""
            machine = ":".join(parts[:5] + ["stateMachine", parts[6]])
            return self.index.state_machine_roles.get(machine) or None, parts[7]
        return self.index.function_roles.get(caller) or None, caller

    def _queue_key(self, role: str, session: str, operation: str, queue_arn: str) -> Denial | None:
        key = self.index.key_arn(queue_arn)
        if key is None:
            return None
        for action in _SQS_KEY_ACTIONS.get(operation, []):
            denial = self.authorizer.role_request(role, session, action, key)
            if denial is not None:
                return denial
        return None

    def _refuse(self, call: AwsCall, denial: Denial, code: str, status: int) -> None:
        self.timeline.record(
            "denied",
            self.label(call.caller.split(":", 1)[-1]) if call.caller else "client",
            f"{call.service}:{call.operation}",
            code=code,
            message=denial.message,
        )
        raise AwsCallError(code, denial.message, status)

    # ------------------------------------------------------------------ the hops AWS makes for the app
    def deliver(self, delivery: Delivery, proceed: Callable[[], Any]) -> Any:
        self.checked_hops += 1
        if delivery.kind == "rule":
            found = self._rule_targets.get((delivery.source, delivery.target))
            if found:
                error = self._rule_target(*found)
                if error:
                    return self._dead_letter(delivery, *found, *error)
        elif delivery.kind == "pipe" and delivery.source in self._pipes:
            pipe = self._pipes[delivery.source]
            denial = self._pipe(pipe.props, pipe.attrs.get("Arn"))
            if denial:
                self._record(delivery, "NO_PERMISSIONS", denial.message)
                raise DeliveryRefused(denial.message)
        elif delivery.kind == "esm" and (delivery.source, delivery.target) in self._mappings:
            queue_arn, function = self._mappings[(delivery.source, delivery.target)]
            denial = self._consumer(self.index.function_roles.get(function, ""), function, queue_arn)
            if denial:
                self._record(delivery, "AccessDeniedException", denial.message)
                return InvokeResult.failure("AccessDeniedException", denial.message)
        return proceed()

    def _rule_target(self, rule_arn: str, target: dict[str, Any]) -> tuple[str, str] | None:
        """(ERROR_CODE, ERROR_MESSAGE) if EventBridge may not deliver to this target."""
        arn = target["Arn"]
        service = arn.split(":")[2]
        source = {"aws:SourceArn": rule_arn}
        denial: Denial | None = None
        if service == "sqs":
            denial = self.authorizer.service_request(EVENTS, "sqs:SendMessage", arn, source)
            key = self.index.key_arn(arn)
            for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                if key is not None and denial is None:
                    denial = self.authorizer.service_request(EVENTS, action, key, source)
        elif service == "lambda":
            denial = self.authorizer.service_request(EVENTS, "lambda:InvokeFunction", arn, source)
        elif service == "logs":
            stream = f"{arn.removesuffix(':*')}:log-stream:localcloud-eventbridge"
            for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
                denial = denial or self.authorizer.service_request(EVENTS, action, stream, source)
        elif service == "states":
            role = target.get("RoleArn", "")
            if not self._trusts(role, EVENTS, rule_arn):
                return "FAILED_TO_ASSUME_ROLE", f"EventBridge could not assume the role {role or '(none)'}"
            denial = self.authorizer.role_request(role, "events", "states:StartExecution", arn)
        return ("NO_PERMISSIONS", denial.message) if denial else None

    def _trusts(self, role_arn: str, service: str, source_arn: str | None = None) -> bool:
        """Whether the role's trust policy lets `service` assume it, acting for `source_arn`."""
        role = self.index.role(role_arn)
        context = {"aws:SourceAccount": self.account, **({"aws:SourceArn": source_arn} if source_arn else {})}
        return (
            role is not None
            and evaluate(
                [role.trust],
                "sts:AssumeRole",
                role_arn,
                principal=Principal(service=service, account=self.account),
                context=context,
            )
            is Decision.ALLOW
        )

    def _dead_letter(self, delivery: Delivery, rule_arn: str, target: dict[str, Any], code: str, message: str) -> None:
        self._record(delivery, code, message)
        dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
        if not dlq:
            self.timeline.record(
                "dlq",
                f"rule:{delivery.source}",
                delivery.target,
                dropped=True,
                note="no dead-letter queue: the event is dropped",
            )
            return None
        refused = self.authorizer.service_request(EVENTS, "sqs:SendMessage", dlq, {"aws:SourceArn": rule_arn})
        key = self.index.key_arn(dlq)
        if refused is None and key is not None:
            refused = self.authorizer.service_request(EVENTS, "kms:GenerateDataKey", key, {"aws:SourceArn": rule_arn})
        if refused:
            self.timeline.record(
                "dlq",
                f"rule:{delivery.source}",
                self.label(dlq),
                dropped=True,
                note="EventBridge may not write to the dead-letter queue either",
                message=refused.message,
            )
            return None
        body = delivery.message if isinstance(delivery.message, str) else str(delivery.message)
        self.dead_letter(
            dlq, body, {"RULE_ARN": rule_arn, "TARGET_ARN": target["Arn"], "ERROR_CODE": code, "ERROR_MESSAGE": message}
        )
        self.timeline.record("dlq", f"rule:{delivery.source}", self.label(dlq), error_code=code)
        return None

    def _pipe(self, pipe: dict[str, Any], pipe_arn: str | None) -> Denial | None:
        role = pipe.get("RoleArn", "")
        if not self._trusts(role, "pipes.amazonaws.com", pipe_arn):
            return Denial(
                "pipes.amazonaws.com", "sts:AssumeRole", role, "because the role's trust policy does not allow it"
            )
        denial = self._consumer(role, "pipe", pipe["Source"])
        if denial:
            return denial
        target = pipe["Target"]
        denial = self.authorizer.role_request(role, "pipe", "sqs:SendMessage", target)
        key = self.index.key_arn(target)
        if denial is None and key is not None:
            denial = self.authorizer.role_request(role, "pipe", "kms:GenerateDataKey", key)
        return denial

    def _consumer(self, role: str, session: str, queue_arn: str) -> Denial | None:
        for action in _CONSUMER_ACTIONS:
            denial = self.authorizer.role_request(role, session, action, queue_arn)
            if denial:
                return denial
        key = self.index.key_arn(queue_arn)
        return None if key is None else self.authorizer.role_request(role, session, "kms:Decrypt", key)

    def _record(self, delivery: Delivery, code: str, message: str) -> None:
        self.timeline.record(
            "denied", f"{delivery.kind}:{delivery.source}", delivery.target, code=code, message=message
        )

    # ------------------------------------------------------------------ API Gateway -> function
    def invoke(self, call: Invocation, proceed: Callable[[], InvokeResult]) -> InvokeResult:
        if not call.source.startswith("http:"):
            return proceed()
        self.checked_hops += 1
        route_key = call.source[len("http:") :]
        api = self._routes.get(route_key)
        method, _, path = route_key.partition(" ")
        source_arn = f"arn:aws:execute-api:{self.region}:{self.account}:{api}/$default/{method}{path}"
        function_arn = self.index.function_arn(call.function)
        denial = self.authorizer.service_request(
            "apigateway.amazonaws.com", "lambda:InvokeFunction", function_arn, {"aws:SourceArn": source_arn}
        )
        if denial:
            self.timeline.record(
                "denied",
                f"http:{route_key}",
                self.label(call.function),
                code="AccessDeniedException",
                message=denial.message,
            )
            return InvokeResult.failure("AccessDeniedException", denial.message)
        return proceed()


def _access_denied(service: str) -> tuple[str, int]:
    if service in _QUERY_SERVICES:
        return "AccessDenied", 403
    return "AccessDeniedException", 403 if service == "lambda" else 400
