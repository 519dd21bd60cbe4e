#!/usr/bin/env python3
"""The classic Kinesis transaction producer, pointed at `spate serve`.

Sends one JSON transaction per PutRecord, partitioned by user:

    {"userId": "user_17", "amount": 42.5, "timestamp": 1700000000123,
     "transactionId": "txn_…", "merchantId": "merchant_3"}

Unchanged from a producer written for Kinesis but for endpoint_url: boto3 with
dummy credentials (an unsigned loopback endpoint accepts any) and us-east-1.
About 1 in 50 transactions is unusually large, for anomaly detection to find.

    spate serve &
    python3 examples/producer.py --stream transactions --rate 50 --count 1000

The stream is created (1 shard) if it does not exist. Needs `pip install boto3`.
"""
import argparse
import json
import random
import sys
import time
import uuid

import boto3
from botocore.exceptions import ClientError


def transaction(users, merchants):
    user = random.randrange(users)
    amount = round(random.uniform(1, 200), 2)
    if random.random() < 0.02:
        amount = round(random.uniform(2_000, 10_000), 2)
    return {
        "userId": f"user_{user}",
        "amount": amount,
        "timestamp": int(time.time() * 1000),
        "transactionId": f"txn_{uuid.uuid4().hex[:16]}",
        "merchantId": f"merchant_{random.randrange(merchants)}",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:4567", help="the spate serve endpoint")
    parser.add_argument("--stream", default="transactions")
    parser.add_argument("--rate", type=float, default=10, help="transactions per second (0: as fast as possible)")
    parser.add_argument("--count", type=int, default=100, help="transactions to send (0: until Ctrl-C)")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--merchants", type=int, default=20)
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()

    kinesis = boto3.client(
        "kinesis", endpoint_url=args.endpoint, region_name=args.region,
        aws_access_key_id="dummy", aws_secret_access_key="dummy")
    try:
        kinesis.create_stream(StreamName=args.stream, ShardCount=1)
        print(f"created stream {args.stream}")
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise

    interval = 1.0 / args.rate if args.rate > 0 else 0.0
    next_send = time.monotonic()
    sent = 0
    try:
        while args.count == 0 or sent < args.count:
            record = transaction(args.users, args.merchants)
            response = kinesis.put_record(
                StreamName=args.stream, Data=json.dumps(record).encode(), PartitionKey=record["userId"])
            sent += 1
            if sent % 100 == 0 or sent == args.count:
                print(f"sent {sent} (last: {record['userId']} {record['amount']} → "
                      f"{response['ShardId']} {response['SequenceNumber']})", flush=True)
            if interval:
                next_send += interval
                time.sleep(max(0.0, next_send - time.monotonic()))
    except KeyboardInterrupt:
        pass
    print(f"done: {sent} transactions to {args.stream}", file=sys.stderr)


if __name__ == "__main__":
    main()
