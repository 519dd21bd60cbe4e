#!/usr/bin/env python3
"""Least privilege (issue 19): boto3 clients of different principals against
`spate serve --credentials FILE`, where FILE holds (the caller writes it):

    [ops]        allow = admin on transactions*
    [producer]   allow = write on transactions*
    [consumer]   allow = read on transactions*
    [dashboard]  allow = read on *

each with access key AKID<NAME> and secret <name>/Secret+1. The data
directory already holds streams `transactions` and `orders`, a record in
each, and alert jobs `tx_big` (reads transactions) and `orders_big` (reads
orders) that turn those records into one alert each once the server runs them.

Usage: kinesis_permissions_test.py --endpoint http://127.0.0.1:PORT

For every Kinesis operation one principal is allowed and another is denied
with AccessDeniedException (HTTP 400) worded as AWS words it, naming the
principal, the operation and the stream's ARN; ListStreams lists only what
the caller may read. Then the dashboard's pages and JSON endpoints over HTTP
Basic: lists hold only what the principal may read, a page of a job it may
not read and an action it may not take are a 403 with one line, /metrics
needs read on *.

Exit status 0 when every check passes; otherwise the failed check is printed.
Exit status 77 when boto3 is not importable (the caller reports a skip).
"""
import argparse
import base64
import json
import sys
import time
import urllib.error
import urllib.request

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover
    print("boto3 is not installed (pip install boto3)", file=sys.stderr)
    sys.exit(77)

ACCOUNT = "000000000000"
PRINCIPALS = ["ops", "producer", "consumer", "dashboard"]


def key_id(name):
    return "AKID" + name.upper()


def secret(name):
    return name + "/Secret+1"


def client(endpoint, name):
    return boto3.client(
        "kinesis", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=key_id(name), aws_secret_access_key=secret(name),
        config=Config(retries={"max_attempts": 1}))


def stream_arn(stream):
    return f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{stream}"


def expect_denied(principal, operation, stream, call, **kwargs):
    """The call fails with AccessDeniedException naming principal, operation and stream."""
    try:
        call(**kwargs)
    except ClientError as error:
        got = error.response["Error"]["Code"]
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        message = error.response["Error"]["Message"]
        assert got == "AccessDeniedException", f"{principal} {operation} {stream}: expected AccessDeniedException, got {got}: {message}"
        assert status == 400, f"{principal} {operation}: status {status}"
        expected = (f"User: arn:aws:iam::{ACCOUNT}:user/{principal} is not authorized to perform: "
                    f"kinesis:{operation} on resource: {stream_arn(stream)} because no identity-based policy "
                    f"allows the kinesis:{operation} action")
        assert message.startswith(expected), f"message: {message!r}\nexpected to start with: {expected!r}"
        return message
    raise AssertionError(f"{principal} {operation} on {stream}: expected AccessDeniedException, the call succeeded")


def record(n):
    """A transaction as JSON (the jobs over the stream parse it)."""
    return json.dumps({"userId": f"u{n}", "amount": n}).encode()


def first_shard_iterator(k, stream):
    return k.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000",
                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]


def kinesis_checks(endpoint):
    ops, producer, consumer, dashboard = (client(endpoint, name) for name in PRINCIPALS)
    tx = "transactions"

    # CreateStream, DeleteStream: admin on the name.
    ops.create_stream(StreamName="transactions-eu", ShardCount=1)
    expect_denied("ops", "CreateStream", "orders-eu", ops.create_stream, StreamName="orders-eu", ShardCount=1)
    expect_denied("producer", "CreateStream", "transactions-us", producer.create_stream, StreamName="transactions-us", ShardCount=1)
    expect_denied("dashboard", "DeleteStream", "transactions-eu", dashboard.delete_stream, StreamName="transactions-eu")
    expect_denied("ops", "DeleteStream", "orders", ops.delete_stream, StreamName="orders")
    # Denied before the stream is looked at: no word on whether it exists.
    expect_denied("producer", "DescribeStream", "no-such-stream", producer.describe_stream, StreamName="no-such-stream")

    # Retention: admin.
    ops.increase_stream_retention_period(StreamName=tx, RetentionPeriodHours=48)
    ops.decrease_stream_retention_period(StreamName=tx, RetentionPeriodHours=24)
    expect_denied("consumer", "IncreaseStreamRetentionPeriod", tx, consumer.increase_stream_retention_period,
                  StreamName=tx, RetentionPeriodHours=48)
    expect_denied("producer", "DecreaseStreamRetentionPeriod", tx, producer.decrease_stream_retention_period,
                  StreamName=tx, RetentionPeriodHours=24)

    # PutRecord(s): write.
    put = producer.put_record(StreamName=tx, Data=record(1), PartitionKey="u1")
    assert put["SequenceNumber"], put
    out = producer.put_records(StreamName=tx, Records=[{"Data": record(2), "PartitionKey": "u2"},
                                                       {"Data": record(3), "PartitionKey": "u3"}])
    assert out["FailedRecordCount"] == 0, out
    # By ARN too: the stream is the ARN's.
    producer.put_record(StreamARN=stream_arn(tx), Data=record(4), PartitionKey="u4")
    expect_denied("producer", "PutRecord", "orders", producer.put_record, StreamName="orders", Data=record(0), PartitionKey="k")
    expect_denied("producer", "PutRecords", "orders", producer.put_records, StreamName="orders",
                  Records=[{"Data": record(0), "PartitionKey": "k"}])
    expect_denied("consumer", "PutRecord", tx, consumer.put_record, StreamName=tx, Data=record(0), PartitionKey="k")
    expect_denied("dashboard", "PutRecords", tx, dashboard.put_records, StreamName=tx,
                  Records=[{"Data": record(0), "PartitionKey": "k"}])
    expect_denied("ops", "PutRecord", "orders", ops.put_record, StreamName="orders", Data=record(0), PartitionKey="k")
    # admin includes write.
    ops.put_record(StreamName=tx, Data=record(5), PartitionKey="u5")

    # Describe, ListShards, GetShardIterator, GetRecords: read.
    summary = consumer.describe_stream_summary(StreamName=tx)["StreamDescriptionSummary"]
    assert summary["StreamName"] == tx
    assert len(consumer.describe_stream(StreamName=tx)["StreamDescription"]["Shards"]) == 2
    expect_denied("producer", "DescribeStream", tx, producer.describe_stream, StreamName=tx)
    expect_denied("producer", "DescribeStreamSummary", tx, producer.describe_stream_summary, StreamName=tx)
    expect_denied("consumer", "DescribeStream", "orders", consumer.describe_stream, StreamName="orders")
    assert dashboard.describe_stream_summary(StreamName="orders")["StreamDescriptionSummary"]["StreamName"] == "orders"

    page = consumer.list_shards(StreamName=tx, MaxResults=1)
    assert len(page["Shards"]) == 1 and page.get("NextToken"), page
    assert len(consumer.list_shards(NextToken=page["NextToken"])["Shards"]) == 1
    expect_denied("producer", "ListShards", tx, producer.list_shards, StreamName=tx)
    # A token names its stream; another principal's token is checked against that stream.
    expect_denied("producer", "ListShards", tx, producer.list_shards, NextToken=page["NextToken"])

    iterator = first_shard_iterator(consumer, tx)
    expect_denied("producer", "GetShardIterator", tx, producer.get_shard_iterator, StreamName=tx,
                  ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")
    expect_denied("consumer", "GetShardIterator", "orders", consumer.get_shard_iterator, StreamName="orders",
                  ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")
    records = []
    for shard in ("shardId-000000000000", "shardId-000000000001"):
        it = consumer.get_shard_iterator(StreamName=tx, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records += consumer.get_records(ShardIterator=it, Limit=100)["Records"]
    read = [r["Data"] for r in records]
    assert all(record(n) in read for n in range(1, 6)), read
    # An iterator handed to a principal that may not read its stream reads nothing.
    expect_denied("producer", "GetRecords", tx, producer.get_records, ShardIterator=iterator)
    orders_iterator = first_shard_iterator(dashboard, "orders")
    expect_denied("consumer", "GetRecords", "orders", consumer.get_records, ShardIterator=orders_iterator)
    dashboard.get_records(ShardIterator=orders_iterator)

    # ListStreams: only what the caller may read.
    everything = dashboard.list_streams()["StreamNames"]
    assert everything == ["orders", "transactions", "transactions-eu"], everything
    assert consumer.list_streams()["StreamNames"] == ["transactions", "transactions-eu"]
    assert ops.list_streams()["StreamNames"] == ["transactions", "transactions-eu"]
    assert producer.list_streams()["StreamNames"] == []
    first = consumer.list_streams(Limit=1)
    assert first["StreamNames"] == ["transactions"] and first["HasMoreStreams"], first
    assert consumer.list_streams(NextToken=first["NextToken"])["StreamNames"] == ["transactions-eu"]

    ops.delete_stream(StreamName="transactions-eu")
    assert "transactions-eu" not in dashboard.list_streams()["StreamNames"]


def wait_for_alerts(endpoint):
    """The alert ids of the two jobs by job name, once both jobs have made theirs."""
    deadline = time.monotonic() + 30
    while True:
        alerts = get_json(endpoint, "/api/alerts", "dashboard")["alerts"]
        ids = {a["source"]: a["id"] for a in alerts}
        if {"tx_big", "orders_big"} <= set(ids):
            return ids
        assert time.monotonic() < deadline, f"the jobs made no alerts in 30 s: {alerts}"
        time.sleep(0.2)


def http(endpoint, method, path, principal, headers=None):
    """(status, body text) of a request with HTTP Basic as `principal`."""
    request = urllib.request.Request(endpoint + path, method=method, data=b"" if method == "POST" else None)
    token = base64.b64encode(f"{key_id(principal)}:{secret(principal)}".encode()).decode()
    request.add_header("Authorization", "Basic " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def get_json(endpoint, path, principal):
    status, body = http(endpoint, "GET", path, principal)
    assert status == 200, f"{principal} GET {path}: {status} {body}"
    return json.loads(body)


def expect_forbidden(endpoint, method, path, principal, *needles, headers=None):
    status, body = http(endpoint, method, path, principal, headers)
    assert status == 403, f"{principal} {method} {path}: expected 403, got {status}: {body}"
    text = json.loads(body)["error"] if body.startswith("{") else body
    assert "\n" not in text.strip(), f"{principal} {method} {path}: not one line: {text!r}"
    for needle in needles:
        assert needle in text, f"{principal} {method} {path}: {needle!r} not in {text!r}"


def dashboard_checks(endpoint):
    ids = wait_for_alerts(endpoint)

    # Streams: what the principal may read.
    names = lambda principal: [s["name"] for s in get_json(endpoint, "/api/streams", principal)["streams"]]
    assert names("dashboard") == ["orders", "transactions"], names("dashboard")
    assert names("consumer") == ["transactions"], names("consumer")
    assert names("producer") == [], names("producer")

    # Jobs: those reading a stream the principal may read.
    jobs = lambda principal: [j["name"] for j in get_json(endpoint, "/api/jobs", principal)["jobs"]]
    assert jobs("dashboard") == ["orders_big", "tx_big"], jobs("dashboard")
    assert jobs("consumer") == ["tx_big"], jobs("consumer")
    assert get_json(endpoint, "/api/jobs/tx_big/metrics", "consumer")["job"] == "tx_big"
    expect_forbidden(endpoint, "GET", "/api/jobs/orders_big/metrics", "consumer", "consumer", "orders", "orders_big")
    expect_forbidden(endpoint, "GET", "/api/jobs/orders_big/scores", "consumer", "read on stream orders")
    status, page = http(endpoint, "GET", "/jobs/tx_big", "consumer")
    assert status == 200 and "tx_big" in page, status
    status, page = http(endpoint, "GET", "/jobs/orders_big", "consumer")
    assert status == 403 and "read on stream orders" in page, (status, page)

    # Alerts: those of visible jobs; the overview leaves the rest out.
    alerts = lambda principal: sorted(a["id"] for a in get_json(endpoint, "/api/alerts", principal)["alerts"])
    assert alerts("dashboard") == sorted(ids.values()), alerts("dashboard")
    assert alerts("consumer") == [ids["tx_big"]], alerts("consumer")
    assert alerts("producer") == [], alerts("producer")
    status, page = http(endpoint, "GET", "/", "consumer")
    assert status == 200 and "tx_big" in page and "orders_big" not in page and ">orders<" not in page, status

    # Acknowledge / Resolve: admin on the alert's stream.
    action = {"X-Spate-Dashboard": "1"}
    assert get_json(endpoint, "/api/alerts", "dashboard")["canWrite"] is False
    assert get_json(endpoint, "/api/alerts", "ops")["canWrite"] is True
    expect_forbidden(endpoint, "POST", f"/api/alerts/{ids['tx_big']}/ack", "dashboard", "read-only", headers=action)
    expect_forbidden(endpoint, "POST", f"/api/alerts/{ids['orders_big']}/ack", "ops",
                     "ops may not change alert", "admin on stream orders", headers=action)
    status, body = http(endpoint, "POST", f"/api/alerts/{ids['tx_big']}/ack", "ops", action)
    assert status == 200 and json.loads(body)["state"] == "acknowledged", (status, body)

    # /metrics covers every stream and job: read on *.
    status, body = http(endpoint, "GET", "/metrics", "dashboard")
    assert status == 200 and "spate_stream_shards" in body, status
    expect_forbidden(endpoint, "GET", "/metrics", "consumer", "consumer may not read /metrics", "read on *")
    assert http(endpoint, "GET", "/healthz", "producer")[0] == 200


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    args = parser.parse_args()
    kinesis_checks(args.endpoint)
    dashboard_checks(args.endpoint)
    print("ok: every operation and route allowed and denied as granted")


if __name__ == "__main__":
    main()
