"""Unary gRPC latency as a client that leaves Nagle on sees it (the official
`grpcio`): GetOrder on the demo sample, one call at a time.

    pip install grpcio
    python3 tests/python/unary_latency.py target/release/order-ledger [calls]

Starts `serve --demo` on a fresh data directory with ports the OS picks,
makes `calls` (default 1000) GetOrder calls one after another and prints
the median and p99 in milliseconds. A benchmark, not a test: run by hand,
quoted in docs/PERFORMANCE.md.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time

import grpc

CUSTOMER = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
ORDER = "CS24DEMO0001"


def field(number, value):
    """One length-delimited protobuf field (strings shorter than 128 bytes)."""
    data = value.encode()
    return bytes([(number << 3) | 2, len(data)]) + data


def main():
    binary = sys.argv[1]
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    data = tempfile.mkdtemp()
    key = json.loads(
        subprocess.run(
            [binary, "--data-dir", data, "keys", "create", "--role", "operator", "--json"],
            capture_output=True,
            check=True,
        ).stdout
    )
    server = subprocess.Popen(
        [binary, "--data-dir", data, "serve", "--demo",
         "--grpc-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        url = None
        for line in server.stdout:
            if line.strip().startswith("gRPC"):
                url = line.split("http://")[1].strip()
                break
        if url is None:
            sys.exit("serve did not start")
        channel = grpc.insecure_channel(url)
        get_order = channel.unary_unary("/ledger.v1.LedgerQueries/GetOrder")
        request = field(1, CUSTOMER) + field(2, ORDER)
        metadata = [("authorization", "Bearer " + key["token"])]
        get_order(request, metadata=metadata)
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            get_order(request, metadata=metadata)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p99 = times[int(len(times) * 0.99) - 1]
        print(f"grpcio GetOrder, {calls} calls one at a time: "
              f"median {statistics.median(times):.2f} ms, p99 {p99:.2f} ms")
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
