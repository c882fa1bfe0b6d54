#!/usr/bin/env python3
"""held-connections.py - does HTTP/1 on a client port still answer while many clients hold connections?

  bench/held-connections.py PORT COUNT [KINDS] [--etcd]

Opens COUNT connections to 127.0.0.1:PORT, taking turns among KINDS (comma-separated, default
head,body,sse): `head` sends a request head that never ends, `body` a chunked body that never ends,
`sse` opens a watch (Ketcd: GET /config/held/?watch; with --etcd: POST /v3/watch) and reads its first
bytes. With all of them held it sends GET /health and a gateway put on new connections and prints
their status lines, then closes the held ones and prints how long until /health answers 200 again.
It starts no server: point it at a running bin/ketcd or etcd.
"""
import socket
import sys
import time


def connect(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    return s


def status_line(port, raw):
    s = connect(port, 5)
    try:
        s.sendall(raw)
        got = b""
        while b"\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        return got.split(b"\r\n")[0].decode() or "<closed unanswered>"
    except OSError as e:
        return "<%s>" % e
    finally:
        s.close()


def hold(port, kind, etcd):
    s = connect(port)
    if kind == "head":
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    elif kind == "body":
        s.sendall(b"POST /v3/kv/put HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n")
    elif etcd:
        body = b'{"create_request":{"key":"aGVsZA=="}}'
        s.sendall(b"POST /v3/watch HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        s.recv(4096)
    else:
        s.sendall(b"GET /config/held/?watch HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(4096)
    return s


def main():
    args = [a for a in sys.argv[1:] if a != "--etcd"]
    etcd = "--etcd" in sys.argv
    if len(args) < 2:
        sys.exit(__doc__)
    port, count = int(args[0]), int(args[1])
    kinds = args[2].split(",") if len(args) > 2 else ["head", "body", "sse"]
    health = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    body = b'{"key":"aGVsZA==","value":"eA=="}'
    put = b"POST /v3/kv/put HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    start = time.time()
    held = [hold(port, kinds[i % len(kinds)], etcd) for i in range(count)]
    print("held %d connections (%s) after %.1f s" % (count, ",".join(kinds), time.time() - start))
    print("/health:", status_line(port, health))
    print("put:", status_line(port, put))
    for s in held:
        s.close()
    left = time.time()
    while "200" not in status_line(port, health):
        time.sleep(0.1)
    print("after they left: /health 200 within %.1f s" % (time.time() - left))


if __name__ == "__main__":
    main()
