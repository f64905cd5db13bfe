"""Creates the templates' resources in moto through the service APIs, stack by stack in dependency order and, within
a stack, in reference order. Physical names are generated the way CloudFormation does ("<stack>-<logicalId>-<suffix>",
FIFO queues end in ".fifo"), deterministically, so names are the same on every run."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .assembly import CloudAssembly, Resource, Stack
from .intrinsics import NO_VALUE, Resolver, UnresolvableError, references
from .ssm_parameters import put_local_parameters, template_parameter_values

log = logging.getLogger("localcloud")

ACCOUNT = "123456789012"  # moto's default account

# Types that have no local effect, with the reason shown once at start.
NOT_RUN_REASONS = {
    "AWS::IAM::Policy": "IAM is not enforced locally",
    "AWS::IAM::ManagedPolicy": "IAM is not enforced locally",
    "AWS::Lambda::Permission": "resource policies are not enforced locally",
    "AWS::SQS::QueuePolicy": "resource policies are not enforced locally",
    "AWS::Events::EventBusPolicy": "resource policies are not enforced locally",
    "AWS::Logs::ResourcePolicy": "resource policies are not enforced locally",
    "AWS::SNS::TopicPolicy": "resource policies are not enforced locally",
    "AWS::SNS::Subscription": "SNS subscriptions are not delivered locally",
    "AWS::CloudWatch::Alarm": "alarms are not evaluated locally",
    "AWS::CloudWatch::Dashboard": "dashboards are not rendered locally",
    "AWS::CDK::Metadata": "CDK version reporting",
    "AWS::Lambda::LayerVersion": "layers are not used: the venv provides the libraries",
    "AWS::EventSchemas::Registry": "the schema registry is documentation for consumers; nothing runs it",
    "AWS::EventSchemas::Schema": "the schema registry is documentation for consumers; nothing runs it",
}


@dataclass
class Provisioned:
    stack: str
    logical_id: str
    type: str
    path: str | None
    ref: Any
    attrs: dict[str, Any] = field(default_factory=dict)
    physical: dict[str, Any] = field(default_factory=dict)  # type-specific facts (queue url, function spec, ...)

    @property
    def construct_id(self) -> str:
        if not self.path:
            return self.logical_id
        parts = self.path.strip("/").split("/")
        if parts[-1] in ("Resource", "Default") and len(parts) > 1:
            parts = parts[:-1]
        return parts[-1]

    @property
    def short_path(self) -> str:
        if not self.path:
            return self.logical_id
        parts = self.path.strip("/").split("/")[1:]
        if parts and parts[-1] in ("Resource", "Default"):
            parts = parts[:-1]
        return "/".join(parts) or self.logical_id


    @property
    def label(self) -> str:
        """How the timeline names it: the short path without a generic last segment ("ChargeCard/Function" ->
        "ChargeCard", "PaymentsInbox/Fifo/Queue" -> "PaymentsInbox/Fifo")."""
        path = self.short_path
        for generic, type_ in (("/Function", "AWS::Lambda::Function"), ("/Queue", "AWS::SQS::Queue"),
                               ("/StateMachine", "AWS::StepFunctions::StateMachine")):
            if self.type == type_ and path.endswith(generic):
                return path[: -len(generic)]
        return path


@dataclass
class NotRun:
    stack: str
    logical_id: str
    type: str
    path: str | None
    reason: str


class Registry:
    """Every provisioned resource, addressable by construct path, short path, construct id, logical id or name."""

    def __init__(self) -> None:
        self.items: list[Provisioned] = []

    def add(self, item: Provisioned) -> None:
        self.items.append(item)

    def of_type(self, type_: str) -> list[Provisioned]:
        return [i for i in self.items if i.type == type_]

    def find(self, name: str, type_: str | None = None) -> Provisioned:
        candidates = [i for i in self.items if type_ is None or i.type == type_]
        for key in (
            lambda i: i.path and i.path.strip("/") == name.strip("/"),
            lambda i: i.path and i.path.strip("/") == name.strip("/") + "/Resource",
            lambda i: i.short_path == name,
            lambda i: i.logical_id == name,
            lambda i: i.label == name,
            lambda i: i.construct_id == name,
            lambda i: name in _names(i),
            lambda i: i.short_path.endswith("/" + name),
            lambda i: name in i.short_path.split("/"),
        ):
            found = [i for i in candidates if key(i)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise LookupError(f"{name!r} is ambiguous: " + ", ".join(f"{i.stack}/{i.short_path}" for i in found))
        kinds = f" of type {type_}" if type_ else ""
        known = ", ".join(sorted(i.short_path for i in candidates))
        raise LookupError(f"no resource {name!r}{kinds}; known: {known}")


def _names(item: Provisioned) -> set[str]:
    names = {str(item.ref)}
    names.update(str(v) for v in item.attrs.values() if isinstance(v, str))
    return names


def physical_name(stack_name: str, logical_id: str, max_length: int, suffix: str = "") -> str:
    digest = base64.b32encode(hashlib.sha1(f"{stack_name}/{logical_id}".encode()).digest()).decode()[:13]
    room = max_length - len(suffix) - len(digest) - 2
    stack_part = stack_name[: max(1, room // 2)] if len(stack_name) + len(logical_id) > room else stack_name
    logical_part = logical_id[: max(1, room - len(stack_part))]
    return f"{stack_part}-{logical_part}-{digest}{suffix}"


def _dummy_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


_DUMMY_ZIP = _dummy_zip()


class Provisioner:
    def __init__(self, assembly: CloudAssembly, *, region: str, clients: Callable[[str], Any], on_function, on_esm,
                 on_pipe, on_route):
        self.assembly = assembly
        self.region = region
        self.client = clients
        self.registry = Registry()
        self.not_run: list[NotRun] = []
        self.exports: dict[str, Any] = {}
        self.resolvers: dict[str, Resolver] = {}  # per stack, after provisioning: the permission checks read policies
        self.on_function = on_function
        self.on_esm = on_esm
        self.on_pipe = on_pipe
        self.on_route = on_route
        put_local_parameters(ACCOUNT, region)
        self._handlers: dict[str, Callable[[Stack, Resource, dict], Provisioned | None]] = {
            "AWS::Events::EventBus": self._event_bus,
            "AWS::Events::Archive": self._archive,
            "AWS::Events::Rule": self._rule,
            "AWS::SQS::Queue": self._queue,
            "AWS::DynamoDB::Table": self._table,
            "AWS::DynamoDB::GlobalTable": self._global_table,
            "AWS::SNS::Topic": self._topic,
            "AWS::IAM::Role": self._role,
            "AWS::Lambda::Function": self._function,
            "AWS::Lambda::EventSourceMapping": self._esm,
            "AWS::Logs::LogGroup": self._log_group,
            "AWS::StepFunctions::StateMachine": self._state_machine,
            "AWS::Pipes::Pipe": self._pipe,
            "AWS::ApiGatewayV2::Api": self._api,
            "AWS::ApiGatewayV2::Integration": self._integration,
            "AWS::ApiGatewayV2::Route": self._route,
            "AWS::ApiGatewayV2::Stage": self._stage,
            "AWS::KMS::Key": self._kms_key,
            "AWS::KMS::Alias": self._kms_alias,
        }

    # ------------------------------------------------------------------ driver
    def provision_all(self) -> None:
        for stack in self.assembly.stacks:
            self.provision_stack(stack)

    def provision_stack(self, stack: Stack) -> None:
        done: dict[str, Provisioned | None] = {}
        resolver = Resolver(
            pseudo={
                "AWS::AccountId": ACCOUNT,
                "AWS::Region": self.region,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackName": stack.stack_name,
                "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{ACCOUNT}:stack/{stack.stack_name}/"
                + str(uuid.uuid5(uuid.NAMESPACE_URL, stack.stack_name)),
                "AWS::NotificationARNs": [],
            },
            parameters=template_parameter_values(stack.template.get("Parameters", {}), self.client("ssm")),
            conditions=stack.template.get("Conditions", {}),
            ref=lambda lid: self._ref(stack, done, lid),
            getatt=lambda lid, attr: self._getatt(stack, done, lid, attr),
            exports=self.exports,
        )
        self._resolver = resolver
        self.resolvers[stack.name] = resolver
        for resource in self._order(stack):
            if resource.condition and not resolver.condition(resource.condition):
                done[resource.logical_id] = None
                continue
            handler = self._handlers.get(resource.type)
            if handler is None:
                reason = NOT_RUN_REASONS.get(resource.type) or (
                    "custom resources are not run locally" if resource.type.startswith("Custom::")
                    or resource.type == "AWS::CloudFormation::CustomResource" else "not supported by the local cloud"
                )
                self.not_run.append(NotRun(stack.name, resource.logical_id, resource.type, resource.path, reason))
                done[resource.logical_id] = None
                continue
            try:
                props = resolver.resolve(resource.properties)
            except UnresolvableError as exc:
                raise UnresolvableError(f"{stack.name}/{resource.logical_id} ({resource.type}): {exc}") from exc
            item = handler(stack, resource, props)
            done[resource.logical_id] = item
            if item is not None:
                self.registry.add(item)
        for name, output in stack.template.get("Outputs", {}).items():
            export = output.get("Export")
            try:
                value = resolver.resolve(output["Value"])
            except UnresolvableError:
                continue
            if export:
                self.exports[resolver.resolve(export["Name"])] = value

    def _order(self, stack: Stack) -> list[Resource]:
        resources = stack.resources
        ordered: list[Resource] = []
        state: dict[str, int] = {}

        def visit(lid: str, trail: tuple[str, ...]) -> None:
            if state.get(lid) == 2:
                return
            if state.get(lid) == 1:
                raise ValueError(f"{stack.name}: reference cycle {' -> '.join(trail + (lid,))}")
            state[lid] = 1
            r = resources[lid]
            deps = references(r.properties) | set(r.depends_on)
            for dep in sorted(deps):
                if dep in resources:
                    visit(dep, trail + (lid,))
            state[lid] = 2
            ordered.append(r)

        for lid in resources:
            visit(lid, ())
        return ordered

    def _ref(self, stack: Stack, done: dict, logical_id: str) -> Any:
        if logical_id not in done:
            raise UnresolvableError(f"Ref {logical_id}: not created yet (or not in {stack.name})")
        item = done[logical_id]
        return f"{logical_id}-not-run-locally" if item is None else item.ref

    def _getatt(self, stack: Stack, done: dict, logical_id: str, attribute: str) -> Any:
        if logical_id not in done:
            raise UnresolvableError(f"Fn::GetAtt {logical_id}.{attribute}: not created yet")
        item = done[logical_id]
        if item is None:
            return f"{logical_id}-{attribute}-not-run-locally"
        if attribute not in item.attrs:
            raise UnresolvableError(f"Fn::GetAtt {logical_id}.{attribute}: the local cloud does not know this attribute")
        return item.attrs[attribute]

    def _item(self, stack: Stack, r: Resource, ref: Any, attrs: dict | None = None, **physical: Any) -> Provisioned:
        return Provisioned(stack.name, r.logical_id, r.type, r.path, ref, attrs or {}, physical)

    def _name(self, stack: Stack, r: Resource, max_length: int, suffix: str = "") -> str:
        return physical_name(stack.stack_name, r.logical_id, max_length, suffix)

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT}:{resource}"

    # ------------------------------------------------------------------ EventBridge
    def _event_bus(self, stack, r, p):
        name = p["Name"]
        if name != "default":
            self.client("events").create_event_bus(Name=name)
        arn = self._arn("events", f"event-bus/{name}")
        return self._item(stack, r, name, {"Arn": arn, "Name": name}, name=name)

    def _archive(self, stack, r, p):
        name = p.get("ArchiveName") or self._name(stack, r, 48)
        kwargs = {"ArchiveName": name, "EventSourceArn": p["SourceArn"]}
        if p.get("Description"):
            kwargs["Description"] = p["Description"]
        if p.get("EventPattern"):
            kwargs["EventPattern"] = json.dumps(p["EventPattern"])
        if p.get("RetentionDays") is not None:
            kwargs["RetentionDays"] = int(p["RetentionDays"])
        arn = self.client("events").create_archive(**kwargs)["ArchiveArn"]
        return self._item(stack, r, name, {"Arn": arn, "ArchiveName": name}, name=name)

    def _rule(self, stack, r, p):
        name = p.get("Name") or self._name(stack, r, 64)
        bus = p.get("EventBusName") or "default"
        bus_name = bus.split("/")[-1] if bus.startswith("arn:") else bus
        events = self.client("events")
        kwargs: dict[str, Any] = {"Name": name, "EventBusName": bus_name, "State": p.get("State", "ENABLED")}
        if "EventPattern" in p:
            kwargs["EventPattern"] = p["EventPattern"] if isinstance(p["EventPattern"], str) else json.dumps(p["EventPattern"])
        if "ScheduleExpression" in p:
            kwargs["ScheduleExpression"] = p["ScheduleExpression"]
            self.not_run.append(NotRun(stack.name, r.logical_id, r.type + " (ScheduleExpression)", r.path,
                                       "scheduled rules never fire locally; put the event yourself"))
        if p.get("Description"):
            kwargs["Description"] = p["Description"]
        arn = events.put_rule(**kwargs)["RuleArn"]
        targets = []
        for t in p.get("Targets", []):
            target = {k: v for k, v in t.items() if k in (
                "Id", "Arn", "RoleArn", "Input", "InputPath", "InputTransformer", "SqsParameters", "RetryPolicy",
                "DeadLetterConfig", "HttpParameters", "EcsParameters", "BatchParameters", "KinesisParameters",
                "RunCommandParameters", "RedshiftDataParameters", "SageMakerPipelineParameters", "AppSyncParameters")}
            targets.append(target)
        if targets:
            response = events.put_targets(Rule=name, EventBusName=bus_name, Targets=targets)
            if response.get("FailedEntryCount"):
                raise RuntimeError(f"{stack.name}/{r.logical_id}: put_targets failed: {response['FailedEntries']}")
        ref = name if bus_name == "default" else f"{bus_name}|{name}"
        return self._item(stack, r, ref, {"Arn": arn}, name=name, bus=bus_name)

    # ------------------------------------------------------------------ SQS
    _QUEUE_ATTRIBUTES = (
        "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout", "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
        "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "RedrivePolicy",
        "RedriveAllowPolicy",
    )

    def _queue(self, stack, r, p):
        fifo = str(p.get("FifoQueue", "false")).lower() == "true"
        name = p.get("QueueName") or self._name(stack, r, 80, ".fifo" if fifo else "")
        attributes = {}
        for key in self._QUEUE_ATTRIBUTES:
            if key in p:
                value = p[key]
                if isinstance(value, (dict, list)):
                    value = json.dumps(value)
                elif isinstance(value, bool):
                    value = "true" if value else "false"
                attributes[key] = str(value)
        url = self.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self._arn("sqs", name)
        redrive = json.loads(attributes["RedrivePolicy"]) if "RedrivePolicy" in attributes else None
        return self._item(stack, r, url, {"Arn": arn, "QueueName": name, "QueueUrl": url},
                          name=name, url=url, fifo=fifo, redrive=redrive)

    # ------------------------------------------------------------------ DynamoDB
    def _table(self, stack, r, p):
        name = p.get("TableName") or self._name(stack, r, 255)
        kwargs: dict[str, Any] = {
            "TableName": name,
            "KeySchema": p["KeySchema"],
            "AttributeDefinitions": p["AttributeDefinitions"],
            "BillingMode": p.get("BillingMode", "PROVISIONED"),
        }
        throughput = p.get("ProvisionedThroughput") or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        if kwargs["BillingMode"] == "PROVISIONED":
            kwargs["ProvisionedThroughput"] = {k: int(v) for k, v in throughput.items()}
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if p.get(key):
                indexes = []
                for index in p[key]:
                    clean = {k: v for k, v in index.items() if k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")}
                    if kwargs["BillingMode"] == "PROVISIONED" and key == "GlobalSecondaryIndexes":
                        clean.setdefault("ProvisionedThroughput", kwargs["ProvisionedThroughput"])
                    indexes.append(clean)
                kwargs[key] = indexes
        if p.get("StreamSpecification"):
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
        dynamodb = self.client("dynamodb")
        description = dynamodb.create_table(**kwargs)["TableDescription"]
        ttl = p.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
                "AttributeName": ttl["AttributeName"], "Enabled": True})
        attrs = {"Arn": description["TableArn"]}
        if description.get("LatestStreamArn"):
            attrs["StreamArn"] = description["LatestStreamArn"]
        return self._item(stack, r, name, attrs, name=name)

    def _global_table(self, stack, r, p):
        # TableV2: one replica, this region. Per-replica settings (TTL is table-level here) are folded in.
        props = dict(p)
        props.setdefault("BillingMode", "PAY_PER_REQUEST" if "WriteProvisionedThroughputSettings" not in p else "PROVISIONED")
        if props["BillingMode"] == "PROVISIONED":
            write = (p.get("WriteProvisionedThroughputSettings") or {}).get("WriteCapacityAutoScalingSettings", {})
            props["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": int(write.get("MinCapacity", 5))}
        item = self._table(stack, r, props)
        item.attrs.setdefault("TableId", str(uuid.uuid5(uuid.NAMESPACE_URL, item.ref)))
        return item

    def _topic(self, stack, r, p):
        fifo = str(p.get("FifoTopic", "false")).lower() == "true"
        name = p.get("TopicName") or self._name(stack, r, 256, ".fifo" if fifo else "")
        attributes = {"FifoTopic": "true"} if fifo else {}
        arn = self.client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]
        return self._item(stack, r, arn, {"TopicArn": arn, "TopicName": name}, name=name)

    # ------------------------------------------------------------------ IAM (created because Lambda needs a role)
    def _role(self, stack, r, p):
        name = p.get("RoleName") or self._name(stack, r, 64)
        document = p.get("AssumeRolePolicyDocument", {})
        role = self.client("iam").create_role(
            RoleName=name, Path=p.get("Path", "/"),
            AssumeRolePolicyDocument=document if isinstance(document, str) else json.dumps(document),
        )["Role"]
        return self._item(stack, r, name, {"Arn": role["Arn"], "RoleId": role["RoleId"]}, name=name)

    # ------------------------------------------------------------------ Lambda
    def _function(self, stack, r, p):
        from .lambda_.runtime import FunctionSpec

        name = p.get("FunctionName") or self._name(stack, r, 64)
        runtime = p.get("Runtime", "")
        env = {k: _env_text(v) for k, v in (p.get("Environment") or {}).get("Variables", {}).items()}
        role = p.get("Role") or self._arn("iam", "role/localcloud")
        fn = self.client("lambda").create_function(
            FunctionName=name, Runtime=runtime or "python3.13", Role=role, Handler=p.get("Handler", "index.handler"),
            Code={"ZipFile": _DUMMY_ZIP}, Timeout=int(p.get("Timeout", 3)), MemorySize=int(p.get("MemorySize", 128)),
            Environment={"Variables": env},
        )
        arn = fn["FunctionArn"]
        code = p.get("Code", {})
        asset_dir: Path | None = None
        runnable, reason = True, ""
        if not runtime.startswith("python"):
            runnable, reason = False, f"runtime {runtime or '(container image)'} is not run locally (Python only)"
        elif "S3Key" in code:
            try:
                asset_dir = stack.asset(code["S3Key"])
            except KeyError as exc:
                runnable, reason = False, str(exc)
            else:
                if not asset_dir.is_dir():
                    runnable, reason = False, f"asset {asset_dir} is not a directory"
        elif "ZipFile" in code:
            runnable, reason = False, "inline code (Code.ZipFile) is not run locally"
        else:
            runnable, reason = False, "code is neither an asset nor inline"
        if not runnable:
            self.not_run.append(NotRun(stack.name, r.logical_id, f"{r.type} ({runtime or 'image'})", r.path, reason))
        log_group = (p.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{name}"
        spec = FunctionSpec(
            name=name, arn=arn, handler=p.get("Handler", ""), runtime=runtime, timeout=int(p.get("Timeout", 3)),
            memory=int(p.get("MemorySize", 128)), environment=env, asset_dir=asset_dir, logical_id=r.logical_id,
            path=r.path, log_group=log_group, runnable=runnable, reason=reason,
        )
        item = self._item(stack, r, name, {"Arn": arn}, name=name, spec=spec)
        self.on_function(item, spec)
        return item

    def _esm(self, stack, r, p):
        # Not created in moto: moto's own SQS->Lambda mapping has the wrong semantics; the pollers do it.
        mapping_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{stack.name}/{r.logical_id}"))
        source = p.get("EventSourceArn", "")
        if ":sqs:" not in source:
            self.not_run.append(NotRun(stack.name, r.logical_id, r.type, r.path,
                                       f"event source {source.split(':')[2] if ':' in source else source} is not polled locally"))
            return self._item(stack, r, mapping_id, {"Id": mapping_id})
        item = self._item(stack, r, mapping_id, {"Id": mapping_id}, mapping=p)
        self.on_esm(item, p)
        return item

    # ------------------------------------------------------------------ Logs
    def _log_group(self, stack, r, p):
        name = p.get("LogGroupName") or self._name(stack, r, 512)
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name)
        if p.get("RetentionInDays"):
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(p["RetentionInDays"]))
        return self._item(stack, r, name, {"Arn": self._arn("logs", f"log-group:{name}:*")}, name=name)

    # ------------------------------------------------------------------ Step Functions
    def _state_machine(self, stack, r, p):
        name = p.get("StateMachineName") or self._name(stack, r, 80)
        if "DefinitionString" in p:
            definition = p["DefinitionString"]
        elif "Definition" in p:
            definition = json.dumps(p["Definition"])
        elif "DefinitionS3Location" in p:
            definition = stack.asset(p["DefinitionS3Location"]["Key"]).read_text()
        else:
            raise ValueError(f"{stack.name}/{r.logical_id}: no definition")
        for key, value in (p.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace("${" + key + "}", _env_text(value))
        kwargs = {"name": name, "definition": definition, "roleArn": p.get("RoleArn") or self._arn("iam", "role/localcloud"),
                  "type": p.get("StateMachineType", "STANDARD")}
        arn = self.client("stepfunctions").create_state_machine(**kwargs)["stateMachineArn"]
        return self._item(stack, r, arn, {"Arn": arn, "Name": name, "StateMachineRevisionId": "1"},
                          name=name, definition=definition)

    # ------------------------------------------------------------------ Pipes
    def _pipe(self, stack, r, p):
        name = p.get("Name") or self._name(stack, r, 64)
        kwargs = {"Name": name, "Source": p["Source"], "Target": p["Target"], "RoleArn": p["RoleArn"],
                  "DesiredState": p.get("DesiredState", "RUNNING")}
        for key in ("SourceParameters", "TargetParameters", "Enrichment", "EnrichmentParameters", "Description"):
            if p.get(key):
                kwargs[key] = p[key]
        arn = self.client("pipes").create_pipe(**kwargs)["Arn"]
        item = self._item(stack, r, name, {"Arn": arn}, name=name, pipe=p)
        problems = []
        if ":sqs:" not in p["Source"]:
            problems.append("only SQS pipe sources are polled locally")
        if ":sqs:" not in p["Target"]:
            problems.append("only SQS pipe targets are run locally")
        if p.get("Enrichment"):
            problems.append("pipe enrichment is not run locally")
        if problems:
            self.not_run.append(NotRun(stack.name, r.logical_id, r.type, r.path, "; ".join(problems)))
        else:
            self.on_pipe(item, p)
        return item

    # ------------------------------------------------------------------ API Gateway v2
    # Kept by the local router, not in moto: moto's apigatewayv2 imports moto.apigateway, which needs
    # openapi-spec-validator (not installed), and stores nothing the router needs.
    def _local_id(self, stack, r) -> str:
        digest = hashlib.sha1(f"{stack.stack_name}/{r.logical_id}".encode()).hexdigest()
        return "".join(c for c in digest if c.isalnum())[:10]

    def _api(self, stack, r, p):
        api_id = self._local_id(stack, r)
        endpoint = f"https://{api_id}.execute-api.{self.region}.amazonaws.com"
        if p.get("ProtocolType", "HTTP") != "HTTP":
            self.not_run.append(NotRun(stack.name, r.logical_id, r.type, r.path, "only HTTP APIs are routed locally"))
        return self._item(stack, r, api_id, {"ApiId": api_id, "ApiEndpoint": endpoint}, api_id=api_id, name=p.get("Name"))

    def _integration(self, stack, r, p):
        return self._item(stack, r, self._local_id(stack, r), {}, integration=p)

    def _route(self, stack, r, p):
        item = self._item(stack, r, self._local_id(stack, r), {}, route=p)
        self.on_route(item, p)
        return item

    def _stage(self, stack, r, p):
        return self._item(stack, r, p.get("StageName", "$default"), {})

    # ------------------------------------------------------------------ KMS (queues and tables may name a key)
    def _kms_key(self, stack, r, p):
        key = self.client("kms").create_key(Description=p.get("Description", r.logical_id))["KeyMetadata"]
        return self._item(stack, r, key["KeyId"], {"Arn": key["Arn"], "KeyId": key["KeyId"]})

    def _kms_alias(self, stack, r, p):
        self.client("kms").create_alias(AliasName=p["AliasName"], TargetKeyId=p["TargetKeyId"])
        return self._item(stack, r, p["AliasName"], {})


def _env_text(value: Any) -> str:
    if value is NO_VALUE:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)
