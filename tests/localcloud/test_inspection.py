"""What a test reads back: queues, dead-letter queues (rule targets' too) and tables by construct path."""

import pytest


def test_dlq_messages_include_the_dead_letter_queues_of_rule_targets(cloud):
    dlq = cloud.queue("SettledDlq")
    cloud.client("sqs").send_message(QueueUrl=dlq.url, MessageBody='{"lost": true}')
    assert [m.json for m in cloud.dlq_messages("SettledRule")] == [{"lost": True}]
    assert [m.json for m in cloud.dlq_messages()["SettledDlq"]] == [{"lost": True}]


def test_dlq_messages_of_a_queue_is_its_redrive_target(cloud):
    assert cloud.dlq_messages("Buffer") == [] and cloud.queue("Buffer").dlq_name == cloud.queue("BufferDlq").name
    with pytest.raises(LookupError, match="no dead-letter queue"):
        cloud.dlq_messages("Notes")


def test_queues_and_tables_by_construct_path(cloud):
    [queue] = [q for q in cloud.registry.of_type("AWS::SQS::Queue") if q.label == "Notes"]
    assert cloud.queue(queue.path).name == cloud.queue("Notes").name
    [table] = cloud.registry.of_type("AWS::DynamoDB::Table")
    cloud.client("dynamodb").put_item(TableName=table.ref, Item={"pk": {"S": "p"}, "sk": {"S": "s"}})
    assert cloud.table_items(table.path) == cloud.table_items(table.label) == [{"pk": "p", "sk": "s"}]
