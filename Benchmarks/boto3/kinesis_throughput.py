#!/usr/bin/env python3
"""Kinesis endpoint throughput with the real boto3 client (issue 17, item 4).

Usage:
  swift build -c release --product spate
  python3 Benchmarks/boto3/kinesis_throughput.py [--spate .build/release/spate]
                                                 [--records 1000000] [--shards 2]
                                                 [--credentials none|one-key|principals]

Starts the built `spate serve` on a free loopback port over a fresh data
directory (removed at the end), then, from ONE client process (this one):

  1. PutRecords: 500 records a call (~100 B JSON payloads, 500 partition keys),
     back to back, boto3 doing what it does for any producer (JSON body, base64
     of every record, the HTTP round trip). Prints records/s, MB/s and the
     latency of a call (p50/p99). Every call's FailedRecordCount must be 0.
  2. GetRecords: every shard from TRIM_HORIZON, 10,000 records a call (the
     Kinesis limit), until the shard is drained. Prints records/s and the
     latency of a call. The records read must equal the records put.

Client and server share the machine's cores, as a producer on the same host
would. Prints the server's peak RSS (VmHWM) and this client's.

--credentials (issue 19): `one-key` starts the server with a credentials file
of one key (admin on every stream: signatures verified, no grant looked at),
`principals` with four principals, the client being `bench` (admin on bench*
only), so every request also takes the permission check. boto3 signs either
way; the default, `none`, serves unsigned on loopback. Budget: PutRecords
>= 100 k records/s, GetRecords >= 500 k records/s. Benchmarks print figures;
nothing here is a test. Exit 77 when boto3 is not installed.
"""
import argparse
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

try:
    import boto3
    from botocore.config import Config
except ImportError:
    print("boto3 is not installed (pip install boto3); skipped", file=sys.stderr)
    sys.exit(77)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def vm_hwm_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid):
    """User + system CPU time of process `pid` so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spate", default=".build/release/spate")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--credentials", choices=["none", "one-key", "principals"], default="none")
    args = parser.parse_args()
    if not os.access(args.spate, os.X_OK):
        sys.exit(f"{args.spate} not found: swift build -c release --product spate first")

    data = tempfile.mkdtemp(prefix="spate-boto3-bench-", dir=os.environ.get("BENCH_DIR", "."))
    port = free_port()
    command = [args.spate, "serve", "--listen", f"127.0.0.1:{port}", "--data", data]
    credentials = None
    if args.credentials != "none":
        descriptor, credentials = tempfile.mkstemp(prefix="spate-boto3-bench-credentials-")  # mode 0600
        with os.fdopen(descriptor, "w") as file:
            file.write(CREDENTIALS[args.credentials])
        command += ["--credentials", credentials]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(endpoint + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("spate serve did not start: " + server.stderr.read().decode())
        run(endpoint, args, server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)
        if credentials:
            os.unlink(credentials)


# The key the client signs with is the first of each file.
CREDENTIALS = {
    "one-key": "aws_access_key_id = AKIDBENCH\naws_secret_access_key = bench/Secret+1\n",
    "principals": """[bench]
aws_access_key_id = AKIDBENCH
aws_secret_access_key = bench/Secret+1
allow = admin on bench*
[producer]
aws_access_key_id = AKIDPRODUCER
aws_secret_access_key = producer/Secret+1
allow = write on transactions*
[consumer]
aws_access_key_id = AKIDCONSUMER
aws_secret_access_key = consumer/Secret+1
allow = read on transactions*
[dashboard]
aws_access_key_id = AKIDDASHBOARD
aws_secret_access_key = dashboard/Secret+1
allow = read on *
""",
}


def make_client(endpoint, tuned):
    """boto3 as shipped, or as a high-throughput producer configures it: no
    client-side parameter validation (`Config(parameter_validation=False)`)
    and timestamps left as the epoch seconds the service sends (botocore's
    `timestamp_parser` default of the response parser factory)."""
    session = boto3.session.Session()
    if tuned:
        session._session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=lambda value: value)
    return session.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench/Secret+1",
                          config=Config(retries={"max_attempts": 1}, max_pool_connections=1,
                                        parameter_validation=not tuned))


def run(endpoint, args, server_pid):
    print(f"spate serve at {endpoint} (credentials: {args.credentials}): streams of {args.shards} shards, one boto3 "
          f"{boto3.__version__} client process (this one); 'server CPU' is the server's user+system time per record")
    batch = []
    for i in range(500):
        payload = ('{"userId":"user%d","amount":%d.%02d,"ts":%d,"note":"%s"}'
                   % (i, 10 + i % 90, i % 100, 1_732_400_000_000 + i, "x" * 30)).encode()
        batch.append({"Data": payload, "PartitionKey": f"user{i}"})
    payload_bytes = sum(len(r["Data"]) for r in batch)
    for tuned in (False, True):
        label = "tuned client" if tuned else "stock client"
        kinesis = make_client(endpoint, tuned)
        largest = {}  # the biggest GetRecords response this client received, to parse again below
        kinesis.meta.events.register("before-parse.kinesis.GetRecords",
                                     lambda response_dict, **_: largest.update(response_dict)
                                     if len(response_dict["body"]) > len(largest.get("body", b"")) else None)
        stream = "bench_tuned" if tuned else "bench"
        kinesis.create_stream(StreamName=stream, ShardCount=args.shards)
        calls = max(1, args.records // 500)
        kinesis.put_records(StreamName=stream, Records=batch)  # warm the connection and the code paths
        latencies = []
        cpu = cpu_seconds(server_pid)
        start = time.perf_counter()
        for _ in range(calls):
            t = time.perf_counter()
            out = kinesis.put_records(StreamName=stream, Records=batch)
            latencies.append(time.perf_counter() - t)
            if out["FailedRecordCount"]:
                sys.exit(f"PutRecords failed {out['FailedRecordCount']} records: {out['Records'][0]}")
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds(server_pid) - cpu
        put = calls * 500
        print(f"{label}, PutRecords: {put:,} records in {calls:,} calls of 500, {elapsed:.2f} s: "
              f"{put / elapsed:,.0f} records/s, {calls * payload_bytes / elapsed / 1e6:.1f} MB/s of payload; "
              f"call p50 {percentile(latencies, 0.5) * 1e3:.2f} ms, p99 {percentile(latencies, 0.99) * 1e3:.2f} ms; "
              f"server CPU {cpu / put * 1e6:.2f} us/record = {put / max(cpu, 1e-9):,.0f} records per server core-second "
              f"(budget >= 100,000 records/s)")

        shards = [s["ShardId"] for s in kinesis.list_shards(StreamName=stream)["Shards"]]
        latencies = []
        got = 0
        cpu = cpu_seconds(server_pid)
        start = time.perf_counter()
        for shard in shards:
            iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while True:
                t = time.perf_counter()
                out = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
                latencies.append(time.perf_counter() - t)
                got += len(out["Records"])
                iterator = out["NextShardIterator"]
                if not out["Records"] and out.get("MillisBehindLatest", 0) == 0:
                    break
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds(server_pid) - cpu
        if got != put + 500:
            sys.exit(f"GetRecords read {got:,} records, {put + 500:,} were put")
        print(f"{label}, GetRecords: {got:,} records from {len(shards)} shards in {len(latencies):,} calls of up to 10,000, "
              f"{elapsed:.2f} s: {got / elapsed:,.0f} records/s; call p50 {percentile(latencies, 0.5) * 1e3:.1f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1e3:.1f} ms; server CPU {cpu / got * 1e6:.2f} us/record = "
              f"{got / max(cpu, 1e-9):,.0f} records per server core-second (budget >= 500,000 records/s)")
        parse_ceiling(kinesis, largest, label)
    print(f"Peak memory: server VmHWM {vm_hwm_mib(server_pid):.1f} MiB; "
          f"client ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")


def parse_ceiling(kinesis, response_dict, label):
    """The most this client process could read, whatever the server: botocore's
    own parser turning the largest GetRecords response it received (already in
    memory: no socket, no HTTP, no server) into records, over and over for ~2 s
    on one core. GetRecords through boto3 cannot beat this figure."""
    parser = kinesis._endpoint._response_parser_factory.create_parser("json")
    shape = kinesis.meta.service_model.operation_model("GetRecords").output_shape
    records = len(parser.parse(response_dict, shape)["Records"])
    parses, start = 0, time.perf_counter()
    while time.perf_counter() - start < 2.0:
        parser.parse(response_dict, shape)
        parses += 1
    elapsed = time.perf_counter() - start
    print(f"{label}, GetRecords ceiling of this client: botocore parses a response of {records:,} records already "
          f"in memory (no socket, no server) at {parses * records / elapsed:,.0f} records/s on one core "
          f"({elapsed / (parses * records) * 1e6:.2f} us/record)")


if __name__ == "__main__":
    main()
