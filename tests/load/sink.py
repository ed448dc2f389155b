#!/usr/bin/env python3
"""An HTTP/1.1 sink for stream.sh: reads every request body to the end (Content-Length or
chunked) into one reused buffer, discards it, and only then answers {"received": N}. Appends
"METHOD PATH N" to the log file, so the test can prove the whole body reached the upstream.

    sink.py PORT LOGFILE
"""
import socketserver
import sys

BUFFER = bytearray(1 << 20)


class Sink(socketserver.StreamRequestHandler):
    rbufsize = 1 << 20

    def handle(self):
        while True:
            request_line = self.rfile.readline(65537)
            if not request_line:
                return
            method, path, _ = request_line.decode("latin-1").split(" ", 2)
            headers = {}
            while True:
                line = self.rfile.readline(65537)
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", "").lower():
                received = self.drain_chunked()
            else:
                received = self.drain(int(headers.get("content-length", "0")))
            with open(sys.argv[2], "a") as log:
                log.write(f"{method} {path} {received}\n")
            body = b'{"received":%d}' % received
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            self.wfile.flush()

    def drain(self, length):
        view = memoryview(BUFFER)
        left = length
        while left > 0:
            n = self.rfile.readinto(view[: min(left, len(BUFFER))])
            if not n:
                raise ConnectionError("body ended early")
            left -= n
        return length

    def drain_chunked(self):
        total = 0
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0], 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return total
            total += self.drain(size)
            self.rfile.readline(16)  # CRLF after the chunk


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    with Server(("127.0.0.1", int(sys.argv[1])), Sink) as server:
        server.serve_forever()
