#!/usr/bin/env python3
"""Compatibility test: the real boto3 client against `spate serve`.

Usage: kinesis_boto3_test.py --endpoint http://127.0.0.1:PORT [--access-key K --secret-key S]

Covers every operation the endpoint serves, put/get round trips (bytes come back
exactly), partial failures in PutRecords (an oversized record fails alone),
every shard iterator type, pagination, retention changes and the error types
boto3 reports (ResourceNotFoundException, ResourceInUseException,
InvalidArgumentException, ValidationException, ExpiredIteratorException is
covered by the Swift tests, which control the clock). With --access-key and
--secret-key, boto3 signs with SigV4 and a second client with a wrong secret
must be refused with InvalidSignatureException.

Exit status 0 when every check passes; otherwise the failed check is printed.
Exit status 77 when boto3 is not importable (the caller reports a skip).
"""
import argparse
import sys
import time
import uuid

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover
    print("boto3 is not installed (pip install boto3)", file=sys.stderr)
    sys.exit(77)


def client(endpoint, key, secret):
    return boto3.client(
        "kinesis", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}))


def expect_error(code, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as error:
        got = error.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {error}"
        return error
    raise AssertionError(f"expected {code}, the call succeeded")


def read_all(k, iterator, limit=10_000):
    records = []
    while True:
        out = k.get_records(ShardIterator=iterator, Limit=limit)
        records.extend(out["Records"])
        assert "NextShardIterator" in out
        iterator = out["NextShardIterator"]
        if not out["Records"]:
            return records, out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--access-key", default="dummy")
    parser.add_argument("--secret-key", default="dummy")
    args = parser.parse_args()
    k = client(args.endpoint, args.access_key, args.secret_key)
    name = "compat-" + uuid.uuid4().hex[:8]

    # Streams.
    k.create_stream(StreamName=name, ShardCount=2)
    expect_error("ResourceInUseException", k.create_stream, StreamName=name, ShardCount=2)
    k.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 5})
    description = k.describe_stream(StreamName=name)["StreamDescription"]
    assert description["StreamStatus"] == "ACTIVE" and len(description["Shards"]) == 2, description
    assert description["Shards"][0]["HashKeyRange"]["StartingHashKey"] == "0"
    assert description["Shards"][1]["HashKeyRange"]["EndingHashKey"] == str(2**128 - 1)
    assert description["RetentionPeriodHours"] == 24
    summary = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2 and summary["StreamARN"].endswith(":stream/" + name)
    assert name in k.list_streams()["StreamNames"]
    assert any(s["StreamName"] == name for s in k.list_streams()["StreamSummaries"])
    shards = k.list_shards(StreamName=name, MaxResults=1)
    assert len(shards["Shards"]) == 1 and "NextToken" in shards
    rest = k.list_shards(NextToken=shards["NextToken"])
    assert [s["ShardId"] for s in rest["Shards"]] == ["shardId-000000000001"], rest
    expect_error("ResourceNotFoundException", k.describe_stream, StreamName=name + "-missing")
    expect_error("ValidationException", k.create_stream, StreamName="bad name!", ShardCount=1)

    # PutRecord / GetRecords round trip, every byte value.
    payload = bytes(range(256))
    put = k.put_record(StreamName=name, Data=payload, PartitionKey="user-1")
    shard_id, first_sequence = put["ShardId"], put["SequenceNumber"]
    second = k.put_record(StreamName=name, Data=b'{"n":2}', PartitionKey="user-1")
    assert second["ShardId"] == shard_id and int(second["SequenceNumber"]) > int(first_sequence)
    # ExplicitHashKey routes by the hash key, not the partition key.
    explicit = k.put_record(StreamName=name, Data=b"x", PartitionKey="user-1", ExplicitHashKey=str(2**128 - 1))
    assert explicit["ShardId"] == "shardId-000000000001"
    low = k.put_record(StreamName=name, Data=b"y", PartitionKey="user-1", ExplicitHashKey="0")
    assert low["ShardId"] == "shardId-000000000000"

    it = k.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records, last = read_all(k, it)
    mine = [r for r in records if r["PartitionKey"] == "user-1" and r["SequenceNumber"] in (first_sequence, second["SequenceNumber"])]
    assert [r["Data"] for r in mine] == [payload, b'{"n":2}'], mine
    assert last["MillisBehindLatest"] == 0
    assert abs(mine[0]["ApproximateArrivalTimestamp"].timestamp() - time.time()) < 120

    # Every iterator type.
    at = k.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER",
                              StartingSequenceNumber=second["SequenceNumber"])["ShardIterator"]
    assert k.get_records(ShardIterator=at, Limit=1)["Records"][0]["Data"] == b'{"n":2}'
    after = k.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                 StartingSequenceNumber=first_sequence)["ShardIterator"]
    assert k.get_records(ShardIterator=after, Limit=1)["Records"][0]["SequenceNumber"] == second["SequenceNumber"]
    latest = k.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType="LATEST")["ShardIterator"]
    assert k.get_records(ShardIterator=latest)["Records"] == []
    newest = k.put_record(StreamName=name, Data=b"after latest", PartitionKey="user-1")
    got = k.get_records(ShardIterator=latest)["Records"]
    assert [r["SequenceNumber"] for r in got] == [newest["SequenceNumber"]], got
    # boto3 sends whole epoch seconds: start the next second, then put.
    time.sleep(1.05 - time.time() % 1)
    stamp = int(time.time())
    k.put_record(StreamName=name, Data=b"timed", PartitionKey="user-1")
    timed = k.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType="AT_TIMESTAMP", Timestamp=stamp)["ShardIterator"]
    assert [r["Data"] for r in k.get_records(ShardIterator=timed)["Records"]] == [b"timed"]

    # Iterator errors.
    other_shard = "shardId-000000000001" if shard_id == "shardId-000000000000" else "shardId-000000000000"
    expect_error("InvalidArgumentException", k.get_shard_iterator, StreamName=name, ShardId=other_shard,
                 ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=first_sequence)
    expect_error("InvalidArgumentException", k.get_shard_iterator, StreamName=name, ShardId=shard_id,
                 ShardIteratorType="AT_SEQUENCE_NUMBER")
    expect_error("ResourceNotFoundException", k.get_shard_iterator, StreamName=name, ShardId="shardId-000000000009",
                 ShardIteratorType="LATEST")
    expect_error("ValidationException", k.get_shard_iterator, StreamName=name, ShardId=shard_id, ShardIteratorType="SOMEWHERE")
    expect_error("InvalidArgumentException", k.get_records, ShardIterator="bm90IGFuIGl0ZXJhdG9y")
    expect_error("ValidationException", k.get_records, ShardIterator=it, Limit=10_001)

    # PutRecords with a partial failure: the oversized record fails alone.
    entries = [{"Data": f'{{"i":{i}}}'.encode(), "PartitionKey": f"user-{i % 7}"} for i in range(10)]
    entries.insert(4, {"Data": b"z" * (1024 * 1024 + 1), "PartitionKey": "big"})
    out = k.put_records(StreamName=name, Records=entries)
    assert out["FailedRecordCount"] == 1, out["FailedRecordCount"]
    assert out["Records"][4]["ErrorCode"] == "InvalidArgumentException" and "SequenceNumber" not in out["Records"][4]
    assert all("SequenceNumber" in r for i, r in enumerate(out["Records"]) if i != 4)
    stored = {(r["ShardId"], r["SequenceNumber"]) for r in out["Records"] if "SequenceNumber" in r}
    found = set()
    for shard in ("shardId-000000000000", "shardId-000000000001"):
        it = k.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        found |= {(shard, r["SequenceNumber"]) for r in read_all(k, it, limit=3)[0]}
    assert stored <= found, stored - found
    expect_error("ValidationException", k.put_records, StreamName=name,
                 Records=[{"Data": b"x", "PartitionKey": "k"}] * 501)
    expect_error("ResourceNotFoundException", k.put_record, StreamName=name + "-missing", Data=b"x", PartitionKey="k")

    # Retention.
    k.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    assert k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"] == 48
    expect_error("InvalidArgumentException", k.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=24)
    k.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    expect_error("InvalidArgumentException", k.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=12)

    # A wrong secret is refused when the endpoint checks signatures.
    if args.secret_key != "dummy":
        wrong = client(args.endpoint, args.access_key, args.secret_key + "x")
        expect_error("InvalidSignatureException", wrong.list_streams)
        unknown = client(args.endpoint, "AKIDUNKNOWN", args.secret_key)
        expect_error("UnrecognizedClientException", unknown.list_streams)

    k.delete_stream(StreamName=name)
    expect_error("ResourceNotFoundException", k.delete_stream, StreamName=name)
    assert name not in k.list_streams()["StreamNames"]
    print("kinesis_boto3_test: all checks passed")


if __name__ == "__main__":
    main()
