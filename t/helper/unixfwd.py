#!/usr/bin/env python3
"""unixfwd.py: what `ssh -L PORT:/path/admin.sock` gives a browser, for
t/t5212-dashboard.sh: a loopback TCP port whose connections are spliced to
a Unix socket, each byte both ways, half-closes passed on.

    unixfwd.py SOCKET

Prints "unixfwd ready: 127.0.0.1:PORT" once listening; runs until killed.
Python 3 standard library only.
"""

import socket
import sys
import threading


def pipe(src, dst):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(c, path):
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        u.connect(path)
    except OSError as e:
        sys.stderr.write("unixfwd: %s: %s\n" % (path, e))
        c.close()
        return
    t = threading.Thread(target=pipe, args=(u, c), daemon=True)
    t.start()
    pipe(c, u)
    t.join()
    c.close()
    u.close()


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: unixfwd.py SOCKET\n")
        return 2
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    print("unixfwd ready: 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c, sys.argv[1]),
                         daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
