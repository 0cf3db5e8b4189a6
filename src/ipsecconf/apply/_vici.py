"""A typed face over the official ``vici`` client (the ``strongswan`` extra); no protocol code here.

The package is imported lazily, so that the rest of ipsecconf works without it and the
message when it is missing names the extra to install.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "DEFAULT_URI",
    "CharonError",
    "Daemon",
    "Unreachable",
    "Vici",
    "connect",
    "decode",
]

DEFAULT_URI = "unix:///var/run/charon.vici"

# The requests that change charon's state: the ones a dry run or an unchanged apply must not send.
WRITES = frozenset(
    {
        "load-conn",
        "unload-conn",
        "load-shared",
        "unload-shared",
        "load-key",
        "unload-key",
        "load-pool",
        "unload-pool",
        "initiate",
        "terminate",
    }
)


class Unreachable(Exception):
    """charon cannot be talked to at all (not running, no permission, no vici package): one line."""


class CharonError(Exception):
    """charon answered a request with a failure; ``str()`` is charon's own text."""


class Daemon(Protocol):
    """What apply and status need from charon; :class:`Vici` is the real one."""

    def request(self, command: str, message: Mapping[str, Any] | None = None) -> dict[str, Any]: ...

    def stream(self, command: str, message: Mapping[str, Any] | None = None) -> list[dict[str, Any]]: ...


def decode(value: Any) -> Any:
    """vici's answer (OrderedDicts of bytes) as plain dicts, lists and str."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {str(k): decode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [decode(v) for v in value]
    return value


def _socket_for(uri: str, timeout: float) -> socket.socket:
    if uri.startswith("unix://"):
        path = uri[len("unix://") :]
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        where = path
        address: Any = path
    elif uri.startswith("tcp://"):
        host, _, port = uri[len("tcp://") :].rpartition(":")
        if not host or not port.isdigit():
            raise Unreachable(f"bad VICI URI {uri!r}: expected unix:///PATH or tcp://HOST:PORT")
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        where = uri
        address = (host.strip("[]"), int(port))
    else:
        raise Unreachable(f"bad VICI URI {uri!r}: expected unix:///PATH or tcp://HOST:PORT")
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except FileNotFoundError:
        sock.close()
        raise Unreachable(f"charon is not running: no VICI socket at {where}") from None
    except ConnectionRefusedError:
        sock.close()
        raise Unreachable(f"charon is not running: {where} refuses connections") from None
    except PermissionError:
        sock.close()
        raise Unreachable(f"no permission to open charon's VICI socket {where} (run as root)") from None
    except OSError as exc:
        sock.close()
        raise Unreachable(f"cannot reach charon at {where}: {exc.strerror or exc}") from None
    return sock


@dataclass
class Vici:
    """One VICI session; counts the requests that change charon (``writes``)."""

    session: Any
    uri: str
    writes: int = 0
    sent: list[str] = field(default_factory=list)

    def request(self, command: str, message: Mapping[str, Any] | None = None) -> dict[str, Any]:
        from vici.exception import CommandException  # type: ignore[import-untyped]

        self._count(command)
        try:
            answer = self.session.request(command, dict(message) if message is not None else None)
        except CommandException as exc:
            raise CharonError(_charon_text(exc)) from None
        except OSError as exc:
            raise Unreachable(f"lost the connection to charon at {self.uri}: {exc}") from None
        result: dict[str, Any] = decode(answer)
        return result

    def stream(self, command: str, message: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """A request that streams events (list-sas, list-conns, initiate...), collected in full.

        Collected before returning: a second request while vici's generator is open breaks the session.
        """
        from vici.exception import CommandException

        event = {
            "list-sas": "list-sa",
            "list-conns": "list-conn",
            "list-policies": "list-policy",
            "initiate": "control-log",
            "terminate": "control-log",
        }[command]
        self._count(command)
        try:
            out = [decode(m) for m in self.session.streamed_request(command, event, _plain(message))]
        except CommandException as exc:
            raise CharonError(_charon_text(exc)) from None
        except OSError as exc:
            raise Unreachable(f"lost the connection to charon at {self.uri}: {exc}") from None
        return out

    def _count(self, command: str) -> None:
        if command in WRITES:
            self.writes += 1
            self.sent.append(command)

    def close(self) -> None:
        try:
            self.session.transport.close()
        except OSError:
            pass


def _plain(message: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return dict(message) if message is not None else None


def _charon_text(exc: Exception) -> str:
    text = str(exc)
    return text[len("Command failed: ") :] if text.startswith("Command failed: ") else text


def connect(uri: str = DEFAULT_URI, timeout: float = 30.0) -> Vici:
    """A session with the charon at ``uri``; :class:`Unreachable` with one clear line otherwise."""
    try:
        import vici  # type: ignore[import-untyped]
    except ImportError:
        raise Unreachable(
            "talking to strongSwan needs the 'vici' package: pip install 'ipsecconf[strongswan]'"
        ) from None
    sock = _socket_for(uri, timeout)
    return Vici(vici.Session(sock), uri)


def iter_named(items: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """list-sas / list-conns events are one-key dicts ``{name: body}``: yield the pairs."""
    for item in items:
        for name, body in item.items():
            if isinstance(body, dict):
                yield name, body
