"""POST /v1/messages on loopback, streaming the SSE sequence the real API sends.

A stream is: message_start, ping, per block content_block_start / content_block_delta... /
content_block_stop (text_delta for text, input_json_delta for tool_use), message_delta (stop_reason
and usage), message_stop. Replies are scripted per request (a queue); with none queued the fake
answers with a short text. Every request body is recorded, so tests can inspect what left the app.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer. `blocks` items: ("text", [deltas]) or ("tool_use", name, input_dict)."""

    blocks: list[tuple] = field(default_factory=lambda: [("text", ["Fake ", "answer."])])
    status: int = 200
    error_type: str = ""  # e.g. rate_limit_error, overloaded_error (for status >= 400)
    error_message: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # e.g. {"retry-after": "1"}
    delay_s: float = 0.0  # before the response starts (timeouts)
    delta_delay_s: float = 0.0  # between deltas (slow streams, cancellation)
    midstream_error: str = ""  # error type sent as `event: error` after the first block

    @classmethod
    def text(cls, *deltas: str, **kw: Any) -> Reply:
        return cls(blocks=[("text", list(deltas))], **kw)

    @classmethod
    def tool(cls, name: str, tool_input: dict, preface: str = "", **kw: Any) -> Reply:
        blocks: list[tuple] = [("text", [preface])] if preface else []
        return cls(blocks=blocks + [("tool_use", name, tool_input)], **kw)

    @classmethod
    def error(cls, status: int, error_type: str, message: str, **kw: Any) -> Reply:
        return cls(blocks=[], status=status, error_type=error_type, error_message=message, **kw)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up (a cancelled stream, a timeout) is part of the tests, not an error."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeAnthropic:
    def __init__(self) -> None:
        self.requests: list[dict] = []  # parsed JSON bodies
        self.raw: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.aborted: list[str] = []  # request ids whose client went away mid-stream
        self.script: deque[Reply] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self.script.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self.script.clear()
            self.requests.clear()
            self.raw.clear()
            self.headers.clear()
            self.aborted.clear()
            self._ids = itertools.count(1)

    def _next(self, body: bytes, headers: dict[str, str]) -> tuple[str, Reply]:
        with self._lock:
            self.raw.append(body)
            self.headers.append(headers)
            try:
                self.requests.append(json.loads(body))
            except ValueError:
                self.requests.append({})
            reply = self.script.popleft() if self.script else Reply()
            return f"req_fake_{next(self._ids):04d}", reply

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path.split("?")[0] != "/v1/messages":
                    self._json(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}}, "")
                    return
                rid, reply = fake._next(body, {k.lower(): v for k, v in self.headers.items()})
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.status >= 400:
                    err = {"type": "error", "error": {"type": reply.error_type, "message": reply.error_message},
                           "request_id": rid}
                    self._json(reply.status, err, rid, reply.headers)
                    return
                try:
                    self._stream(rid, reply, json.loads(body or b"{}"))
                except (BrokenPipeError, ConnectionResetError):
                    fake.aborted.append(rid)

            def _json(self, status: int, obj: dict, rid: str, headers: dict | None = None) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                if rid:
                    self.send_header("request-id", rid)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _event(self, name: str, data: dict) -> None:
                chunk = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()

            def _stream(self, rid: str, reply: Reply, req: dict) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream; charset=utf-8")
                self.send_header("cache-control", "no-cache")
                self.send_header("transfer-encoding", "chunked")
                self.send_header("request-id", rid)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                usage_in = max(1, len(json.dumps(req.get("messages", []))) // 4)
                cached = max(1, len(json.dumps([req.get("system"), req.get("tools")])) // 4)
                self._event("message_start", {"type": "message_start", "message": {
                    "id": f"msg_{rid}", "type": "message", "role": "assistant", "content": [],
                    "model": req.get("model", ""), "stop_reason": None, "stop_sequence": None,
                    "usage": {"input_tokens": usage_in, "output_tokens": 1,
                              "cache_creation_input_tokens": cached, "cache_read_input_tokens": 0}}})
                self._event("ping", {"type": "ping"})
                out_tokens, stop = 1, "end_turn"
                for index, block in enumerate(reply.blocks):
                    out_tokens += self._block(index, block, reply.delta_delay_s)
                    if block[0] == "tool_use":
                        stop = "tool_use"
                    if reply.midstream_error:
                        self._event("error", {"type": "error", "error": {
                            "type": reply.midstream_error, "message": "Overloaded"
                            if reply.midstream_error == "overloaded_error" else reply.midstream_error}})
                        self.wfile.write(b"0\r\n\r\n")
                        return
                self._event("message_delta", {"type": "message_delta",
                                              "delta": {"stop_reason": stop, "stop_sequence": None},
                                              "usage": {"output_tokens": out_tokens}})
                self._event("message_stop", {"type": "message_stop"})
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _block(self, index: int, block: tuple, delay: float) -> int:
                if block[0] == "text":
                    self._event("content_block_start", {"type": "content_block_start", "index": index,
                                                        "content_block": {"type": "text", "text": ""}})
                    for delta in block[1]:
                        if delay:
                            time.sleep(delay)
                        self._event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                            "delta": {"type": "text_delta", "text": delta}})
                    tokens = sum(len(d) for d in block[1]) // 4 + 1
                else:
                    _, name, tool_input = block
                    tid = f"toolu_fake_{index}_{abs(hash(json.dumps(tool_input))) % 10**8}"
                    self._event("content_block_start", {"type": "content_block_start", "index": index,
                                                        "content_block": {"type": "tool_use", "id": tid,
                                                                          "name": name, "input": {}}})
                    text = json.dumps(tool_input)
                    for part in ("", text[: len(text) // 2], text[len(text) // 2:]):
                        self._event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                            "delta": {"type": "input_json_delta",
                                                                      "partial_json": part}})
                    tokens = len(text) // 4 + 1
                self._event("content_block_stop", {"type": "content_block_stop", "index": index})
                return tokens

        return Handler
