"""HTTP helpers for the clastic-static tests: exact requests over real sockets."""

from __future__ import annotations

import http.client
import re
import socket
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

#: Content of the files outside the served root; no response may ever contain it.
SECRET = "TOP-SECRET-8c1f2d07e5b94a31"
#: public/app.js, which also has .br and .gz siblings.
APP_JS = ("function greet(name) { return 'hello, ' + name; }\n" * 40).encode()
#: public/data.bin: 2 KiB with every byte value, NUL and CRLF included.
BINARY = bytes(range(256)) * 8


@dataclass
class Reply:
    """One HTTP response as received."""

    status: int
    headers: Message
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def fetch(base_url: str, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> Reply:
    """Send one request with exactly these headers (no implicit Accept-Encoding) and read the reply."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        return Reply(response.status, response.msg, body)
    finally:
        conn.close()


def raw_request(base_url: str, request: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes and return the raw response.

    Reading stops at the end of the body when ``Content-Length`` says where
    it is (never for ``HEAD`` and 304, whose bodies are empty), else at EOF.
    """
    parts = urlsplit(base_url)
    no_body = request.startswith(b"HEAD ")
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while True:
            head, sep, body = received.partition(b"\r\n\r\n")
            if sep:
                match = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
                status = int(head.split(b" ", 2)[1])
                if no_body or status == 304:
                    return head + sep
                if match and len(body) >= int(match.group(1)):
                    return received
            data = sock.recv(65536)
            if not data:
                return received
            received += data


def split_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Split a raw HTTP/1.x response into status, headers (lower-cased names) and body bytes."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise AssertionError(f"no end of headers in {raw[:200]!r}")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def parse_byteranges(content_type: str, body: bytes) -> list[tuple[dict[str, str], bytes]]:
    """Parse a multipart/byteranges body into (part headers, part data), checking its framing."""
    match = re.fullmatch(r"multipart/byteranges; boundary=([0-9A-Za-z'()+_,./:=?-]+)", content_type)
    if match is None:
        raise AssertionError(f"not a multipart/byteranges content type: {content_type!r}")
    delimiter = b"--" + match.group(1).encode()
    if not body.startswith(delimiter + b"\r\n"):
        raise AssertionError(f"body does not start with the boundary: {body[:80]!r}")
    if not body.endswith(b"\r\n" + delimiter + b"--\r\n"):
        raise AssertionError(f"body does not end with the closing boundary: {body[-80:]!r}")
    inner = body[len(delimiter) + 2 : -(len(delimiter) + 6)]
    parts = []
    for chunk in inner.split(b"\r\n" + delimiter + b"\r\n"):
        head, _, data = chunk.partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        parts.append((headers, data))
    return parts
