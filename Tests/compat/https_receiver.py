#!/usr/bin/env python3
"""A local https receiver for the webhook tests: serves POST on 127.0.0.1 with
the given certificate, appends each request as one JSON line
({"path", "headers", "body"}) to --out, answers 200, and prints its port on
its first line of output. Bounded: it exits after --seconds (default 120) or
when killed.

Usage: https_receiver.py --cert server.pem --key server.key --out requests.jsonl
       https_receiver.py --plain --out requests.jsonl
"""
import argparse
import http.server
import json
import signal
import ssl
import sys
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--plain", action="store_true", help="serve http, without TLS (a benchmark's reference)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    # A parent that blocks SIGTERM (as a `spate run` test does) passes the mask on: undo it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # answer at once (a real endpoint does; Nagle + delayed ACK adds 40 ms)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            with open(args.out, "a") as out:
                out.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                      "body": body}) + "\n")
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if not args.plain:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Timer(args.seconds, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
