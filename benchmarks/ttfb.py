#!/usr/bin/env python3
"""benchmarks/ttfb.py - time to first response byte through Yakima's front door.

    ttfb.py PORT IDS [--object /small] [--label TEXT]

IDS is a file with one VM id per line (or "-" for stdin). For each id in
turn: connect to 127.0.0.1:PORT, start the clock, send
"GET OBJECT" with "Host: vmID.denali" and "Connection: close", stop the
clock at the first byte of the answer, read the rest, and check it is a
200 with the whole body. One connection at a time, so every figure is one
request's latency, not a queue's. Prints one line:

    LABEL n=N ok=N p50=...ms p99=...ms max=...ms

and exits 1 if any request failed (each failure is printed on stderr).
"""
import socket
import sys


def fetch(port, vm, obj):
    import time
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        req = f"GET {obj} HTTP/1.1\r\nHost: vm{vm}.denali\r\nConnection: close\r\n\r\n".encode()
        t0 = time.perf_counter()
        s.sendall(req)
        first = s.recv(65536)
        t1 = time.perf_counter()
        data = bytearray(first)
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    finally:
        s.close()
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1] if head.startswith(b"HTTP/1.") else b"?"
    length = None
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    ok = status == b"200" and length is not None and len(body) == length
    return t1 - t0, ok, status.decode(errors="replace")


def pct(sorted_ms, p):
    return sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * p))]


def main():
    args = sys.argv[1:]
    obj, label = "/small", "ttfb"
    if "--object" in args:
        i = args.index("--object")
        obj = args[i + 1]
        del args[i:i + 2]
    if "--label" in args:
        i = args.index("--label")
        label = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    port = int(args[0])
    src = sys.stdin if args[1] == "-" else open(args[1])
    ids = [int(x) for x in src.read().split()]
    lat, failed = [], 0
    for vm in ids:
        try:
            t, ok, status = fetch(port, vm, obj)
        except OSError as e:
            t, ok, status = 0.0, False, str(e)
        if ok:
            lat.append(t * 1e3)
        else:
            failed += 1
            print(f"ttfb: vm{vm}: {status}", file=sys.stderr)
    lat.sort()
    if lat:
        print(f"{label} n={len(ids)} ok={len(lat)} p50={pct(lat, .5):.3f}ms p99={pct(lat, .99):.3f}ms "
              f"max={lat[-1]:.3f}ms")
    else:
        print(f"{label} n={len(ids)} ok=0")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
