#!/usr/bin/env python3
"""gateway-latency.py - latency of etcd's JSON gateway (/v3/...) as a Patroni-like client sees it.

  bench/gateway-latency.py PORT [--calls N] [--warmup N] [--events N] [--label TEXT]

Against 127.0.0.1:PORT (a running Ketcd or etcd), over one keep-alive HTTP/1.1 connection per kind:
- unary: N calls each of put, range, txn (compare mod_revision, then put) and lease grant, one at a
  time, after `--warmup` unrecorded calls of each; latency = request sent -> whole response read.
- watch: a /v3/watch stream on one key (its own connection); N puts through the gateway one at a time,
  each followed by the wait for its event; latency = put acknowledged -> event line read (0 when the
  event came first), as bench/watch-latency.sh counts it for gRPC.
Prints a human summary, then one line `RESULT {json}`. Starts no server.
"""
import argparse
import base64
import http.client
import json
import socket
import time


def b64(text):
    return base64.b64encode(text.encode()).decode()


def percentile(values, p):
    s = sorted(values)
    return round(s[min(len(s) - 1, int(len(s) * p))], 3) if s else None


class Gateway:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call(self, path, body):
        payload = json.dumps(body)
        self.conn.request("POST", path, payload, {"Content-Type": "application/json"})
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError("%s answered %d: %s" % (path, response.status, data[:200]))
        return json.loads(data)


def unary_cases(gw):
    key = b64("/bench/gateway/unary")
    state = {"rev": 0}

    def put():
        state["rev"] = int(gw.call("/v3/kv/put", {"key": key, "value": b64("v" * 64)})["header"]["revision"])

    def range_():
        gw.call("/v3/kv/range", {"key": key})

    def txn():
        r = gw.call("/v3/kv/txn", {
            "compare": [{"key": key, "target": "MOD", "result": "EQUAL", "mod_revision": str(state["rev"])}],
            "success": [{"request_put": {"key": key, "value": b64("t" * 64)}}]})
        if not r.get("succeeded"):
            raise RuntimeError("txn compare failed: %s" % r)
        state["rev"] = int(r["header"]["revision"])

    def lease_grant():
        gw.call("/v3/lease/grant", {"TTL": "60"})

    return [("put", put), ("range", range_), ("txn", txn), ("lease-grant", lease_grant)]


def timed(fn, count):
    out = []
    for _ in range(count):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


class WatchStream:
    """A /v3/watch stream read line by line from its own socket (chunked transfer, one JSON object per line)."""

    def __init__(self, port, key):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        body = json.dumps({"create_request": {"key": key}})
        head = ("POST /v3/watch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\n\r\n" % len(body))
        self.sock.sendall((head + body).encode())
        self.buf = b""
        self.headers_done = False

    def next_object(self):
        """The next JSON object on the stream (chunk framing ignored: objects are newline-separated)."""
        while True:
            if not self.headers_done and b"\r\n\r\n" in self.buf:
                self.buf = self.buf.split(b"\r\n\r\n", 1)[1]
                self.headers_done = True
            if self.headers_done:
                start = self.buf.find(b"{")
                end = self.buf.find(b"\n", start) if start >= 0 else -1
                if start >= 0 and end >= 0:
                    line, self.buf = self.buf[start:end], self.buf[end + 1:]
                    try:
                        return json.loads(line)
                    except ValueError:
                        continue  # a chunk-size line that happened to hold a brace: skip
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("watch stream closed")
            self.buf += data


def watch_case(port, gw, count, warmup):
    key = b64("/bench/gateway/watched")
    stream = WatchStream(port, key)
    created = stream.next_object()
    if not created.get("result", {}).get("created"):
        raise RuntimeError("watch not created: %s" % created)
    latencies = []
    for i in range(warmup + count):
        gw.call("/v3/kv/put", {"key": key, "value": b64("w%d" % i)})
        acked = time.perf_counter()
        while True:
            event = stream.next_object().get("result", {})
            if event.get("events"):
                break
        if i >= warmup:
            latencies.append(max(0.0, (time.perf_counter() - acked) * 1000))
    stream.sock.close()
    return latencies


def summary(values):
    return {"count": len(values), "p50": percentile(values, 0.5), "p90": percentile(values, 0.9),
            "p99": percentile(values, 0.99), "max": round(max(values), 3) if values else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("port", type=int)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=2000)
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    gw = Gateway(args.port)
    result = {"label": args.label, "port": args.port, "cases": {}}
    for name, fn in unary_cases(gw):
        timed(fn, args.warmup)
        result["cases"][name] = summary(timed(fn, args.calls))
    result["cases"]["watch"] = summary(watch_case(args.port, Gateway(args.port), args.events, args.warmup // 4))
    for name, s in result["cases"].items():
        print("%-8s %-12s calls %5d  p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  max %8.3f ms"
              % (args.label, name, s["count"], s["p50"], s["p90"], s["p99"], s["max"]))
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
