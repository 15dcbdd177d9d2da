"""Order fulfilment: record each order in DynamoDB, exactly once, and announce it on SNS.

The workflow calls AWS itself, without a Lambda in between: `sfn.aws.<service>.<method>(...)`
is boto3's client call (same names, same parameters), compiled to Step Functions' optimized
DynamoDB and SNS integrations. A conditional put refuses an order id already recorded; the
refusal is DynamoDB's ConditionalCheckFailedException, caught here as a Python exception. The
price is computed by an ordinary callee (a Lambda). Nothing is annotated: the checks the compiler
needs are made at run time.

Run both ways, each run gets a fresh local DynamoDB and SNS (pysfn_emulator.LocalAws); the
conformance suite compares the results and what the services hold afterwards.
"""

from pysfn_compile import sfn

TABLE = "orders"
TOPIC = "arn:aws:sns:us-east-1:123456789012:order-events"
PRICES = {"apple": 120, "pear": 95, "melon": 450}


def price(lines):
    """The order's total in cents (a callee: a Lambda)."""
    return sum(PRICES[line["sku"]] * line["qty"] for line in lines)


@sfn.workflow
def fulfil(orders, notify=True):
    results = []
    for order in orders:
        try:
            total = price(order["lines"])
        except KeyError as e:
            results.append({"id": order["id"], "status": "rejected", "reason": f"unknown sku {e}"})
            continue
        try:
            sfn.aws.dynamodb.put_item(
                TableName=TABLE,
                Item={"id": {"S": order["id"]}, "customer": {"S": order["customer"]},
                      "total": {"N": str(total)}, "status": {"S": "placed"}},
                ConditionExpression="attribute_not_exists(id)",
            )
        except sfn.aws.dynamodb.ConditionalCheckFailedException as e:
            results.append({"id": order["id"], "status": "duplicate", "reason": str(e)})
            continue
        message_id = None
        if notify and total > 0:
            sent = sfn.aws.sns.publish(TopicArn=TOPIC, Subject="Order placed",
                                       Message=f"{order['customer']} ordered {order['id']} for {total} cents")
            message_id = sent["MessageId"]
        sfn.aws.dynamodb.update_item(
            TableName=TABLE, Key={"id": {"S": order["id"]}},
            UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "announced" if message_id else "quiet"}},
        )
        stored = sfn.aws.dynamodb.get_item(TableName=TABLE, Key={"id": {"S": order["id"]}}, ConsistentRead=True)
        results.append({"id": order["id"], "status": stored["Item"]["status"]["S"], "total": total,
                        "message": message_id})
    return results
