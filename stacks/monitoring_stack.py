"""Operations for one stage: a CloudWatch dashboard of what the team runs on, and alarms on what needs a person.

Everything watched is found in the other stacks' construct trees (every function, inbox, dead-letter queue and state
machine), so a resource added later is on the dashboard and alarmed without a change here. Each alarm's description
names its runbook section (docs/runbook.md); a test keeps every anchor it names present.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct, IConstruct

from stacks.components.function import DomainFunction, metrics_namespace
from stacks.components.inbox import DomainInbox
from stacks.components.queue import DeadLetterQueue
from stacks.components.runbook import runbook
from stacks.domain_stack import DomainStack

# The Powertools metrics the functions emit (lambdas/eventing/observability.py), with the `service` dimension
# Powertools adds: the domain of the function (POWERTOOLS_SERVICE_NAME).
ORDERS_PLACED = "OrdersPlaced"
CHARGES = "Charges"
DUPLICATES_SUPPRESSED = "DuplicatesSuppressed"
POISON_RECORDS = "PoisonRecords"

FIVE_MINUTES = Duration.minutes(5)
# A message this old in an inbox means its consumer is stuck: a poison record reaches the dead-letter queue in about
# max-receive-count × the visibility timeout (5 × 60 s), and a healthy inbox drains in seconds.
OLDEST_MESSAGE_ALARM_SECONDS = 900
# Errors a function may have in five minutes before a person looks: single errors are retried by the caller (the
# client, Step Functions, SQS) and absorbed by idempotency; a run of them is a fault the retries will not fix.
FUNCTION_ERRORS_ALARM = 5
WIDTH = 24


class MonitoringStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        watched: Sequence[Stack],
        alarm_topic: sns.ITopic,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.namespace = metrics_namespace(stage)
        self._alarm_action = cw_actions.SnsAction(alarm_topic)
        found = [c for stack in watched for c in stack.node.find_all()]
        functions = [c for c in found if isinstance(c, DomainFunction)]
        inboxes = [c for c in found if isinstance(c, DomainInbox)]
        dead_letters = [c for c in found if isinstance(c, DeadLetterQueue)]
        state_machines = [c for c in found if isinstance(c, sfn.StateMachine)]
        services = sorted({stack.domain for stack in watched if isinstance(stack, DomainStack)})

        self.alarms: list[cloudwatch.IAlarm] = [d.alarm for d in dead_letters]
        for inbox in inboxes:
            for name, queue in (("Buffer", inbox.buffer.queue), ("Fifo", inbox.fifo.queue)):
                self._alarm(
                    f"{_label(inbox)}{name}OldestMessage",
                    queue.metric_approximate_age_of_oldest_message(period=FIVE_MINUTES, statistic="Maximum"),
                    threshold=OLDEST_MESSAGE_ALARM_SECONDS,
                    description=f"A message has waited over {OLDEST_MESSAGE_ALARM_SECONDS // 60} minutes in "
                    f"{_path(inbox)} {name}",
                    anchor="inbox-falling-behind",
                )
        express = [m for m in state_machines if _is_express(m)]
        for machine in state_machines:
            if machine in express:
                continue
            self._alarm(
                f"{_label(machine)}ExecutionsFailed",
                _sum(machine.metric_failed(), machine.metric_timed_out(), label="failed or timed out"),
                threshold=1,
                description=f"An execution of {_path(machine)} failed or timed out",
                anchor="workflow-execution-failed",
            )
        # An Express execution has no history to describe and sends no status-change event: its failures, time-outs
        # and throttled starts are seen here and in its log group only, and its runbook section differs.
        for machine in express:
            self._alarm(
                f"{_label(machine)}ExecutionsFailed",
                _sum(
                    machine.metric_failed(),
                    machine.metric_timed_out(),
                    machine.metric_throttled(),
                    label="failed, timed out or throttled",
                ),
                threshold=1,
                description=f"An Express execution of {_path(machine)} failed, timed out or was throttled",
                anchor="express-payment-failed",
            )
        for function in functions:
            self._alarm(
                f"{_label(function)}Errors",
                function.function.metric_errors(period=FIVE_MINUTES, statistic="Sum"),
                threshold=FUNCTION_ERRORS_ALARM,
                description=f"{_path(function)} failed {FUNCTION_ERRORS_ALARM} or more times in five minutes",
                anchor="function-errors",
            )

        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"OrderSystem-{stage}",
            default_interval=Duration.hours(3),
        )
        CfnOutput(self, "DashboardName", value=self.dashboard.dashboard_name, description="the stage's dashboard")
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown=f"# Order system, stage {stage}\nAlarms name their runbook section: `docs/runbook.md`. "
                f"Domain metrics are Powertools metrics in the `{self.namespace}` namespace.",
                width=WIDTH,
                height=2,
            )
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(alarms=self.alarms, title="Alarms", width=WIDTH, height=6)
        )
        self.dashboard.add_widgets(
            _graph(
                "Orders placed and cards charged",
                [self._domain(ORDERS_PLACED, "orders"), self._domain(CHARGES, "payments")],
            ),
            _graph("Duplicates suppressed, by domain", [self._domain(DUPLICATES_SUPPRESSED, s) for s in services]),
            _graph("Poison records rejected, by domain", [self._domain(POISON_RECORDS, s) for s in services]),
        )
        self.dashboard.add_widgets(
            _graph(
                "Dead-letter queues: messages waiting",
                [
                    d.queue.metric_approximate_number_of_messages_visible(
                        period=FIVE_MINUTES, statistic="Maximum", label=_path(d)
                    )
                    for d in dead_letters
                ],
                width=12,
            ),
            _graph(
                "Inboxes: age of the oldest message (s)",
                [
                    queue.metric_approximate_age_of_oldest_message(
                        period=FIVE_MINUTES, statistic="Maximum", label=f"{_path(inbox)} {name}"
                    )
                    for inbox in inboxes
                    for name, queue in (("buffer", inbox.buffer.queue), ("FIFO", inbox.fifo.queue))
                ],
                width=12,
            ),
        )
        self.dashboard.add_widgets(
            _graph(
                "Workflow executions failed, timed out, aborted",
                [
                    metric
                    for machine in state_machines
                    if machine not in express
                    for metric in (
                        machine.metric_failed(period=FIVE_MINUTES, label=f"{_path(machine)} failed"),
                        machine.metric_timed_out(period=FIVE_MINUTES, label=f"{_path(machine)} timed out"),
                        machine.metric_aborted(period=FIVE_MINUTES, label=f"{_path(machine)} aborted"),
                    )
                ],
                width=12,
            ),
            _graph(
                "Workflow executions started and succeeded",
                [
                    metric
                    for machine in state_machines
                    for metric in (
                        machine.metric_started(period=FIVE_MINUTES, label=f"{_path(machine)} started"),
                        machine.metric_succeeded(period=FIVE_MINUTES, label=f"{_path(machine)} succeeded"),
                    )
                ],
                width=12,
            ),
        )
        self.dashboard.add_widgets(
            _graph(
                "Express workflows: failed, timed out, throttled (no history: see their log groups)",
                [
                    metric
                    for machine in express
                    for metric in (
                        machine.metric_failed(period=FIVE_MINUTES, label=f"{_path(machine)} failed"),
                        machine.metric_timed_out(period=FIVE_MINUTES, label=f"{_path(machine)} timed out"),
                        machine.metric_throttled(period=FIVE_MINUTES, label=f"{_path(machine)} throttled"),
                    )
                ],
                width=WIDTH,
            )
        )
        self.dashboard.add_widgets(
            _graph(
                "Lambda errors",
                [f.function.metric_errors(period=FIVE_MINUTES, label=_path(f)) for f in functions],
                width=12,
            ),
            _graph(
                "Lambda throttles",
                [f.function.metric_throttles(period=FIVE_MINUTES, label=_path(f)) for f in functions],
                width=12,
            ),
        )

    def _domain(self, name: str, service: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=self.namespace,
            metric_name=name,
            dimensions_map={"service": service},
            statistic="Sum",
            period=FIVE_MINUTES,
            label=f"{name} ({service})",
        )

    def _alarm(
        self, construct_id: str, metric: cloudwatch.IMetric, *, threshold: float, description: str, anchor: str
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{description}. {runbook(anchor)}",
        )
        alarm.add_alarm_action(self._alarm_action)
        self.alarms.append(alarm)


def _sum(*metrics: cloudwatch.Metric, label: str) -> cloudwatch.MathExpression:
    """The sum of a workflow's metrics over five minutes, as one alarmable series."""
    names = [f"m{i}" for i in range(len(metrics))]
    return cloudwatch.MathExpression(
        expression=" + ".join(names),
        using_metrics={n: m.with_(period=FIVE_MINUTES) for n, m in zip(names, metrics, strict=True)},
        label=label,
        period=FIVE_MINUTES,
    )


def _is_express(machine: sfn.StateMachine) -> bool:
    cfn = cast(sfn.CfnStateMachine, machine.node.default_child)
    return cfn.state_machine_type == sfn.StateMachineType.EXPRESS.value


def _graph(title: str, metrics: Sequence[cloudwatch.IMetric], *, width: int = 8) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(title=title, left=list(metrics), width=width, height=6)


def _path(construct: IConstruct) -> str:
    """A construct's path without the stage prefix: "Payments/PaymentsInbox"."""
    stack, _, rest = construct.node.path.partition("/")
    return f"{stack.rsplit('-', 1)[-1]}/{rest}"


def _label(construct: IConstruct) -> str:
    """A construct id from a path: "PaymentsPaymentsInbox"."""
    return "".join(part[:1].upper() + part[1:] for part in _path(construct).split("/") if part != "Resource")
