"""A relay between a client and PostgreSQL that records what the client binds.

Whether a driver sends a parameter in binary or as text shows only on the
wire: a driver can hold a binary dumper and still send text.  ``WireRecorder``
listens on a Unix socket of its own, passes every byte through to the server
unchanged and decodes the frontend's Bind messages (PostgreSQL protocol 3):
each parameter's format code and bytes, and the result format codes asked for.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import tempfile
import threading
from dataclasses import dataclass

import sqlalchemy as sa

TEXT, BINARY = 0, 1
# Requests a client may send before its startup message; the server answers each with one byte.
_ENCRYPTION_REQUESTS = {80877103, 80877104}


@dataclass(frozen=True)
class Bind:
    parameters: list[tuple[int, bytes | None]]  # (format code, value)
    result_formats: list[int]


def _parse_bind(body: bytes) -> Bind:
    at = body.index(b"\0") + 1  # portal name
    at = body.index(b"\0", at) + 1  # statement name
    (count,) = struct.unpack_from("!h", body, at)
    codes = list(struct.unpack_from(f"!{count}h", body, at + 2))
    at += 2 + 2 * count
    (params,) = struct.unpack_from("!h", body, at)
    at += 2
    # No code: all text; one code: for every parameter; else one each.
    formats = codes if count == params else (codes or [TEXT]) * params
    values: list[tuple[int, bytes | None]] = []
    for code in formats:
        (length,) = struct.unpack_from("!i", body, at)
        at += 4
        values.append((code, None if length < 0 else body[at : at + length]))
        at += max(length, 0)
    (results,) = struct.unpack_from("!h", body, at)
    return Bind(values, list(struct.unpack_from(f"!{results}h", body, at + 2)))


class WireRecorder:
    """Relays connections to the server of ``url``; ``client_url`` is ``url`` through the relay."""

    def __init__(self, url: str) -> None:
        server = sa.make_url(url)
        host = server.host or str(server.query.get("host") or "localhost")
        port = server.port or int(str(server.query.get("port") or 5432))
        self._upstream = (socket.AF_UNIX, f"{host}/.s.PGSQL.{port}") if host.startswith("/") else (
            socket.AF_INET, (host, port)
        )  # fmt: skip
        self._directory = tempfile.mkdtemp(prefix="wire-")
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(os.path.join(self._directory, f".s.PGSQL.{port}"))
        self._listener.listen()
        self.binds: list[Bind] = []
        self.client_url = (
            server.set(host=None).update_query_dict({"host": self._directory}).render_as_string(hide_password=False)
        )
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._listener.close()
        os.unlink(os.path.join(self._directory, os.listdir(self._directory)[0]))
        os.rmdir(self._directory)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            family, address = self._upstream
            server = socket.socket(family, socket.SOCK_STREAM)
            server.connect(address)
            threading.Thread(target=self._relay, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._relay, args=(server, client, False), daemon=True).start()

    def _relay(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        pending, startup = b"", True
        try:
            while data := source.recv(65536):
                target.sendall(data)
                if not from_client:
                    continue
                pending += data
                while True:
                    if startup:  # untyped: length, then a request code
                        if len(pending) < 8 or len(pending) < struct.unpack_from("!i", pending)[0]:
                            break
                        length, code = struct.unpack_from("!ii", pending)
                        startup = code in _ENCRYPTION_REQUESTS
                        pending = pending[length:]
                        continue
                    if len(pending) < 5 or len(pending) < 1 + struct.unpack_from("!i", pending, 1)[0]:
                        break
                    length = 1 + struct.unpack_from("!i", pending, 1)[0]
                    if pending[:1] == b"B":
                        self.binds.append(_parse_bind(pending[5:length]))
                    pending = pending[length:]
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
