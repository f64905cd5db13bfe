"""The yardstick for cold starts: a bare Powertools idempotent handler, as Powertools' documentation writes one.

Logger plus ``@idempotent`` over a DynamoDB persistence layer and nothing else; the bench runs it under the same
conditions as the app's handlers (same idempotency table, same local cloud, fresh interpreter).
"""

import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent,
)

logger = Logger()
persistence_layer = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE_NAME"])
config = IdempotencyConfig(event_key_jmespath="idempotency_key")


@logger.inject_lambda_context
@idempotent(persistence_store=persistence_layer, config=config)
def handler(event, context):
    return {"idempotency_key": event["idempotency_key"], "status": "DONE"}
