"""Helpers for the runtime tests: configs from text, hosts from the cases' ``local`` objects."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ipsecconf.model._model import Config
from ipsecconf.model._resolve import resolve
from ipsecconf.reading._includes import load_text
from ipsecconf.runtime import HostState

ETH0 = (("eth0", "192.0.2.2"),)


def config(text: str, policy_dir: str | None = None) -> Config:
    return resolve(load_text(text, "ipsec.conf"), policy_dir=policy_dir)


def host(
    interfaces: tuple[tuple[str, str], ...] = ETH0,
    default_route: tuple[str, str | None] | None = None,
    *,
    stack: str = "netkey",
    policies: Mapping[str, str] | None = None,
    tmp: Path | None = None,
    names: Mapping[str, str] | None = None,
    peers: Mapping[str, str] | None = None,
) -> HostState:
    pdir = None
    if policies is not None:
        assert tmp is not None
        pdir = str(tmp / "policies")
        Path(pdir).mkdir(exist_ok=True)
        for name, text in policies.items():
            (Path(pdir) / name).write_text(text)
    return HostState(
        interfaces=interfaces,
        default_route=default_route,
        stack=stack,
        policy_dir=pdir,
        names=names or {},
        peers=peers or {},
    )


def host_of_case(local: Mapping[str, Any], tmp: Path) -> HostState:
    dr = local.get("defaultroute")
    return host(
        tuple((i["name"], i["addr"]) for i in local["interfaces"]),
        (dr["addr"], dr["nexthop"]) if dr else None,
        stack=local["stack"],
        policies=local.get("policies"),
        tmp=tmp,
        names=local.get("dns"),
    )


def generated_tree(tmp: Path, n: int) -> Path:
    """bench/generate.py's tree of ``n`` conns under ``tmp``; its main file."""
    bench = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("ipsecconf_bench_generate", bench)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    gen.generate(n, tmp)
    return tmp / "ipsec.conf"
