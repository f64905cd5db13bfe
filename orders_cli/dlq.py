"""Dead-letter queues: each message with the reason it is there, and the redrive back to where it came from."""

from __future__ import annotations

import json
from typing import Any

import click

from orders_cli.errors import BadInput, Refused
from orders_cli.messaging import put_event
from orders_cli.ui import State, pass_state

URL, ARN = "DeadLetterQueueUrl", "DeadLetterQueueArn"
PEEK = 10  # SQS returns at most 10 messages a receive


def dead_letter_queues(state: State) -> dict[str, str]:
    """Every dead-letter queue of the stage by name (the output key without `QueueUrl`), from the stack outputs."""
    return {key.removesuffix("QueueUrl"): url for key, url in state.target.outputs_ending(URL).items()}


def peek(state: State, url: str, count: int = PEEK) -> list[dict[str, Any]]:
    """Up to `count` messages, received with visibility 0 so they stay for the next reader."""
    answer = state.target.client("sqs").receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=min(count, PEEK),
        VisibilityTimeout=0,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    )
    return list(answer.get("Messages", []))


def waiting(state: State, url: str) -> int:
    """How many messages the queue holds, visible or in flight (SQS's approximate counts)."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = state.target.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)


def _source(state: State, url: str) -> str | None:
    sources = state.target.client("sqs").list_dead_letter_source_queues(QueueUrl=url).get("queueUrls", [])
    return str(sources[0]) if len(sources) == 1 else None


def consumer_log_groups(state: State, queue_url: str) -> list[str]:
    """Where the consumer of `queue_url` logs: its event source mapping's function's log group; where mappings are not
    listed (the local cloud runs its own pollers), every log group of the queue's stack."""
    sqs, lam = state.target.client("sqs"), state.target.client("lambda")
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    mappings = lam.list_event_source_mappings(EventSourceArn=arn).get("EventSourceMappings", [])
    if mappings:
        config = lam.get_function_configuration(FunctionName=mappings[0]["FunctionArn"])
        return [str((config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{config['FunctionName']}")]
    stack_prefix = queue_url.rsplit("/", 1)[-1].rsplit("-", 2)[0] + "-"  # <stack>-<logical id>-<suffix>
    pages = state.target.client("logs").get_paginator("describe_log_groups").paginate(logGroupNamePrefix=stack_prefix)
    return [group["logGroupName"] for page in pages for group in page.get("logGroups", [])]


def _logged_reason(state: State, log_group: str, message_id: str) -> str | None:
    """What the consumer logged about the message (its `reason`, or the error's message)."""
    logs = state.target.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=log_group, filterPattern=f'"{message_id}"').get("events", [])
    except logs.exceptions.ResourceNotFoundException:
        return None
    for found in reversed(events):
        try:
            record = json.loads(found["message"])
        except ValueError:
            continue
        if isinstance(record, dict) and (record.get("reason") or record.get("level") == "ERROR"):
            return str(record.get("reason") or record.get("message"))
    return None


def reason(state: State, message: dict[str, Any], source_url: str | None, log_groups: list[str]) -> str:
    attributes = message.get("MessageAttributes") or {}
    if "ERROR_CODE" in attributes:  # EventBridge's own words for a rule target's dead letter
        code = attributes["ERROR_CODE"].get("StringValue")
        text = (attributes.get("ERROR_MESSAGE") or {}).get("StringValue", "")
        return f"EventBridge could not deliver it: {code} {text}".strip()
    logged = next(filter(None, (_logged_reason(state, group, message["MessageId"]) for group in log_groups)), None)
    receives = message.get("Attributes", {}).get("ApproximateReceiveCount", "?")
    if logged:
        return f"the consumer rejected it: {logged}"
    if source_url is None:
        return "undeliverable (no reason recorded with the message)"
    return f"received {receives} times from {source_url.rsplit('/', 1)[-1]} without success (nothing logged about it)"


@click.group()
def dlq() -> None:
    """Dead-letter queues: what is in them and why, and the redrive."""


@dlq.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also the empty queues.")
@pass_state
def list_(state: State, show_all: bool) -> None:
    """Every dead-letter queue of the stage with its messages (the first 10 of each) and the reason each is there.
    Exits 0 either way: check `count` (or --json) in scripts."""
    queues = []
    for name, url in dead_letter_queues(state).items():
        count = waiting(state, url)
        messages = peek(state, url) if count else []
        if not count and not show_all:
            continue
        source = _source(state, url)
        log_groups = consumer_log_groups(state, source) if source and messages else []
        queues.append(
            {
                "name": name,
                "url": url,
                "source": source,
                "count": max(count, len(messages)),
                "messages": [
                    {
                        "id": m["MessageId"],
                        "reason": reason(state, m, source, log_groups),
                        "body": m["Body"],
                        "receive_count": m.get("Attributes", {}).get("ApproximateReceiveCount"),
                    }
                    for m in messages
                ],
            }
        )

    def lines(found: list[dict[str, Any]]) -> list[str]:
        if not found:
            return [state.ui.paint("every dead-letter queue is empty", "ok")]
        out = []
        for q in found:
            out.append(f"{state.ui.paint(q['name'], 'name')}  {q['count']} message(s)")
            for m in q["messages"]:
                out.append(f"  {m['id']}  {state.ui.paint(m['reason'], 'bad')}")
                out.append(state.ui.paint(f"    {m['body'][:150]}", "dim"))
        return out

    state.ui.emit(queues, lines)


@dlq.command("redrive")
@click.argument("name")
@click.option("--max", "limit", default=1000, show_default=True, help="Move at most this many messages.")
@pass_state
def redrive(state: State, name: str, limit: int) -> None:
    """Move NAME's messages back: to the queue they came from (a FIFO one keeps each message's group), or, for a
    rule's dead-letter queue, onto the bus as the event they hold. Each message is deleted only once it is sent."""
    queues = dead_letter_queues(state)
    url = queues.get(name.removesuffix("QueueUrl"))
    if url is None:
        raise BadInput(f"no dead-letter queue {name!r}: one of {', '.join(queues)}")
    source = _source(state, url)
    sqs = state.target.client("sqs")
    moved = 0
    while moved < limit:
        batch = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(PEEK, limit - moved),
            VisibilityTimeout=60,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not batch:
            break
        for message in batch:
            _send_back(state, message, source)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
            state.ui.progress(f"moved {moved} from {name}")
    state.ui.progress_done()
    result = {"name": name, "moved": moved, "to": source or state.target.output("OrderBusName")}
    state.ui.emit(result, lambda r: [f"moved {moved} message(s) from {state.ui.paint(name, 'name')} to {r['to']}"])


def _send_back(state: State, message: dict[str, Any], source: str | None) -> None:
    if source is None:  # a rule's dead letter: the body is the event EventBridge could not deliver
        try:
            event = json.loads(message["Body"])
            put_event(state, event["source"], event["detail-type"], event["detail"])
        except (ValueError, KeyError, TypeError):
            raise Refused(f"message {message['MessageId']} is not an EventBridge event; left in the queue") from None
        return
    kwargs: dict[str, Any] = {"QueueUrl": source, "MessageBody": message["Body"]}
    group = message.get("Attributes", {}).get("MessageGroupId")
    if source.endswith(".fifo"):
        # a new deduplication id: the original may still be within SQS's 5-minute window, which would drop the
        # redriven message silently; consumers are idempotent on the event's own key, not on this id
        kwargs.update(MessageGroupId=group or "redrive", MessageDeduplicationId=f"redrive-{message['MessageId']}")
    state.target.client("sqs").send_message(**kwargs)
