"""The runtime reference's prose cases and one test per quirk Q1-Q17 (runtime-openswan-2.6.27.md, R26-R29)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from runtime_support import ETH0, config, host

from ipsecconf.runtime import Matcher, Negotiation, Packet, effective, plan, respond
from ipsecconf.runtime._host import default_route_from_netlink, interfaces_from_netlink

H = "version 2\nconfig setup\n\toe=no\n"
DR = ("192.0.2.2", "192.0.2.1")


def conn(name: str, **kv: str) -> str:
    return f"conn {name}\n" + "".join(f"\t{k}={v}\n" for k, v in kv.items())


def codes(p: Any) -> set[str]:
    return {d.code for d in p.diagnostics}


# ---------------------------------------------------------------- orientation (0, 1; R26)


def test_defaultroute_without_route_vs_any_is_not_added() -> None:
    p = plan(config(H + conn("c", left="%defaultroute", right="%any", authby="secret", auto="add")), host())
    assert not p.conns["c"].added
    assert "must specify host IP address" in (p.conns["c"].rejected or "")
    assert {"O007", "O008"} <= codes(p)
    assert p.steps[0].result.startswith("022 connection must specify host IP address")


def test_q17_resolvable_name_with_wildcard_peer_is_added() -> None:
    text = H + conn("c", left="gw.example", right="%any", authby="secret", auto="add")
    p = plan(config(text), host(names={"GW.example": "192.0.2.2"}))
    e = p.conns["c"]
    assert e.added and e.oriented and e.this == "left" and e.kind == "template"
    assert "O006" in codes(p)  # 2.6.27 refuses it: said, not silent
    q = plan(config(text), host())  # not resolvable: both wildcards
    assert not q.conns["c"].added and {"O005", "O008"} <= codes(q)


def test_rightid_any_with_numeric_right_is_the_address() -> None:
    e = effective(config(H + conn("c", left="192.0.2.2", right="198.51.100.7", rightid="%any")), host())["c"]
    assert e.that_id == "198.51.100.7"
    assert e.this_end is not None and e.this_end.id == "192.0.2.2"


def test_nexthop_defaults_to_peer_and_wildcard_peer_has_none() -> None:
    es = effective(
        config(
            H + conn("a", left="192.0.2.2", right="198.51.100.7") + conn("b", left="192.0.2.2", right="%any")
        ),
        host(),
    )
    assert es["a"].this_end.nexthop_str == "198.51.100.7"  # type: ignore[union-attr]
    assert es["b"].this_end.nexthop_str is None  # type: ignore[union-attr]


def test_defaultroute_without_route_is_familyless_wildcard() -> None:
    # 0.1 step 3: default_end returns early, client stays 0.0.0.0/0; the end is swapped to "that".
    e = effective(
        config(H + conn("c", left="%defaultroute", right="198.51.100.7", authby="secret", auto="add")),
        host((("eth0", "198.51.100.7"),)),
    )["c"]
    assert e.oriented and e.this == "right" and e.prio_text == "32,0" and e.kind == "template"
    assert e.that_end is not None and e.that_end.client_str == "0.0.0.0/0"


def test_add_time_swap_puts_the_wildcard_on_that() -> None:
    e = effective(config(H + conn("c", left="%any", right="192.0.2.2", authby="secret", auto="add")), host())[
        "c"
    ]
    assert e.this == "right" and e.kind == "template" and e.interface == "eth0"


def test_opportunistic_peer_covers_everything() -> None:
    e = effective(config(H + conn("c", left="192.0.2.2", right="%opportunistic", auto="route")), host())["c"]
    assert e.oppo and e.kind == "template" and e.that_end.client_str == "0.0.0.0/0"  # type: ignore[union-attr]


def test_kinds() -> None:
    es = effective(
        config(
            H
            + conn("t", left="192.0.2.2", right="198.51.100.7", rightprotoport="17/%any", authby="secret")
            + conn("p", left="192.0.2.2", right="%any", type="passthrough")
            + conn("g", left="192.0.2.2", right="%group", type="passthrough")
        ),
        host(),
    )
    assert (es["t"].kind, es["p"].kind, es["g"].kind) == ("template", "permanent", "group")


def test_orientation_outcomes() -> None:
    text = H + conn("c", left="192.0.2.2", right="203.0.113.9", auto="route")
    one = effective(config(text), host())["c"]
    assert one.oriented and one.this == "left"
    swapped = effective(config(text), host((("eth1", "203.0.113.9"),)))["c"]
    assert swapped.oriented and swapped.this == "right" and swapped.interface == "eth1"
    none = effective(config(text), host((("eth1", "10.0.0.1"),)))["c"]
    assert none.added and not none.oriented and none.this is None
    p = plan(config(H + conn("c", left="192.0.2.2", right="192.0.2.2", auto="route")), host())
    assert p.conns["c"].reason == 'both sides of "c" are our interface eth0!' and "O002" in codes(p)
    p2 = plan(config(text), host((("eth0", "192.0.2.2"), ("eth1", "203.0.113.9"))))
    assert p2.conns["c"].reason == 'two interfaces match "c" (eth1, eth0)' and "O003" in codes(p2)
    p3 = plan(config(text), host((("eth1", "10.0.0.1"),)))
    assert "O001" in codes(p3)


def test_unknown_iface_is_a_wildcard_and_said() -> None:
    p = plan(config(H + conn("c", left="%bogus0", right="198.51.100.7", auto="add")), host())
    assert "O004" in codes(p)
    e = p.conns["c"]
    assert e.this_end is not None and e.this_end.side == "right"  # swapped: left became a wildcard


def test_host_keywords_match_case_insensitively() -> None:
    e = effective(
        config(H + conn("c", left="%DefaultRoute", right="198.51.100.7", auto="add")), host(default_route=DR)
    )["c"]
    assert e.added and e.oriented and e.this == "left"


# ---------------------------------------------------------------- the plan (2; R27)


def test_explicit_private_with_ignore_suppresses_the_implicit_one(tmp_path: Path) -> None:
    text = "version 2\nconfig setup\n\toe=yes\n" + conn("private", left="%defaultroute", auto="ignore")
    h = host(default_route=DR, policies={"private": "10.0.0.0/8\n", "block": "10.9.9.9\n"}, tmp=tmp_path)
    p = plan(config(text, h.policy_dir), h)
    assert list(p.listroute) == ["packetdefault", "clear", "clear-or-private", "private-or-clear", "block"]
    assert "private" not in p.effective.groups_loaded and "block" in p.effective.groups_loaded


def test_subnets_instances_are_named_right_fastest() -> None:
    text = H + conn(
        "net",
        left="192.0.2.2",
        leftsubnets="{10.1.0.0/24 10.1.1.0/24}",
        right="198.51.100.7",
        rightsubnets="10.2.0.0/24,10.2.1.0/24",
        authby="secret",
        auto="add",
    )
    assert list(plan(config(text), host()).addall) == ["net/1x1", "net/1x2", "net/2x1", "net/2x2"]


def test_group_read_order_and_precedence(tmp_path: Path) -> None:
    text = (
        "version 2\nconfig setup\n\toe=yes\n"
        + conn("mypass", left="%defaultroute", right="%group", type="passthrough", auto="route")
        + conn("mytun", left="%defaultroute", right="%group", authby="secret", auto="route")
    )
    pol = {
        "block": "10.5.0.0/16\n",
        "private": "10.5.0.0/16\n10.6.0.0/16\n",
        "mytun": "10.7.0.0/16\n",
        "mypass": "10.6.0.0/16\n",
    }
    h = host(default_route=DR, policies=pol, tmp=tmp_path)
    p = plan(config(text, h.policy_dir), h)
    assert list(p.effective.groups_loaded) == ["block", "private", "mytun", "mypass"]
    inst = set(p.effective.instances)
    assert "block#10.5.0.0/16" in inst and "private#10.5.0.0/16" not in inst
    assert (
        "private#10.6.0.0/16" in inst and "mypass#10.6.0.0/16" not in inst
    )  # an implicit group beats an explicit one
    assert "O012" in codes(p)


def test_route_conflicts() -> None:
    text = H + "".join(
        conn(
            n,
            left="192.0.2.2",
            leftsubnet="10.1.0.0/16",
            right=r,
            rightsubnet="10.2.0.0/16",
            authby="secret",
            auto="route",
        )
        for n, r in (("a", "198.51.100.7"), ("b", "198.51.100.8"))
    )
    p = plan(config(text), host())
    assert p.routes["a"] == "ok"
    assert p.routes["b"].startswith('003 "b": cannot route -- route already in use for "a"')
    assert "O020" in codes(p)
    same_peer = H + "".join(
        conn(
            n,
            left="192.0.2.2",
            leftsubnet="10.1.0.0/16",
            right="198.51.100.7",
            rightsubnet="10.2.0.0/16",
            auto="route",
            **extra,
        )
        for n, extra in (("t", {"authby": "secret"}), ("x", {"type": "passthrough"}))
    )
    p2 = plan(config(same_peer), host())
    assert p2.routes["x"].startswith('003 "x": cannot install eroute -- it is in use for "t"')
    assert [r.owner for r in p2.eroutes] == ["t"]


def test_transport_conns_are_routed() -> None:
    p = plan(
        config(
            H
            + conn(
                "t", left="192.0.2.2", right="198.51.100.7", type="transport", authby="secret", auto="route"
            )
        ),
        host(),
    )
    assert p.routes["t"] == "ok" and p.eroutes[0].action == "trap"


def test_unoriented_route_and_initiate_messages() -> None:
    p = plan(config(H + conn("c", left="10.0.0.1", right="10.0.0.2", authby="secret", auto="start")), host())
    assert p.routes["c"] == '022 "c": we cannot identify ourselves with either end of this connection'
    assert p.initiates["c"] == '022 "c": We cannot identify ourselves with either end of this connection.'


def test_plan_steps_are_in_order() -> None:
    p = plan(
        config(H + conn("s", left="192.0.2.2", right="198.51.100.7", authby="secret", auto="start")), host()
    )
    assert [s.step for s in p.steps] == ["add", "listen", "route", "initiate"]


# ---------------------------------------------------------------- packets (3; R28)


def _oe(tmp_path: Path, extra: str = "") -> tuple[Any, Any]:
    text = (
        "version 2\nconfig setup\n\toe=yes\n"
        + conn(
            "lan",
            left="192.0.2.2",
            leftsubnet="192.0.2.0/24",
            right="198.51.100.7",
            rightsubnet="10.1.0.0/16",
            authby="secret",
            auto="route",
        )
        + extra
    )
    h = host(
        default_route=DR,
        policies={"private": "10.0.0.0/8\n", "private-or-clear": "10.2.0.0/16\n"},
        tmp=tmp_path,
    )
    return plan(config(text, h.policy_dir), h), h


def test_group_instance_beats_tunnel_for_the_gateways_own_traffic(tmp_path: Path) -> None:
    p, _ = _oe(tmp_path)
    m = Matcher(p)
    assert m.match(Packet("192.0.2.2", "10.1.2.3")).eroute == "private#10.0.0.0/8"
    assert m.match(Packet("192.0.2.5", "10.1.2.3")).eroute == "lan"


def test_q2_group_instances_rank_by_their_target(tmp_path: Path) -> None:
    p, _ = _oe(tmp_path)
    assert p.conns["private#10.0.0.0/8"].prio_text == "32,8"
    r = Matcher(p).match(Packet("192.0.2.2", "10.2.3.4"))
    assert r.eroute == "private-or-clear#10.2.0.0/16"
    assert r.initiate == "private-or-clear#10.2.0.0/16" and r.opportunistic  # 2.6.27: private#10.0.0.0/8


def test_r_m1_port_specificity_breaks_equal_masks() -> None:
    text = H + conn(
        "tcp", left="192.0.2.2", leftsubnet="10.1.0.0/16", right="198.51.100.7", rightsubnet="10.2.0.0/16",
        leftprotoport="6", rightprotoport="6", authby="secret", auto="route",
    ) + conn(
        "web", left="192.0.2.2", leftsubnet="10.1.0.0/16", right="198.51.100.7", rightsubnet="10.2.0.0/16",
        leftprotoport="6", rightprotoport="6/80", authby="secret", auto="route",
    )  # fmt: skip
    p = plan(config(text), host())
    m = Matcher(p)
    r = m.match(Packet("10.1.0.1", "10.2.0.1", 6, 1234, 80))
    assert r.eroute == "web" and r.initiate == "web"
    assert {c.owner: c.why for c in r.candidates}["tcp"] == "less specific protocol/ports"
    assert m.match(Packet("10.1.0.1", "10.2.0.1", 6, 1234, 443)).eroute == "tcp"
    assert m.match(Packet("10.1.0.1", "10.2.0.1", 17, 1234, 80)).eroute is None


def test_match_rejects_bad_addresses() -> None:
    m = Matcher(plan(config(H), host()))
    with pytest.raises(ValueError):
        m.match(Packet("10.1.0.1", "not-an-address"))


def test_ipv6_eroutes() -> None:
    text = H + conn(
        "v6", connaddrfamily="ipv6", left="2001:db8::1", leftsubnet="2001:db8:1::/48", right="2001:db8::2",
        rightsubnet="2001:db8:2::/48", authby="secret", auto="route",
    )  # fmt: skip
    p = plan(config(text), host((("eth0", "2001:db8::1"),)))
    assert p.routes["v6"] == "ok"
    assert Matcher(p).match(Packet("2001:db8:1::5", "2001:db8:2::9")).eroute == "v6"


# ---------------------------------------------------------------- responder (4; R29)

RW = dict(left="192.0.2.2", leftsubnet="10.1.0.0/16", right="%any", authby="secret", auto="add")


def neg(**kw: Any) -> Negotiation:
    base: dict[str, Any] = dict(local="192.0.2.2", peer="127.0.0.1", our_net="10.1.0.0/16")
    base.update(kw)
    return Negotiation(**base)


def test_refine_switches_to_the_same_template_for_a_name_id() -> None:
    r = respond(config(H + conn("rw", **RW)), host(), neg(peer_id="@road"))
    assert r.phase1_instance == '"rw"[1] 127.0.0.1' and r.switched_to == "rw"
    assert r.phase2_instance == '"rw"[2] 127.0.0.1'
    assert 'switched from "rw" to "rw"' in r.log


def test_refine_from_bob_to_alice() -> None:
    text = H + conn("rw-bob", rightid="@bob", **RW) + conn("rw-alice", rightid="@alice", **RW)
    r = respond(config(text), host(), neg(peer_id="@alice"))
    assert r.phase1_instance == '"rw-bob"[1] 127.0.0.1'
    assert r.switched_to == "rw-alice" and r.phase2_instance == '"rw-alice"[1] 127.0.0.1'


def test_aggressive_mode_with_a_name_id() -> None:
    text = H + conn("rw-aggr", aggrmode="yes", **RW)
    r = respond(config(text), host(), neg(mode="aggressive", peer_id="@road"))
    assert r.phase2_instance == '"rw-aggr"[2] 127.0.0.1'
    m = respond(config(text), host(), neg(peer_id="@road"))  # main mode against an aggressive-only template
    assert m.error == "no suitable connection for peer '@road'"


def test_quick_mode_subnets_must_be_equal() -> None:
    text = H + conn(
        "rw",
        left="192.0.2.2",
        leftsubnet="10.1.0.0/16",
        right="%any",
        rightsubnet="10.9.0.0/16",
        authby="secret",
        auto="add",
    )
    r = respond(config(text), host(), neg(peer_net="10.9.5.0/24"))
    assert r.phase2 is None and r.error is not None and "cannot respond to IPsec SA request" in r.error
    ok = respond(config(text), host(), neg(peer_net="10.9.0.0/16"))
    assert ok.phase2 == "rw"


def test_protoport_conn_refuses_a_portless_proposal() -> None:
    text = H + conn(
        "t",
        left="192.0.2.2",
        leftprotoport="6",
        right="%any",
        rightprotoport="6",
        authby="secret",
        auto="add",
    )
    r = respond(config(text), host(), neg(our_net=None))
    assert r.phase2 is None and r.error is not None


def test_q14_specific_host_pair_is_taken_whatever_its_authby() -> None:
    text = H + conn("s", left="192.0.2.2", right="127.0.0.1", authby="rsasig", auto="add") + conn("rw", **RW)
    r = respond(config(text), host(), neg(auth="psk"))
    assert r.phase1 == "s" and r.error is not None
    assert "policy does not allow OAKLEY_PRESHARED_KEY authentication" in r.error
    assert "Q14" in r.reason


def test_shunt_tighter_than_oppo_forbids() -> None:
    # Verified in 2.6.27: an OPPO template followed by a tighter passthrough for %any.
    text = (
        H
        + conn("oe", left="192.0.2.2", right="%opportunistic", auto="add")
        + conn(
            "pass", left="192.0.2.2", right="%any", rightsubnet="127.0.0.0/8", type="passthrough", auto="add"
        )
    )
    r = respond(config(text), host(), neg(our_net=None, auth="rsasig"))
    assert r.phase1 is None and r.error is not None and '"pass" forbids connection' in r.error
    # without the passthrough, the OPPO template answers
    alone = respond(
        config(H + conn("oe", left="192.0.2.2", right="%opportunistic", auto="add")),
        host(),
        neg(auth="rsasig"),
    )
    assert alone.phase1_instance == '"oe"[1] ...127.0.0.1===?'


def test_quick_mode_moves_to_another_permanent_conn() -> None:
    text = H + "".join(
        conn(
            n,
            left="192.0.2.2",
            leftsubnet=s,
            right="127.0.0.1",
            rightsubnet="10.9.1.0/24",
            authby="secret",
            auto="add",
        )
        for n, s in (("s1", "10.1.1.0/24"), ("s2", "10.1.2.0/24"))
    )
    r = respond(config(text), host(), neg(our_net="10.1.2.0/24", peer_net="10.9.1.0/24"))
    assert r.phase1 == "s1" and r.phase2 == "s2" and r.phase2_instance is None


def test_quick_mode_moves_between_subnet_instances() -> None:
    text = H + conn(
        "multi", left="192.0.2.2", leftsubnets="10.1.1.0/24,10.1.2.0/24", right="127.0.0.1",
        rightsubnet="10.9.1.0/24", authby="secret", auto="add",
    )  # fmt: skip
    r = respond(config(text), host(), neg(our_net="10.1.2.0/24", peer_net="10.9.1.0/24"))
    assert r.phase1 == "multi/1x0" and r.phase2 == "multi/2x0"


def test_ikev2_answers_only_the_specific_host_pair() -> None:
    assert respond(config(H + conn("rw", **RW)), host(), neg(ike=2)).phase1 is None
    s = respond(
        config(H + conn("s", left="192.0.2.2", right="127.0.0.1", authby="secret", auto="add")),
        host(),
        neg(ike=2),
    )
    assert s.phase1 == "s"


def test_ignored_conns_do_not_answer() -> None:
    r = respond(config(H + conn("rw", **{**RW, "auto": "ignore"})), host(), neg())
    assert (
        r.phase1 is None
        and r.error is not None
        and "no connection has been authorized with policy=PSK" in r.error
    )


# ---------------------------------------------------------------- quirks Q1-Q17


def test_q1_prio_from_oriented_ends() -> None:
    e = effective(
        config(
            H
            + conn(
                "d",
                left="198.51.100.7",
                leftsubnet="10.2.0.0/16",
                right="192.0.2.2",
                rightsubnet="10.1.0.0/24",
            )
        ),
        host(),
    )["d"]
    assert e.this == "right" and e.prio_text == "24,16"  # 2.6.27 keeps 16,24


def test_q3_point_to_point_peer_is_the_nexthop() -> None:
    e = effective(
        config(H + conn("c", left="%ppp0", right="198.51.100.7")),
        host((("ppp0", "192.0.2.2"),), peers={"ppp0": "192.0.2.254"}),
    )["c"]
    assert e.this_end is not None and e.this_end.nexthop_str == "192.0.2.254"


def _msg(attrs: dict[str, Any], **fields: Any) -> Any:
    m = SimpleNamespace(get_attr=lambda k: attrs.get(k))
    m.__getitem__ = None
    return _Msg(attrs, fields)


class _Msg(dict):  # type: ignore[type-arg]
    def __init__(self, attrs: dict[str, Any], fields: dict[str, Any]) -> None:
        super().__init__(fields)
        self.attrs = attrs

    def get_attr(self, k: str) -> Any:
        return self.attrs.get(k)


def test_q4_first_default_route_counts() -> None:
    links = [
        _Msg({"IFLA_IFNAME": "eth0"}, {"index": 2, "flags": 1}),
        _Msg({"IFLA_IFNAME": "eth1"}, {"index": 3, "flags": 1}),
    ]
    addrs = [
        _Msg({"IFA_LOCAL": "192.0.2.2", "IFA_ADDRESS": "192.0.2.2", "IFA_LABEL": "eth0"}, {"index": 2}),
        _Msg({"IFA_LOCAL": "203.0.113.2", "IFA_ADDRESS": "203.0.113.2", "IFA_LABEL": "eth1"}, {"index": 3}),
    ]
    routes = [
        _Msg({"RTA_OIF": 2, "RTA_GATEWAY": "192.0.2.1"}, {"dst_len": 0}),
        _Msg({"RTA_OIF": 3, "RTA_GATEWAY": "203.0.113.1"}, {"dst_len": 0}),
    ]
    assert default_route_from_netlink(links, addrs, routes) == ("192.0.2.2", "192.0.2.1")
    assert interfaces_from_netlink(links, addrs, [], "netkey") == (
        ("eth0", "192.0.2.2"),
        ("eth1", "203.0.113.2"),
    )
    # klips: only a physical interface that an ipsecN shares an address with
    links.append(_Msg({"IFLA_IFNAME": "ipsec0"}, {"index": 4, "flags": 1}))
    addrs.append(_Msg({"IFA_LOCAL": "192.0.2.2", "IFA_LABEL": "ipsec0"}, {"index": 4}))
    assert interfaces_from_netlink(links, addrs, [], "klips") == (("eth0", "192.0.2.2"),)


def test_q5_default_route_without_nexthop_is_direct() -> None:
    e = effective(
        config(
            H + conn("c", left="%defaultroute", leftnexthop="%defaultroute", right="198.51.100.7", auto="add")
        ),
        host(default_route=("192.0.2.2", None)),
    )["c"]
    assert e.added and e.this_end is not None and e.this_end.nexthop_str == "198.51.100.7"


def test_q6_default_auto_on_an_appended_section() -> None:
    text = (
        H
        + "conn %default\n\tauto=add\n"
        + conn("base", authby="secret")
        + conn("a", left="192.0.2.2", right="198.51.100.7", also="base")
    )
    p = plan(config(text), host())
    assert "base" not in p.addall and "a" in p.addall  # R-P3: no left=/right=, never added
    assert {"O010", "O011"} <= codes(p)


def test_q7_failed_conns_are_neither_added_nor_routed() -> None:
    text = H + conn("bad", left="192.0.2.2", leftsubnet="10.1.0.0/33", right="198.51.100.7", auto="start")
    p = plan(config(text), host())
    assert p.addall == () and p.listroute == () and p.liststart == ()
    assert "O009" in codes(p) and not p.conns["bad"].loaded


def test_q8_adding_a_conn_deletes_only_its_own_name() -> None:
    text = (
        H
        + conn("old", left="192.0.2.2", right="198.51.100.7", connalias="new", auto="add")
        + conn("new", left="192.0.2.2", right="198.51.100.8", auto="add")
    )
    p = plan(config(text), host())
    assert list(p.addall) == ["old", "new"] and all(s.result == "ok" for s in p.steps if s.step == "add")


def test_q9_subnets_conns_are_routed_by_alias() -> None:
    text = H + conn(
        "mix", left="192.0.2.2", leftsubnet="10.5.0.0/24", leftsubnets="10.6.0.0/24", right="198.51.100.8",
        rightsubnet="10.7.0.0/24", authby="secret", auto="route",
    )  # fmt: skip
    p = plan(config(text), host())
    assert p.routes["mix"] == "ok" and {r.owner for r in p.eroutes} == {"mix/0x0", "mix/1x0"}


def test_q10_explicit_negotiating_group_instances_route(tmp_path: Path) -> None:
    text = H + conn("mytun", left="192.0.2.2", right="%group", authby="secret", auto="route")
    h = host(policies={"mytun": "10.7.0.0/16\n"}, tmp=tmp_path)
    p = plan(config(text, h.policy_dir), h)
    assert p.routes["mytun#10.7.0.0/16"] == "ok"  # 2.6.27: cannot route template policy


def test_q11_policy_next_walk_terminates() -> None:
    sel = dict(
        left="192.0.2.2",
        leftsubnet="10.1.0.0/16",
        leftnexthop="198.51.100.7",
        rightsubnet="10.2.0.0/16",
        authby="secret",
        auto="route",
    )
    text = (
        H
        + conn("perm", right="198.51.100.7", **sel)
        + conn("tmpl", right="%any", **sel)
        + conn("tmpl2", right="%any", rightid="@x", **sel)
    )
    p = plan(config(text), host())
    assert "conflict on eroute" in p.routes["tmpl"]
    assert p.routes["tmpl2"].startswith('003 "tmpl2": cannot install eroute -- it is in use for "tmpl"')


def test_q12_fewest_wildcards_win() -> None:
    text = (
        H
        + conn("wide", rightid='"C=CA, O=*, CN=*"', **{**RW, "authby": "rsasig"})
        + conn("narrow", rightid='"C=CA, O=X, CN=*"', **{**RW, "authby": "rsasig"})
    )
    r = respond(config(text), host(), neg(auth="rsasig", peer_id="C=CA, O=X, CN=alice"))
    assert r.switched_to == "narrow" and r.phase2 == "narrow"


def test_q13_defaultroute_end_takes_the_gateway() -> None:
    e = effective(
        config(H + conn("c", left="%defaultroute", right="198.51.100.7", auto="add")), host(default_route=DR)
    )["c"]
    assert e.this_end is not None and e.this_end.nexthop_str == "192.0.2.1"  # 2.6.27: the peer


def test_q15_port_zero_is_a_wildcard_in_fc_try() -> None:
    text = (
        H
        + conn(
            "s1",
            left="192.0.2.2",
            right="127.0.0.1",
            leftprotoport="6",
            rightprotoport="6",
            authby="secret",
            auto="add",
        )
        + conn(
            "s2",
            left="192.0.2.2",
            right="127.0.0.1",
            leftprotoport="17/1701",
            rightprotoport="17",
            authby="secret",
            auto="add",
        )
    )
    r = respond(
        config(text), host(), neg(our_net=None, our_proto=17, our_port=1701, peer_proto=17, peer_port=1701)
    )
    assert r.phase1 == "s1" and r.phase2 == "s2"  # 2.6.27's fc_try demands peer port 0 == 1701 and fails


def test_q16_equal_selectors_first_installed_wins() -> None:
    sel = dict(
        left="192.0.2.2",
        leftsubnet="10.1.0.0/16",
        rightsubnet="10.2.0.0/16",
        authby="secret",
        overlapip="yes",
        auto="route",
    )
    text = (
        H
        + conn("first", right="198.51.100.7", **sel)
        + conn("second", right="198.51.100.7", rightid="@b", **sel)
    )
    p = plan(config(text), host())
    assert p.routes["second"] == "ok"
    r = Matcher(p).match(Packet("10.1.0.1", "10.2.0.1"))
    assert r.eroute == "first"


def test_q17_is_covered_by_name_resolution() -> None:
    test_q17_resolvable_name_with_wildcard_peer_is_added()


def test_effective_has_an_entry_per_conn_instance_and_implicit_conn(tmp_path: Path) -> None:
    p, _ = _oe(tmp_path)
    names = set(p.conns)
    assert {"lan", "packetdefault", "private", "private#10.0.0.0/8", "private-or-clear#10.2.0.0/16"} <= names
    assert set(p.to_json()["conns"]) == names  # type: ignore[arg-type]


def test_host_state_validates() -> None:
    with pytest.raises(ValueError):
        host((("eth0", "not-an-address"),))
    with pytest.raises(ValueError):
        host(ETH0, stack="mast")


def test_ignored_conns_are_not_added_but_still_oriented(tmp_path: Path) -> None:
    text = (
        H
        + conn("i", left="192.0.2.2", right="198.51.100.7")
        + conn("g", left="192.0.2.2", right="%group", type="passthrough", auto="ignore")
    )
    h = host(policies={"g": "10.7.0.0/16\n"}, tmp=tmp_path)
    p = plan(config(text, h.policy_dir), h)
    i = p.conns["i"]
    assert not i.added and i.oriented and i.this == "left" and i.reason.startswith("auto=ignore")
    assert p.addall == () and p.effective.groups_loaded == () and p.effective.instances == ()


def test_corpus_sample_never_raises() -> None:
    from conftest import CORPUS, require

    from ipsecconf.model._resolve import resolve
    from ipsecconf.reading._includes import load

    files = sorted((require(CORPUS / "files")).rglob("*.conf"))[::10]
    h = host((("eth0", "192.0.2.2"), ("lo", "127.0.0.1")), DR)
    for f in files:
        cfg = resolve(load(str(f)))
        p = plan(cfg, h)
        m = Matcher(p)
        for r in p.eroutes[:3]:
            m.match(Packet(str(r.src.network_address), str(r.dst.network_address)))
        respond(cfg, h, Negotiation("192.0.2.2", "203.0.113.5"), with_plan=p)
        assert set(p.to_json()["conns"]) == set(p.conns)  # type: ignore[arg-type]


def test_phase1_never_starts_from_a_group_conn(tmp_path: Path) -> None:
    text = "version 2\nconfig setup\n\toe=yes\n" + conn("packetdefault", left="%defaultroute", auto="ignore")
    h = host(default_route=DR, policies={"private": "127.0.0.0/8\n"}, tmp=tmp_path)
    r = respond(config(text, h.policy_dir), h, neg(our_net=None, auth="rsasig"))
    assert (
        r.phase1 == "private#127.0.0.0/8" and r.phase1_instance == '"private#127.0.0.0/8"[1] ...127.0.0.1===?'
    )
