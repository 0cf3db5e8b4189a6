"""``ipsecconf apply``: put a converted config into a running charon over VICI, idempotently.

The conn bodies come from convert's SwanctlTree and are sent as they are (one mapping, one
source of truth). What apply adds is the bookkeeping that makes a second run a no-op:

- each conn it loads gets a *marker*: an address pool named ``ipsecconf:<conn>:<digest>``,
  where the digest is a SHA-256 of the conn's load-conn body. Pools are only used by a conn
  that names them in ``pools``, so the marker is inert; ``get-pools`` shows it to anyone
  with the VICI socket, which is how a later apply knows what it loaded and whether it changed;
- each shared secret gets the VICI id ``ipsecconf:<digest>`` (``get-shared`` lists ids, never
  the data), so an unchanged secret is not sent again and a replaced one is unloaded;
- a private key is recognised by the key id charon returns for it (SHA-1 of the public key),
  which ``get-keys`` lists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ipsecconf.apply._vici import CharonError, Daemon, iter_named
from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, register
from ipsecconf.core._source import Span

__all__ = [
    "MARKER_PREFIX",
    "ApplyResult",
    "ConnResult",
    "Message",
    "Present",
    "TreeLike",
    "apply_tree",
    "marker_name",
    "parse_marker",
    "read_present",
]

MARKER_PREFIX = "ipsecconf:"
# The marker pool's one address: a limited broadcast address no client could be handed.
MARKER_ADDRS = "255.255.255.255/32"
MASK = "***"

_AC = "apply"
CHARON_REFUSED = register(
    "A001",
    "charon-refused-conn",
    Severity.ERROR,
    "charon refused a conn apply sent (load-conn); the message is charon's own.",
    _AC,
)
CREDENTIAL_REFUSED = register(
    "A002",
    "charon-refused-credential",
    Severity.ERROR,
    "charon refused a secret or private key apply sent (load-shared, load-key).",
    _AC,
)
INITIATE_FAILED = register(
    "A003",
    "initiate-failed",
    Severity.WARNING,
    "charon could not start a conn that has auto=start (the peer may be down or refuse it).",
    _AC,
)
UNLOAD_FAILED = register(
    "A004",
    "unload-failed",
    Severity.WARNING,
    "charon refused to unload a conn or a secret that an earlier apply loaded.",
    _AC,
)


class TreeLike(Protocol):
    """The part of convert's SwanctlTree apply uses (CONTRACTS.md)."""

    @property
    def connections(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def shared(self) -> Sequence[Mapping[str, Any]]: ...
    @property
    def private_keys(self) -> Sequence[Any]: ...
    @property
    def origins(self) -> Mapping[str, str]: ...


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def marker_name(conn: str, body: Mapping[str, Any]) -> str:
    return f"{MARKER_PREFIX}{conn}:{_digest(body)}"


def parse_marker(pool: str) -> tuple[str, str] | None:
    """``ipsecconf:NAME:DIGEST`` -> (NAME, DIGEST); conn names may hold ':' so split from the right."""
    if not pool.startswith(MARKER_PREFIX):
        return None
    name, sep, digest = pool[len(MARKER_PREFIX) :].rpartition(":")
    return (name, digest) if sep and name else None


@dataclass(frozen=True)
class Present:
    """What charon has now, as far as apply cares."""

    conns: frozenset[str] = frozenset()
    markers: Mapping[str, str] = field(default_factory=dict)  # conn -> marker pool name
    shared: frozenset[str] = frozenset()
    keys: frozenset[str] = frozenset()
    sas: Mapping[str, int] = field(default_factory=dict)  # conn -> live IKE SAs


def read_present(daemon: Daemon) -> Present:
    conns = frozenset(str(c) for c in daemon.request("get-conns").get("conns", ()))
    markers: dict[str, str] = {}
    for pool in daemon.request("get-pools"):
        got = parse_marker(pool)
        if got is not None:
            markers[got[0]] = pool
    shared = frozenset(str(k) for k in daemon.request("get-shared").get("keys", ()))
    keys = frozenset(str(k) for k in daemon.request("get-keys").get("keys", ()))
    sas: dict[str, int] = {}
    for name, _ in iter_named(daemon.stream("list-sas", {"noblock": "yes"})):
        sas[name] = sas.get(name, 0) + 1
    return Present(conns, markers, shared, keys, sas)


@dataclass(frozen=True)
class Message:
    """One VICI request: what is sent, and a copy safe to print (secrets masked)."""

    command: str
    body: Mapping[str, Any] = field(repr=False)
    shown: Mapping[str, Any]
    conn: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"command": self.command, "conn": self.conn, "body": self.shown}


@dataclass(frozen=True)
class ConnResult:
    """``action``: loaded, unchanged, initiated, trapped, failed, ignored, unloaded."""

    name: str
    action: str
    origin: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "action": self.action, "origin": self.origin, "error": self.error}


@dataclass(frozen=True)
class ApplyResult:
    conns: tuple[ConnResult, ...]
    messages: tuple[Message, ...]  # what was sent (or, on a dry run, would be)
    credentials: Mapping[str, int]  # loaded / unchanged / unloaded / failed counts
    diagnostics: tuple[Diagnostic, ...]
    dry_run: bool

    @property
    def sent(self) -> int:
        """How many requests that change charon were sent (none on a dry run)."""
        return 0 if self.dry_run else len(self.messages)

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def _key_message(key: Any) -> dict[str, Any]:
    """A load-key body from a private_keys item: a body already, PEM, or (file name, PEM)."""
    if isinstance(key, Mapping):
        return dict(key)
    if isinstance(key, tuple):
        key = key[-1]
    data = key.decode() if isinstance(key, bytes) else str(key)
    kind = "rsa" if "BEGIN RSA PRIVATE KEY" in data else "any"
    return {"type": kind, "data": data}


def key_id(message: Mapping[str, Any]) -> str | None:
    """charon's id for a private key: SHA-1 of the DER PKCS#1 public key (None without cryptography)."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError:  # pragma: no cover - cryptography is installed with the certs extra
        return None
    data = message.get("data")
    raw = data.encode() if isinstance(data, str) else data
    if not isinstance(raw, bytes):
        return None
    try:
        key = serialization.load_pem_private_key(raw, password=None)
    except (ValueError, TypeError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey):
        return None
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return hashlib.sha1(der).hexdigest()


def _printable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def _masked(command: str, body: Mapping[str, Any]) -> dict[str, Any]:
    shown = dict(body)
    if command in ("load-shared", "load-key") and "data" in shown:
        shown["data"] = MASK
    printable: dict[str, Any] = _printable(shown)
    return printable


# Auth-section settings that swanctl.conf gives as file names and VICI takes as the data.
_FILE_LISTS = ("pubkeys", "certs", "cacerts")


def vici_body(body: Mapping[str, Any], files: Mapping[str, bytes]) -> dict[str, Any]:
    """The load-conn body as charon takes it: plain dicts and lists, and the public keys and
    certificates that the tree names by file (as swanctl.conf does) inlined, as swanctl does
    when it loads that file. Nothing else changes: the mapping is convert's."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, Mapping):
            out[key] = vici_body(value, files)
        elif isinstance(value, list | tuple):
            if key in _FILE_LISTS:
                out[key] = [files.get(v, v) if isinstance(v, str) else v for v in value]
            else:
                out[key] = list(value)
        else:
            out[key] = value
    return out


def _span(origin: str | None) -> Span | None:
    if not origin:
        return None
    file, _, line = origin.rpartition(":")
    return Span(file, int(line), 1, 0) if file and line.isdigit() else None


class _Scrubber:
    """Removes every secret apply holds from a text before it is shown (charon's errors included)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, MASK)
        return text


def _secret_texts(shared: Sequence[Mapping[str, Any]], keys: Sequence[Mapping[str, Any]]) -> list[str]:
    out: list[str] = []
    for body in (*shared, *keys):
        data = body.get("data")
        if isinstance(data, bytes):
            data = data.decode("utf-8", "replace")
        if isinstance(data, str):
            out.append(data)
            out.extend(line for line in data.splitlines() if len(line) >= 16)
    return out


def _action_of(body: Mapping[str, Any], auto: str | None) -> str:
    starts = {
        str(child.get("start_action", "none"))
        for child in (body.get("children") or {}).values()
        if isinstance(child, Mapping)
    }
    if "trap" in starts or auto == "route":
        return "trapped"
    if "start" in starts or auto == "start":
        return "initiated"
    return "loaded"


def apply_tree(
    tree: TreeLike,
    daemon: Daemon | None,
    *,
    auto: Mapping[str, str] | None = None,
    select: Sequence[str] = (),
    prune: bool = False,
    dry_run: bool = False,
    keep: Iterable[str] = (),
    ignored: Iterable[tuple[str, str | None]] = (),
    partial: bool = False,
) -> ApplyResult:
    """Load ``tree`` into ``daemon``; with ``dry_run`` only plan (``daemon`` may then be None).

    ``auto`` maps a conn name to its ``auto=`` value: ``ignore`` conns are not loaded, and
    ``start`` conns whose children do not start themselves are initiated. ``select`` limits
    the conns loaded to those names (an instance ``NAME/...`` goes with ``NAME``). ``--prune``
    unloads what an earlier apply loaded unless the tree or ``keep`` has its name; ``ignored``
    (name, origin) pairs are reported as ``ignored``. ``partial`` says the tree holds only some
    of the file's conns (CONN names given): the secrets of the others are then not unloaded.
    """
    if daemon is None and not dry_run:
        raise ValueError("apply_tree needs a daemon unless dry_run is set")
    auto = auto or {}
    files: dict[str, bytes] = {**getattr(tree, "pubkeys", {}), **getattr(tree, "certs", {})}
    present = read_present(daemon) if daemon is not None else Present()
    shared = [dict(s) for s in tree.shared]
    keys = [_key_message(k) for k in tree.private_keys]
    scrub = _Scrubber(_secret_texts(shared, keys))
    messages: list[Message] = []
    diags: list[Diagnostic] = []
    creds = {"loaded": 0, "unchanged": 0, "unloaded": 0, "failed": 0}

    def send(
        command: str, body: Mapping[str, Any], conn: str | None = None, stream: bool = False
    ) -> str | None:
        """Send (or only record, on a dry run); charon's error text, scrubbed, or None."""
        messages.append(Message(command, body, _masked(command, body), conn))
        if dry_run or daemon is None:
            return None
        try:
            if stream:
                daemon.stream(command, body)
            else:
                daemon.request(command, body)
        except CharonError as exc:
            return scrub(str(exc)) or "charon refused it without a reason"
        return None

    # Credentials first, so that a conn that starts at once finds them.
    wanted_shared: set[str] = set()
    for body in shared:
        sid = f"{MARKER_PREFIX}{_digest(body)}"
        wanted_shared.add(sid)
        if sid in present.shared:
            creds["unchanged"] += 1
            continue
        err = send("load-shared", {**body, "id": sid})
        if err is None:
            creds["loaded"] += 1
        else:
            creds["failed"] += 1
            owners = ", ".join(str(o) for o in body.get("owners", ())) or "any"
            diags.append(diag(CREDENTIAL_REFUSED, f"charon refused the secret for {owners}: {err}", None))
    for body in keys:
        kid = key_id(body)
        if kid is not None and kid in present.keys:
            creds["unchanged"] += 1
            continue
        err = send("load-key", body)
        if err is None:
            creds["loaded"] += 1
        else:
            creds["failed"] += 1
            diags.append(diag(CREDENTIAL_REFUSED, f"charon refused a private key: {err}", None))
    partial = partial or bool(select)
    for sid in sorted(present.shared):
        # A secret an earlier apply loaded that the secrets file no longer has (or has changed).
        if not partial and sid.startswith(MARKER_PREFIX) and sid not in wanted_shared:
            err = send("unload-shared", {"id": sid})
            if err is None:
                creds["unloaded"] += 1
            else:
                diags.append(diag(UNLOAD_FAILED, f"charon did not unload an old secret: {err}", None))

    def selected(name: str) -> bool:
        return not select or any(name == s or name.startswith(s + "/") for s in select)

    results: list[ConnResult] = [ConnResult(name, "ignored", origin) for name, origin in ignored]
    loadable: set[str] = set(keep)
    for name, given in tree.connections.items():
        conn_body = vici_body(given, files)
        origin = tree.origins.get(name)
        if auto.get(name) == "ignore":
            if selected(name):
                results.append(ConnResult(name, "ignored", origin))
            continue
        loadable.add(name)
        if not selected(name):
            continue
        marker = marker_name(name, conn_body)
        if name in present.conns and present.markers.get(name) == marker:
            results.append(ConnResult(name, "unchanged", origin))
            continue
        err = send("load-conn", {name: conn_body}, name)
        if err is not None:
            results.append(ConnResult(name, "failed", origin, err))
            diags.append(diag(CHARON_REFUSED, f"charon refused conn {name!r}: {err}", _span(origin)))
            continue
        send("load-pool", {marker: {"addrs": MARKER_ADDRS}}, name)
        old = present.markers.get(name)
        if old and old != marker:
            send("unload-pool", {"name": old}, name)
        action = _action_of(conn_body, auto.get(name))
        if action == "initiated" and not any(
            isinstance(c, Mapping) and c.get("start_action") == "start"
            for c in (conn_body.get("children") or {}).values()
        ):
            # charon starts a start_action=start child itself; otherwise ask it to.
            for child in conn_body.get("children") or {}:
                err = send("initiate", {"ike": name, "child": child, "timeout": -1}, name, stream=True)
                if err is not None:
                    diags.append(diag(INITIATE_FAILED, f"conn {name!r}: {err}", _span(origin)))
        results.append(ConnResult(name, action, origin))

    if prune:
        for name, pool in sorted(present.markers.items()):
            if name in loadable:
                continue
            err = send("unload-conn", {"name": name}, name)
            if err is not None and name in present.conns:
                diags.append(diag(UNLOAD_FAILED, f"charon did not unload conn {name!r}: {err}", None))
                continue
            send("unload-pool", {"name": pool}, name)
            if present.sas.get(name):
                # unload-conn leaves the SAs of a conn that does not start itself: end them too.
                send("terminate", {"ike": name, "timeout": -1}, name, stream=True)
            results.append(ConnResult(name, "unloaded"))
    return ApplyResult(tuple(results), tuple(messages), creds, tuple(diags), dry_run)


def format_messages(messages: Iterable[Message]) -> str:
    """The dry run's text: each request and its body, secrets masked."""
    out = []
    for m in messages:
        head = f"# {m.command}" + (f" (conn {m.conn})" if m.conn else "")
        out.append(head + "\n" + json.dumps(m.shown, indent=2, default=str))
    return "\n".join(out) + ("\n" if out else "")
