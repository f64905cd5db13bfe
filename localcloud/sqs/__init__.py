"""SQS as AWS's own pollers use it: direct access to moto's queues, and Lambda's event source mappings."""
