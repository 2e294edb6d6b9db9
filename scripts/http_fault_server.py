#!/usr/bin/python3
"""Faults a real web server does not produce on demand, for the HTTP probe tests and
scripts/http-compat: listens on 127.0.0.1, an ephemeral port, and prints "PORT <n>".

  /ok        200, "hello stack_exporter"      /chunked   200, chunked in three pieces
  /500       500                              /redirect  302 to /ok
  /loop      302 to /loop, for ever           /stall     200 head, then nothing
"""
import http.server
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/ok":
            self.send(200, b"hello stack_exporter\n", [("Content-Type", "text/plain")])
        elif path == "/500":
            self.send(500, b"broken\n")
        elif path == "/redirect":
            self.send(302, headers=[("Location", "/ok")])
        elif path == "/loop":
            self.send(302, headers=[("Location", "/loop")])
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (b"chunk one, ", b"chunk two, ", b"the end\n"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.flush()
            threading.Event().wait(120)  # holds this connection's thread only
        else:
            self.send(404, b"not found\n")

    do_HEAD = do_GET


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("PORT", server.server_address[1], flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
