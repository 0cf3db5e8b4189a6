"""Tests for ipsecconf.language._values: typed value parsers with exact error offsets."""

from __future__ import annotations

import base64
import random
import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsecconf.language import _values as V
from ipsecconf.language._values import (
    VALUE_TYPES,
    AlgList,
    Count,
    Duration,
    Host,
    Id,
    Interfaces,
    Percent,
    Proposal,
    ProtoPort,
    RsaKey,
    Subnet,
    Subnets,
    ValueSyntaxError,
    VirtualPrivate,
    VirtualPrivateEntry,
    canonical,
    insecure_algorithms,
    parse,
    parse_cached,
    parse_with_warnings,
    weak_algorithms,
)

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    HAVE_HYPOTHESIS = True
except ImportError:  # pragma: no cover - hypothesis is a dev extra
    HAVE_HYPOTHESIS = False

AUTO = ("ignore", "add", "route", "start", "manual")
AUTHBY = ("never", "rsasig", "secret", "secret|rsasig")
PLUTODEBUG = ("none", "all", "raw", "crypt", "parsing", "emitting", "control", "dpd")


def err(type_name: str, text: str, **kw: object) -> ValueSyntaxError:
    with pytest.raises(ValueSyntaxError) as info:
        parse(type_name, text, **kw)  # type: ignore[arg-type]
    e = info.value
    assert 0 <= e.start <= e.end <= len(text), (e.start, e.end, text)
    return e


def assert_err(type_name: str, text: str, start: int, end: int, msg: str, **kw: object) -> ValueSyntaxError:
    e = err(type_name, text, **kw)
    assert (e.start, e.end) == (start, end), (e, text[e.start : e.end])
    assert msg in e.message, e.message
    return e


def warnings_of(type_name: str, text: str, **kw: object) -> tuple[str, ...]:
    return parse_with_warnings(type_name, text, **kw)[1]  # type: ignore[arg-type]


def rsa_blob(bits: int = 1024, exponent: int = 65537, seed: int = 1) -> bytes:
    rnd = random.Random(seed)
    modulus = (1 << (bits - 1)) | rnd.getrandbits(bits) | 1
    e = exponent.to_bytes((exponent.bit_length() + 7) // 8, "big")
    return bytes([len(e)]) + e + modulus.to_bytes(bits // 8, "big")


def b64key(blob: bytes) -> str:
    return "0s" + base64.b64encode(blob).decode()


# ---------------------------------------------------------------------------
# API shape


def test_value_types() -> None:
    # One set of type names, the keyword table's; the parsers cover exactly it.
    from ipsecconf.language import _keywords as keywords

    assert VALUE_TYPES is keywords.VALUE_TYPES
    for t in VALUE_TYPES:
        try:  # a known type: a ValueSyntaxError at most, never the unknown-type ValueError
            parse_with_warnings(t, "x", choices=("x",))
        except ValueSyntaxError:
            pass


def test_error_attributes() -> None:
    e = ValueSyntaxError("m", 1, 3, "h")
    assert (e.message, e.start, e.end, e.hint, str(e)) == ("m", 1, 3, "h", "m")
    s = e.shifted(10)
    assert (s.start, s.end, s.message, s.hint) == (11, 13, "m", "h")


def test_unknown_type_and_family_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        parse("nosuchtype", "x")
    with pytest.raises(ValueError):
        parse("subnet", "10.0.0.0/8", family="ipx")
    with pytest.raises(ValueError):
        parse("enum", "x")  # enum without choices


def test_parse_cached_hit_is_the_same_object() -> None:
    a = parse_cached("duration", "1h")
    b = parse_cached("duration", "1h")
    assert a is b
    assert a == (Duration(3600, "1h"), None, ())
    value, error, warns = parse_cached("bool", "on")
    assert value is True and error is None and warns and "R18" in warns[0]
    value, error, warns = parse_cached("bool", "YES")
    assert value is None and isinstance(error, ValueSyntaxError) and warns == ()
    assert parse_cached("enum", "add", AUTO)[0] == "add"
    assert parse_cached("subnet", "2001:db8::/32", (), "ipv4")[1] is not None
    assert parse_cached("subnet", "2001:db8::/32", (), "ipv6")[1] is None


def test_parse_cached_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(V, "_CACHE", {})
    monkeypatch.setattr(V, "_CACHE_MAX", 3)
    for i in range(10):
        parse_cached("number", str(i))
        assert len(V._CACHE) <= 3
    assert parse_cached("number", "9")[0] == 9


# ---------------------------------------------------------------------------
# Strings and word lists


@pytest.mark.parametrize("t", ["string", "filename", "dirname", "cert", "ca"])
def test_string_like_accept_anything(t: str) -> None:
    for text in ("", "ipsec _updown --route yes", "%same", "/etc/ipsec.d/certs/a.pem", "17"):
        assert parse(t, text) == text
        assert canonical(parse(t, text)) == text


def test_connnames() -> None:
    assert parse("connnames", "a b\tc") == ("a", "b", "c")
    assert parse("connnames", "") == ()
    assert canonical(parse("connnames", "a  b")) == "a b"


def test_interfaces() -> None:
    # man page: interfaces="ipsec0=eth1 ipsec1=ppp0", %defaultroute, %none
    assert parse("interfaces", "ipsec0=eth1 ipsec1=ppp0") == Interfaces(
        (("ipsec0", "eth1"), ("ipsec1", "ppp0"))
    )
    assert parse("interfaces", "%defaultroute") == Interfaces((), True, False)
    assert parse("interfaces", "%none") == Interfaces((), False, True)
    assert canonical(parse("interfaces", "ipsec1=ppp0 %defaultroute")) == ("%defaultroute ipsec1=ppp0")
    assert_err("interfaces", "ipsec0=eth0 eth1", 12, 16, "not a virtual=physical pair")
    assert_err("interfaces", "foo=eth0", 0, 3, "invalid virtual interface")
    assert_err("interfaces", "ipsec0=eth#0", 10, 11, "invalid character '#'")
    assert_err("interfaces", "ipsec0=", 7, 7, "missing physical interface")
    assert_err("interfaces", "ipsec0=a ipsec0=b", 9, 15, "given twice")
    assert_err("interfaces", "%none ipsec0=a", 0, 5, "only value")
    assert_err("interfaces", "", 0, 0, "empty")


# ---------------------------------------------------------------------------
# Booleans, enums, lists (R18)


@pytest.mark.parametrize(("text", "value"), [("yes", True), ("no", False)])
def test_bool_accepts_yes_no_silently(text: str, value: bool) -> None:
    assert parse_with_warnings("bool", text) == (value, ())


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("on", True), ("y", True), ("false", False), ("off", False), ("n", False)],
)
def test_bool_aliases_warn_r18(text: str, value: bool) -> None:
    got, warns = parse_with_warnings("bool", text)
    assert got is value and len(warns) == 1 and "R18" in warns[0]


def test_bool_errors() -> None:
    # errors-openswan case 10: pfs=YES (2.6.27: syntax error); we reject with a hint
    e = assert_err("bool", "YES", 0, 3, "lowercase")
    assert e.hint == "yes or no"
    # case 11: pfs=yesplease -> the junk after "yes"
    assert_err("bool", "yesplease", 3, 9, "unexpected 'please'")
    assert_err("bool", "1", 0, 1, "invalid boolean")
    assert_err("bool", "maybe", 0, 5, "invalid boolean")
    assert_err("bool", "", 0, 0, "empty")


def test_enum() -> None:
    # R18: the man page's authby=secret|rsasig is a single choice
    assert parse("enum", "secret|rsasig", choices=AUTHBY) == "secret|rsasig"
    assert parse("enum", "route", choices=AUTO) == "route"
    e = assert_err("enum", "Route", 0, 5, "must be written 'route'", choices=AUTO)
    assert e.hint == "write route"
    e = assert_err("enum", "rout", 0, 4, "invalid value", choices=AUTO)
    assert e.hint is not None and "did you mean 'route'" in e.hint and "ignore" in e.hint
    assert_err("enum", "add route", 3, 4, "only one value", choices=AUTO)
    assert_err("enum", "add,route", 3, 4, "only one value", choices=AUTO)
    assert_err("enum", "", 0, 0, "empty", choices=AUTO)


def test_list() -> None:
    assert parse("list", "control parsing", choices=PLUTODEBUG) == ("control", "parsing")
    assert parse("list", "", choices=PLUTODEBUG) == ()  # man page: empty means none
    assert parse("list", "none", choices=PLUTODEBUG) == ("none",)
    value, warns = parse_with_warnings("list", "dpd dpd", choices=PLUTODEBUG)
    assert value == ("dpd",) and warns
    e = assert_err("list", "control parsin", 8, 14, "invalid list item", choices=PLUTODEBUG)
    assert e.hint is not None and "parsing" in e.hint
    assert_err("list", "control,parsing", 7, 8, "separated by blanks", choices=PLUTODEBUG)
    assert_err("list", "Control", 0, 7, "must be written 'control'", choices=PLUTODEBUG)


# ---------------------------------------------------------------------------
# Numbers


def test_number() -> None:
    assert parse("number", "0") == 0
    assert parse("number", "30") == 30
    assert parse("number", "007") == 7
    # case 53: keyingtries="3" reaches us as the text 3 (quotes are the reader's); R18
    assert parse("count", "3") == Count(3)
    # ... and a raw token that still has its quote fails at the quote
    assert_err("number", '"3', 0, 1, "not a number")
    # case 17: keyingtries=lots
    assert_err("count", "lots", 0, 1, "not a number")
    # case 18: nhelpers=-1 is a number error for unsigned keywords ...
    e = assert_err("number", "-1", 0, 1, "not a number")
    assert e.hint is not None and "negative" in e.hint
    # ... but nhelpers is documented as taking -1, so it is "signed"
    assert parse("signed", "-1") == -1
    # case 19: dpddelay=30s
    e = assert_err("number", "30s", 2, 3, "not a number")
    assert e.hint is not None and "30" in e.hint
    assert_err("number", "2.5", 1, 2, "not a number")
    assert_err("number", "", 0, 0, "expected digits")
    assert_err("number", "%forever", 0, 8, "only for keyingtries")
    assert_err("number", "9" * 5000, 0, 5000, "too large")
    assert_err("signed", "-", 1, 1, "expected digits")
    assert_err("signed", "-x", 1, 2, "not a number")
    assert_err("signed", "3000000000", 0, 10, "range")


def test_count() -> None:
    assert parse("count", "%forever") == Count(None)
    assert parse("count", "%forever").forever  # type: ignore[attr-defined]
    value, warns = parse_with_warnings("count", "0")  # man page: obsolete spelling of %forever
    assert value == Count(None) and warns
    assert canonical(Count(None)) == "%forever" and canonical(Count(5)) == "5"
    assert_err("count", "%Forever", 0, 8, "must be written '%forever'")


# ---------------------------------------------------------------------------
# Durations and percentages (R18)


@pytest.mark.parametrize(
    ("text", "seconds", "canon"),
    [
        ("3600", 3600, "1h"),  # case 12: bare seconds are valid for us (R18)
        ("3600s", 3600, "1h"),
        ("1.5h", 5400, "90m"),  # case 13: a decimal with h is valid (R18)
        ("1d", 86400, "1d"),
        ("9m", 540, "9m"),
        ("8h", 28800, "8h"),
        ("90s", 90, "90s"),
        ("1.5m", 90, "90s"),
        ("0", 0, "0s"),
        ("0.5d", 43200, "12h"),
        ("2.25h", 8100, "135m"),
    ],
)
def test_duration_valid(text: str, seconds: int, canon: str) -> None:
    value = parse("duration", text)
    assert value == Duration(seconds, canon)
    assert canonical(value) == canon
    assert parse("duration", canon) == value


def test_duration_rounding_warns() -> None:
    value, warns = parse_with_warnings("duration", "0.001h")  # 3.6 s
    assert value == Duration(4, "4s") and warns and "rounded" in warns[0]
    assert parse("duration", "0.0025m") == Duration(0, "0s")  # 0.15 s rounds down


def test_duration_errors() -> None:
    e = assert_err("duration", "1.5", 3, 3, "needs a unit")  # R18: decimals need m, h or d
    assert e.hint is not None and "1.5h" in e.hint
    assert_err("duration", "1.5s", 1, 3, "whole number")
    assert_err("duration", "10x", 2, 3, "unknown duration unit")  # case 14
    assert_err("duration", "h", 0, 1, "must start with a digit")  # case 15
    e = assert_err("duration", "2w", 1, 2, "weeks")  # undocumented in the man page
    assert e.hint == "14d"
    e = assert_err("duration", "1H", 1, 2, "lowercase")
    assert e.hint == "1h"
    assert_err("duration", "-5m", 0, 1, "must start with a digit")
    assert_err("duration", "1.", 2, 2, "digits after '.'")
    assert_err("duration", ".5h", 0, 1, "must start with a digit")
    assert_err("duration", "1hh", 2, 3, "after the unit")
    assert_err("duration", "", 0, 0, "empty")
    assert_err("duration", "9" * 30 + "d", 0, 30, "too many digits")
    assert_err("duration", "9" * 11 + "d", 0, 12, "too large")


def test_percent() -> None:
    assert parse("percent", "100%") == Percent(100)
    assert parse("percent", "0%") == Percent(0)
    assert parse("percent", "250%") == Percent(250)  # may exceed 100
    assert canonical(Percent(7)) == "7%"
    e = assert_err("percent", "100", 3, 3, "missing '%'")  # case 16
    assert e.hint == "100%"
    assert_err("percent", "%", 0, 1, "must start with a digit")
    assert_err("percent", "1.5%", 1, 2, "unexpected '.'")
    assert_err("percent", "10%x", 3, 4, "after '%'")
    assert_err("percent", "", 0, 0, "empty")


# ---------------------------------------------------------------------------
# Hosts, next hops, addresses


def test_host_addresses() -> None:
    assert parse("host", "10.11.11.1") == Host("ipv4", IPv4Address("10.11.11.1"), "10.11.11.1")
    assert parse("host", "2001:DB8:0::1") == Host("ipv6", IPv6Address("2001:db8::1"), "2001:db8::1")
    assert parse("host", "gw.example.com") == Host("hostname", None, "gw.example.com")
    assert parse("host", "gw.example.com", family="ipv6").kind == "hostname"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "canon"),
    [
        ("%any", "%any"),
        ("%defaultroute", "%defaultroute"),
        ("%opportunistic", "%opportunistic"),
        ("%oppo", "%opportunistic"),
        ("%opportunisticgroup", "%opportunisticgroup"),
        ("%oppogroup", "%opportunisticgroup"),
        ("%group", "%group"),
    ],
)
def test_host_magic(text: str, canon: str) -> None:
    assert parse("host", text) == Host("magic", None, canon)


def test_host_interfaces() -> None:
    assert parse("host", "%ppp0") == Host("iface", None, "%ppp0")  # man page example
    assert parse("host", "%eth0:1").kind == "iface"  # type: ignore[attr-defined]
    _, warns = parse_with_warnings("host", "%defaultrout")
    assert warns and "%defaultroute" in warns[0]
    e = assert_err("host", "%DefaultRoute", 0, 13, "lowercase")
    assert e.hint == "write %defaultroute"
    assert_err("host", "%", 1, 1, "missing interface name")
    assert_err("host", "%eth/0", 4, 5, "invalid character '/'")


def test_host_ipv4_short_forms_warn() -> None:
    value, warns = parse_with_warnings("host", "10")
    assert value == Host("ipv4", IPv4Address("10.0.0.0"), "10.0.0.0") and warns
    value, warns = parse_with_warnings("host", "10.1")
    assert value == Host("ipv4", IPv4Address("10.1.0.0"), "10.1.0.0") and warns
    value, warns = parse_with_warnings("host", "01.02.03.010")
    assert value == Host("ipv4", IPv4Address("1.2.3.10"), "1.2.3.10")
    assert warns and "decimal" in warns[0]
    value, warns = parse_with_warnings("host", "0x01020304")
    assert value == Host("ipv4", IPv4Address("1.2.3.4"), "1.2.3.4") and warns


def test_host_errors() -> None:
    # R7: '#' inside a token is not a comment; the value then fails as an address
    e = assert_err("host", "1.2.3.4#x", 7, 8, "invalid character '#'")
    assert e.hint is not None and "R7" in e.hint
    assert_err("host", "1.2.3.256", 6, 9, "larger than 255")
    assert_err("host", "1.2.3.4.5", 7, 9, "more than 4 fields")
    assert_err("host", "1..3.4", 2, 3, "empty field")
    assert_err("host", "1.2.3.", 6, 6, "empty field")
    assert_err("host", "a..b", 2, 3, "empty label")
    assert_err("host", "a" * 64 + ".com", 0, 64, "longer than 63")
    assert_err("host", "10.0.0.0/24", 8, 11, "subnet is not allowed")
    assert_err("host", "gw!x", 2, 3, "invalid character '!'")
    assert_err("host", "", 0, 0, "empty")


def test_host_ipv6_errors() -> None:
    assert_err("host", "1::2::3", 4, 6, "more than one '::'")
    assert_err("host", "2001:db8:::1", 8, 11, "too many ':'")
    assert_err("host", ":1::", 0, 1, "single ':'")
    assert_err("host", "1::2:", 4, 5, "single ':'")
    assert_err("host", "12345::", 0, 5, "longer than 4 hex digits")
    assert_err("host", "1:2:3:4:5:6:7", 0, 13, "needs 8 fields")
    assert_err("host", "1:2:3:4::5:6:7:8", 0, 16, "too many fields")
    assert_err("host", "fe80::1%eth0", 7, 8, "invalid character '%'")
    assert_err("host", "::1.2.3:4", 2, 7, "must come last")
    assert_err("host", "::1.2.3", 2, 7, "needs 4 fields")
    assert parse("host", "::ffff:1.2.3.4") == Host("ipv6", IPv6Address("::ffff:1.2.3.4"), "::ffff:1.2.3.4")
    assert parse("host", "::").address == IPv6Address("::")  # type: ignore[attr-defined]
    assert parse("host", "1:2:3:4:5:6:7:8").text == "1:2:3:4:5:6:7:8"  # type: ignore[attr-defined]


def test_host_family() -> None:
    e = assert_err("host", "2001:db8::1", 0, 11, "IPv6 address in an IPv4", family="ipv4")
    assert e.hint is not None and "connaddrfamily=ipv6" in e.hint
    assert_err("host", "192.0.2.1", 0, 9, "IPv4 address in an IPv6 connection", family="ipv6")
    assert parse("host", "2001:db8::1", family="ipv6").kind == "ipv6"  # type: ignore[attr-defined]


def test_nexthop() -> None:
    assert parse("nexthop", "172.16.55.66") == Host("ipv4", IPv4Address("172.16.55.66"), "172.16.55.66")
    assert parse("nexthop", "%defaultroute") == Host("magic", None, "%defaultroute")
    assert parse("nexthop", "%DEFAULTROUTE") == Host("magic", None, "%defaultroute")  # 8, step 3
    # case 36: leftnexthop=%direct -- the man page documents it (R18), 2.6.27 rejects it
    value, warns = parse_with_warnings("nexthop", "%direct")
    assert value == Host("magic", None, "%direct") and "2.6.27" in warns[0]
    assert parse("nexthop", "gw.example.com").kind == "hostname"  # type: ignore[attr-defined]
    assert_err("nexthop", "%any", 0, 4, "unknown magic value")
    assert_err("nexthop", "1.2.3.4#", 7, 8, "invalid character '#'")


def test_ipaddr() -> None:
    assert parse("ipaddr", "10.0.1.1") == Host("ipv4", IPv4Address("10.0.1.1"), "10.0.1.1")
    assert parse("ipaddr", "2001:db8::5").text == "2001:db8::5"  # type: ignore[attr-defined]
    # case 36: leftsourceip=bad!ip
    assert_err("ipaddr", "bad!ip", 0, 6, "not an IP address")
    assert_err("ipaddr", "10.0.0.x", 7, 8, "invalid character 'x'")
    assert_err("ipaddr", "gw.example.com", 0, 14, "not an IP address")
    assert_err("ipaddr", "10.0.0.1", 0, 8, "IPv4 address in an IPv6", family="ipv6")
    assert_err("ipaddr", "", 0, 0, "empty")


# ---------------------------------------------------------------------------
# Subnets


def test_subnet_valid() -> None:
    assert parse("subnet", "10.0.1.0/24") == Subnet(IPv4Network("10.0.1.0/24"), None, "10.0.1.0/24")
    assert parse("subnet", "2001:db8::/32").text == "2001:db8::/32"  # type: ignore[attr-defined]
    assert parse("subnet", "%default").text == "0.0.0.0/0"  # type: ignore[attr-defined]
    assert parse("subnet", "%default", family="ipv6").text == "::/0"  # type: ignore[attr-defined]
    assert parse("subnet", "0/0").text == "0.0.0.0/0"  # type: ignore[attr-defined]
    assert parse_with_warnings("subnet", "10/8") == (
        Subnet(IPv4Network("10.0.0.0/8"), None, "10.0.0.0/8"),
        (),
    )
    assert parse("subnet", "10.0.0.0/255.255.0.0").text == "10.0.0.0/16"  # type: ignore[attr-defined]
    assert parse("subnet", "10.0.0.0/0.0.0.0").text == "0.0.0.0/0"  # type: ignore[attr-defined]


def test_subnet_host_bits_cleared_with_warning() -> None:
    value, warns = parse_with_warnings("subnet", "10.1.2.3/8")
    assert value == Subnet(IPv4Network("10.0.0.0/8"), None, "10.0.0.0/8")
    assert warns == ("host bits cleared: 10.1.2.3/8 is 10.0.0.0/8",)


def test_subnet_port_suffix_is_dropped_with_warning() -> None:
    value, warns = parse_with_warnings("subnet", "10.0.0.0/24:80")
    assert canonical(value) == "10.0.0.0/24" and warns and "ignored" in warns[0]


def test_subnet_virtual() -> None:
    assert parse("subnet", "vhost:%no,%priv") == Subnet(None, "vhost:%no,%priv", "vhost:%no,%priv")
    value = parse("subnet", "vnet:%v4:10.1.0.0/16,%priv")
    assert value == Subnet(None, "vnet:%v4:10.1.0.0/16,%priv", "vnet:%v4:10.1.0.0/16,%priv")
    assert_err("subnet", "vhost:", 6, 6, "nothing after")
    assert_err("subnet", "vhost:%no,%foo", 10, 14, "invalid virtual IP item")
    assert_err("subnet", "vhost:%v6:10.0.0.0/8", 10, 18, "needs an IPv6 subnet")


def test_subnet_errors() -> None:
    # case 33: leftsubnet=10.0.0.0/33
    assert_err("subnet", "10.0.0.0/33", 9, 11, "subnet mask bit count too large")
    # case 34: rightsubnet=10.0.0.0
    e = assert_err("subnet", "10.0.0.0", 8, 8, "no '/' in subnet")
    assert e.hint is not None and "10.0.0.0/32" in e.hint
    # case 35: rightsubnet=2001:db8::/32 in an ipv4 conn
    e = assert_err("subnet", "2001:db8::/32", 0, 10, "IPv6 subnet in an IPv4", family="ipv4")
    assert e.hint is not None and "connaddrfamily=ipv6" in e.hint
    assert_err("subnet", "10.0.0.0/8", 0, 8, "IPv4 subnet in an IPv6", family="ipv6")
    assert_err("subnet", "10.0.0.0/255.0.255.0", 9, 20, "non-contiguous")
    assert_err("subnet", "10.0.0.0/255.255", 9, 16, "non-contiguous")
    assert_err("subnet", "10.0.0.0/", 9, 9, "missing mask")
    assert_err("subnet", "10.0.0.0/2x", 10, 11, "invalid character 'x'")
    assert_err("subnet", "2001:db8::/129", 11, 14, "too large")
    assert_err("subnet", "10.0.300.0/24", 5, 8, "larger than 255")
    assert_err("subnet", "10.0.0.0/8#x", 10, 11, "invalid character '#'")
    assert_err("subnet", "%any", 0, 4, "not allowed")
    assert_err("subnet", "", 0, 0, "empty")


def test_subnets() -> None:
    expected = Subnets(
        (
            Subnet(IPv4Network("10.0.1.0/24"), None, "10.0.1.0/24"),
            Subnet(IPv4Network("10.0.2.0/24"), None, "10.0.2.0/24"),
        )
    )
    for text in (
        "{10.0.1.0/24 10.0.2.0/24}",
        "10.0.1.0/24 10.0.2.0/24",
        "10.0.1.0/24,10.0.2.0/24",
        "{ 10.0.1.0/24, 10.0.2.0/24 }",
    ):
        assert parse("subnets", text) == expected
    assert canonical(expected) == "10.0.1.0/24 10.0.2.0/24"
    assert_err("subnets", "{10.0.1.0/24 10.0.2.0/33}", 22, 24, "too large")
    assert_err("subnets", "10.0.1.0/24,10.0.2.0", 20, 20, "no '/'")
    assert_err("subnets", "{10.0.0.0/8", 11, 11, "missing '}'")
    assert_err("subnets", "{}", 1, 1, "no subnets")
    assert_err("subnets", "a vhost:%no", 1, 1, "no '/'")
    assert_err("subnets", "10.0.0.0/8 vhost:%no", 11, 20, "only allowed in subnet=")
    value, warns = parse_with_warnings("subnets", "10.0.0.0/8 10.0.0.0/8")
    assert len(value.items) == 1 and warns  # type: ignore[attr-defined]


def test_virtual_private() -> None:
    # the man page's example (the restored text)
    text = "%v4:10.0.0.0/8,%v4:192.168.0.0/16,%v4:172.16.0.0/12,%v4:!192.168.1.0/24"
    value = parse("virtual_private", text)
    assert value == VirtualPrivate(
        (
            VirtualPrivateEntry(IPv4Network("10.0.0.0/8"), False),
            VirtualPrivateEntry(IPv4Network("192.168.0.0/16"), False),
            VirtualPrivateEntry(IPv4Network("172.16.0.0/12"), False),
            VirtualPrivateEntry(IPv4Network("192.168.1.0/24"), True),
        )
    )
    assert canonical(value) == text
    six = parse("virtual_private", "%v6:fd00::/8,%v6:!fd00:1::/32")
    assert six == VirtualPrivate(
        (
            VirtualPrivateEntry(IPv6Network("fd00::/8"), False),
            VirtualPrivateEntry(IPv6Network("fd00:1::/32"), True),
        )
    )
    assert_err("virtual_private", "%v4:10.0.0.0/8,10.1.0.0/16", 15, 19, "must start with %v4:")
    assert_err("virtual_private", "%v4:10.0.0.0/8, %v4:1.0.0.0/8", 15, 16, "blanks")
    assert_err("virtual_private", "%v4:10.0.0.0/8,,%v4:1.0.0.0/8", 14, 15, "empty entry")
    assert_err("virtual_private", "%v4:10.0.0.0/8,", 14, 15, "empty entry")
    assert_err("virtual_private", "%v4:10.0.0.0/33", 13, 15, "too large")
    assert_err("virtual_private", "%v4:fd00::/8", 4, 10, "%v4: needs an IPv4 subnet")
    assert_err("virtual_private", "%v4:%default", 4, 12, "not allowed")
    assert_err("virtual_private", "", 0, 0, "empty")


# ---------------------------------------------------------------------------
# protoport (8.3, R18, case 51)


@pytest.mark.parametrize(
    ("text", "value", "canon"),
    [
        ("17/1701", ProtoPort(17, 1701), "17/1701"),  # man page
        ("udp/l2tp", ProtoPort(17, 1701), "17/1701"),
        ("17/%any", ProtoPort(17, None, True), "17/%any"),  # man page
        ("icmp", ProtoPort(1, None), "1"),  # man page
        ("tcp/smtp", ProtoPort(6, 25), "6/25"),  # man page
        ("17", ProtoPort(17, None), "17"),  # case 51 / R18: digits only
        ("17/0", ProtoPort(17, 0), "17/0"),
        ("UDP/ISAKMP", ProtoPort(17, 500), "17/500"),
        ("udp/ipsec-nat-t", ProtoPort(17, 4500), "17/4500"),
        ("tcp/https", ProtoPort(6, 443), "6/443"),
        ("esp", ProtoPort(50, None), "50"),
        ("%any", ProtoPort(0, None), "0"),
    ],
)
def test_protoport_valid(text: str, value: ProtoPort, canon: str) -> None:
    assert parse("protoport", text) == value
    assert canonical(value) == canon
    assert parse("protoport", canon) == value


def test_protoport_empty_parts_warn() -> None:
    assert parse_with_warnings("protoport", "17/")[0] == ProtoPort(17, 0)
    assert warnings_of("protoport", "17/")
    assert parse_with_warnings("protoport", "/1701")[0] == ProtoPort(0, 1701)
    assert warnings_of("protoport", "/1701")


def test_protoport_errors() -> None:
    # case 36: leftprotoport=tcp/nosuchport
    assert_err("protoport", "tcp/nosuchport", 4, 14, "unknown port name 'nosuchport'")
    assert_err("protoport", "foo/80", 0, 3, "unknown protocol 'foo'")
    assert_err("protoport", "256", 0, 3, "between 0 and 255")
    assert_err("protoport", "17/65536", 3, 8, "between 0 and 65535")
    assert_err("protoport", "17/1/2", 4, 5, "only one '/'")
    assert_err("protoport", "", 0, 0, "empty")


# ---------------------------------------------------------------------------
# ids (8.4)


@pytest.mark.parametrize(
    ("text", "kind", "canon"),
    [
        ("@gw.example.com", "fqdn", "@gw.example.com"),
        ("user@example.com", "user_fqdn", "user@example.com"),
        ("192.0.2.1", "ipv4", "192.0.2.1"),
        ("2001:DB8::1", "ipv6", "2001:db8::1"),
        ("C=CA, O=x, CN=gw", "dn", "C=CA, O=x, CN=gw"),
        ("C=CA,O=x ,  CN=gw", "dn", "C=CA, O=x, CN=gw"),
        ("@C=CA, CN=gw", "dn", "C=CA, CN=gw"),  # a leading @ is dropped from a DN
        ("/C=CA/O=x/CN=gw", "dn", "/C=CA/O=x/CN=gw"),
        ("%fromcert", "magic", "%fromcert"),
        ("%none", "magic", "%none"),
        ("%myid", "magic", "%myid"),
        ("%any", "magic", "%any"),
        ("@#0A0b", "key_id", "@#0a0b"),
        ("@~3082", "der_dn", "@~3082"),
        ("@[my key]", "key_id_text", "@[my key]"),
        ("0.0.0.0", "ipv4", "0.0.0.0"),
    ],
)
def test_id_valid(text: str, kind: str, canon: str) -> None:
    value = parse("id", text)
    assert value == Id(kind, canon)
    assert parse("id", canonical(value)) == value


def test_id_warnings() -> None:
    # R18: leftid=12 is accepted; ttoaddr reads it as 12.0.0.0, so say so
    value, warns = parse_with_warnings("id", "12")
    assert value == Id("ipv4", "12.0.0.0") and warns
    value, warns = parse_with_warnings("id", "gw.example.com")
    assert value == Id("hostname", "gw.example.com") and "@gw.example.com" in warns[0]
    assert warnings_of("id", "@[open")
    assert warnings_of("id", "C=CA, XYZ=1")


def test_id_errors() -> None:
    assert assert_err("id", "%FromCert", 0, 9, "unknown magic id").hint == "write %fromcert"
    assert_err("id", "%foo", 0, 4, "unknown magic id")
    assert_err("id", "@#0a0", 2, 5, "odd number of hex digits")
    assert_err("id", "@#0g", 3, 4, "invalid character 'g'")
    assert_err("id", "@#", 2, 2, "empty key id")
    assert_err("id", "@", 1, 1, "empty name")
    assert_err("id", "user@", 5, 5, "empty domain")
    assert_err("id", "C=CA, Oops", 6, 10, "has no '='")
    assert_err("id", "C=CA, CN=", 9, 9, "empty value for attribute CN")
    assert_err("id", "C=CA, =x", 6, 7, "missing attribute name")
    assert_err("id", "C=CA, 1x=y", 6, 8, "invalid attribute name")
    assert_err("id", "1.2.3.4#x", 7, 8, "invalid character '#'")
    assert_err("id", "1.2.3.999", 6, 9, "larger than 255")
    assert_err("id", "", 0, 0, "empty")


# ---------------------------------------------------------------------------
# RSA keys


def test_rsakey_magic() -> None:
    assert parse("rsakey", "") == RsaKey("magic", None, "%none")  # empty means no key
    for magic in ("%dnsondemand", "%dnsonload", "%dns", "%cert", "%none"):
        assert parse("rsakey", magic) == RsaKey("magic", None, magic)
        assert parse("rsakey", magic.upper()) == RsaKey("magic", None, magic)
    assert_err("rsakey", "%foo", 0, 4, "unknown magic value")


def test_rsakey_literal() -> None:
    blob = rsa_blob(1024)
    value = parse("rsakey", b64key(blob))
    assert value == RsaKey("key", 1024, None, blob)
    hexed = "0x" + blob.hex()
    assert parse("rsakey", hexed) == value
    underscored = "0x" + "_".join(blob.hex()[i : i + 8] for i in range(0, len(blob) * 2, 8))
    assert parse("rsakey", underscored) == value
    assert canonical(value) == b64key(blob)
    # the 3-byte exponent length form of RFC 3110
    long_form = bytes([0, 0, 3, 1, 0, 1]) + blob[4:]
    assert parse("rsakey", b64key(long_form)) == RsaKey("key", 1024, None, long_form)
    assert parse("rsakey", b64key(rsa_blob(2048))).bits == 2048  # type: ignore[attr-defined]


def test_rsakey_never_shows_key_material() -> None:
    blob = rsa_blob(1024)
    good = b64key(blob)
    value = parse("rsakey", good)
    assert good[2:12] not in repr(value)
    bad_inputs = [
        good[:-1],  # padding
        good[:40] + "*" + good[41:],  # bad character
        b64key(rsa_blob(256)),  # too short
        b64key(bytes([3, 1, 0, 1]) + bytes(64)),  # leading zero modulus byte
        b64key(bytes([3, 1, 0, 0]) + blob[4:]),  # even exponent
        "0x" + blob.hex() + "a",  # odd hex
        "0x" + blob.hex()[:30] + "zz" + blob.hex()[32:],
        good.replace("0s", "0t", 1),
        good[2:],  # no prefix
    ]
    for text in bad_inputs:
        e = err("rsakey", text)
        shown = e.message + (e.hint or "")
        body = text[2:]
        for i in range(0, max(len(body) - 4, 1)):
            assert body[i : i + 5] not in shown, (shown, text[:20])


def test_rsakey_errors() -> None:
    blob = rsa_blob(1024)
    good = b64key(blob)
    n = len(good)
    assert_err("rsakey", good[:-1], n - 1, n - 1, "not correctly padded")
    assert_err("rsakey", good[:40] + "*" + good[41:], 40, 41, "invalid character")
    assert_err("rsakey", b64key(rsa_blob(256)), 2, len(b64key(rsa_blob(256))), "too short")
    zero = b64key(bytes([3, 1, 0, 1]) + bytes(64))
    assert_err("rsakey", zero, 2, len(zero), "leading zero byte")
    even = b64key(bytes([3, 1, 0, 0]) + blob[4:])
    assert_err("rsakey", even, 2, len(even), "exponent")
    assert_err("rsakey", "0sAAAA", 2, 6, "zero exponent length")
    assert_err("rsakey", "0x" + blob.hex() + "a", 2 * len(blob) + 3, 2 * len(blob) + 3, "odd")
    assert_err("rsakey", "0x12zz", 4, 5, "invalid character")
    assert_err("rsakey", "0tabc", 0, 2, "0t text keys")
    assert_err("rsakey", "AwEAAQ==", 0, 2, "must begin with 0s")
    assert_err("rsakey", "0s", 2, 2, "empty key")


# ---------------------------------------------------------------------------
# Algorithm strings (8.5)

MAN_IKE = [
    "3des-sha1,aes-sha1",
    "aes",
    "aes128-md5;modp2048",
    "aes128-sha1;dh22",
    "3des-md5;modp1024,aes-sha1;modp1536",
    "modp1536",  # R18: accepted although 2.6.27 rejects it
    "3des-sha1;dh23",
]
MAN_ESP = [
    "aes_ccm_a-152-null",
    "3des-md5",
    "aes256-sha1;modp2048",
    "aes-sha1,aes-md5",
    "aes256-sha1;dh23",
    "aes128-md5;modp1024",  # the pfsgroup replacement
]
MAN_AH = ["md5", "sha1;modp1536", "hmac-md5"]


@pytest.mark.parametrize("text", MAN_IKE)
def test_man_page_ike_examples(text: str) -> None:
    value = parse("ike", text)
    assert isinstance(value, AlgList) and value.kind == "ike"
    assert parse("ike", canonical(value)) == value


@pytest.mark.parametrize("text", MAN_ESP)
def test_man_page_phase2alg_examples(text: str) -> None:
    value = parse("phase2alg", text)
    assert isinstance(value, AlgList) and value.kind == "esp"
    assert parse("phase2alg", canonical(value)) == value


@pytest.mark.parametrize("text", MAN_AH)
def test_man_page_ah_examples(text: str) -> None:
    value = parse("phase2alg", text, choices=("ah",))
    assert isinstance(value, AlgList) and value.kind == "ah"
    assert parse("phase2alg", canonical(value), choices=("ah",)) == value


def test_ike_structure() -> None:
    assert parse("ike", "aes128-sha1;modp2048") == AlgList("ike", (Proposal("aes", 128, "sha1", "modp2048"),))
    assert parse("ike", "modp1536") == AlgList("ike", (Proposal(None, None, None, "modp1536"),))
    # aes128 and aes-128 are the same; '-' also introduces a group; hash key length
    assert parse("ike", "aes-128-sha1-modp1024") == parse("ike", "aes128-sha1;modp1024")
    assert parse("ike", "aes-sha1-160") == AlgList("ike", (Proposal("aes", None, "sha1", None, 160),))
    only_group = AlgList("ike", (Proposal("aes", None, None, "modp2048"),))
    assert parse("ike", "aes;modp2048") == only_group
    # names are case-insensitive; aliases fold (sha = sha1, 3des_cbc = 3des)
    assert parse("ike", "AES256-SHA") == parse("ike", "aes256-sha1")
    assert parse("ike", "3des_cbc-md5") == parse("ike", "3des-md5")
    # blanks are skipped at the start of a proposal only
    assert parse("ike", "3des-md5, aes-sha1") == parse("ike", "3des-md5,aes-sha1")
    value, warns = parse_with_warnings("ike", "aes-sha1!")  # obsolete strict flag
    assert value == parse("ike", "aes-sha1") and warns
    assert parse("ike", "aes-sha2_256;modp4096").proposals[0].hash == "sha2_256"  # type: ignore[attr-defined]


def test_ike_warnings_for_unimplemented() -> None:
    assert warnings_of("ike", "aes128-sha1;dh22")  # needs USE_MODP_RFC5114
    assert warnings_of("ike", "idea-md5")
    assert warnings_of("ike", "aes-tiger")
    assert warnings_of("ike", "aes-sha1;gp155")
    assert warnings_of("ike", "aes-sha1;modp2048") == ()


def test_ike_errors() -> None:
    e = assert_err("ike", "aes512-sha1", 0, 6, "unknown IKE cipher 'aes512'")
    assert e.hint is not None and "128, 192, 256" in e.hint
    assert_err("ike", "aes-512", 4, 7, "invalid key length 512 for aes")
    e = assert_err("ike", "blowfsh-sha1", 0, 7, "unknown IKE cipher")
    assert e.hint is not None and "did you mean 'blowfish'" in e.hint
    e = assert_err("ike", "aes-sha256", 4, 10, "unknown hash algorithm 'sha256'")
    assert e.hint is not None and "sha2_256" in e.hint
    assert_err("ike", "aes-sha1;modp1000", 9, 17, "unknown DH group 'modp1000'")
    assert assert_err("ike", "aes-sha1;dh14", 9, 13, "unknown DH group").hint == "write modp2048"
    assert_err("ike", "aes-dh14", 4, 8, "unknown DH group")
    assert_err("ike", "aes_gcm_a-sha1", 0, 9, "unknown IKE cipher")  # ESP-only name
    assert_err("ike", "aes128-256", 7, 10, "key length given twice")
    assert_err("ike", "aes-sha1-159", 9, 12, "invalid key length 159 for sha1")
    assert_err("ike", "aes,,3des", 3, 4, "empty proposal")
    assert_err("ike", "aes,", 3, 4, "empty proposal")
    assert_err("ike", "aes ", 3, 4, "unexpected ' '")
    assert_err("ike", "aes-sha1;modp1024;x", 17, 18, "unexpected ';'")
    assert_err("ike", "aes-sha1;", 9, 9, "expected a DH group")
    assert_err("ike", "a!es", 1, 2, "only allowed at the very end")
    assert_err("ike", "modp1536-sha1", 8, 9, "unexpected '-'")
    assert_err("ike", "-sha1", 0, 1, "expected a cipher name")
    assert_err("ike", "!", 0, 0, "no proposals")
    assert_err("ike", "", 0, 0, "empty")


def test_phase2alg_structure() -> None:
    assert parse("phase2alg", "aes_ccm_a-152-null") == AlgList(
        "esp", (Proposal("aes_ccm_a", 152, "null", None),)
    )
    # the single ;GROUP applies to every proposal
    assert parse("phase2alg", "aes-sha1,3des-md5;modp1536") == AlgList(
        "esp",
        (Proposal("aes", None, "sha1", "modp1536"), Proposal("3des", None, "md5", "modp1536")),
    )
    assert canonical(parse("phase2alg", "aes-sha1,3des-md5;modp1536")) == ("aes-sha1,3des-md5;modp1536")
    assert parse("phase2alg", "aes;0") == parse("phase2alg", "aes")  # ;0 = no group
    assert parse("phase2alg", "aes_gcm_c-160").proposals[0].keylen == 160  # type: ignore[attr-defined]
    assert parse("phase2alg", "id12-sha1").proposals[0].cipher == "id12"  # type: ignore[attr-defined]
    value, warns = parse_with_warnings("phase2alg", "aes-hmac-sha1")
    assert value == parse("phase2alg", "aes-sha1") and warns
    assert parse("phase2alg", "sha1-160;modp1024", choices=("ah",)) == AlgList(
        "ah", (Proposal(None, None, "sha1", "modp1024", 160),)
    )


def test_phase2alg_errors() -> None:
    # 8.5: everything after the first ';' is the group
    assert_err("phase2alg", "aes-sha1;modp1024,3des-md5", 17, 18, "must come last")
    e = assert_err("phase2alg", "3des-md5-modp1024", 9, 17, "after ';'")
    assert e.hint == "3des-md5;modp1024"
    assert_err("phase2alg", "modp1024", 0, 8, "after ';'")
    assert_err("phase2alg", "md5", 0, 3, "unknown ESP cipher 'md5'")
    assert_err("phase2alg", "aes-sha2", 4, 8, "unknown hash algorithm")
    assert_err("phase2alg", "aes_ccm_a-100-null", 10, 13, "invalid key length 100")
    assert_err("phase2alg", "null128-md5", 0, 7, "unknown ESP cipher")
    assert_err("phase2alg", "aes-sha1;modp1024 ", 17, 18, "unexpected ' '")
    assert_err("phase2alg", "aes-sha1;", 9, 9, "expected a DH group")
    assert_err("phase2alg", "aes", 0, 3, "unknown hash algorithm", choices=("ah",))
    assert_err("phase2alg", "sha1-md5", 4, 5, "unexpected '-'", choices=("ah",))


def test_weak_and_insecure() -> None:
    ike = parse("ike", "3des-md5;modp1024,aes-sha1;modp768,des-sha1")
    assert isinstance(ike, AlgList)
    assert weak_algorithms(ike) == ("md5", "modp1024")
    assert insecure_algorithms(ike) == ("modp768", "des")
    bare = parse("ike", "aes")
    assert isinstance(bare, AlgList)
    assert weak_algorithms(bare) == ()
    assert weak_algorithms(bare, implied=True) == ("md5", "modp1024")
    esp = parse("phase2alg", "null-sha1,aes-null,aes_gcm_a-null")
    assert isinstance(esp, AlgList)
    assert insecure_algorithms(esp) == ("null",)
    assert insecure_algorithms(parse("phase2alg", "aes_gcm_a-null")) == ()  # type: ignore[arg-type]
    assert weak_algorithms(parse("ike", "aes-sha1;dh22")) == ("dh22",)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Round trips: canonical(parse(x)) parses to the same value

ROUND_TRIP = [
    ("bool", "on", ()),
    ("enum", "secret|rsasig", AUTHBY),
    ("list", "control  parsing", PLUTODEBUG),
    ("number", "0042", ()),
    ("signed", "-1", ()),
    ("count", "0", ()),
    ("duration", "1.5h", ()),
    ("percent", "100%", ()),
    ("host", "%oppo", ()),
    ("host", "0x0A000001", ()),
    ("host", "2001:0db8:0000::0001", ()),
    ("nexthop", "%Direct", ()),
    ("ipaddr", "10.1", ()),
    ("subnet", "10.1.2.3/255.0.0.0", ()),
    ("subnet", "vhost:%v4:10.1.2.3/8,%no", ()),
    ("subnets", "{10.0.0.0/8, 2001:db8::/32}", ()),
    ("virtual_private", "%v4:10.1.0.0/8,%v6:!fd00::1/8", ()),
    ("protoport", "udp/%any", ()),
    ("id", "@C=CA ,CN=x", ()),
    ("rsakey", "%DNSONDEMAND", ()),
    ("ike", "AES-128-SHA-160-MODP2048,3des", ()),
    ("phase2alg", "aes_ccm_b216-null,3des;dh24", ()),
    ("phase2alg", "hmac-sha1-160;modp2048", ("ah",)),
    ("connnames", " a  b ", ()),
    ("interfaces", "ipsec0=eth0  %defaultroute", ()),
]


@pytest.mark.parametrize(("t", "text", "choices"), ROUND_TRIP)
def test_canonical_round_trip(t: str, text: str, choices: tuple[str, ...]) -> None:
    value = parse(t, text, choices=choices)
    canon = canonical(value)
    again = parse(t, canon, choices=choices)
    assert again == value
    assert canonical(again) == canon  # idempotent (R24)


def test_canonical_rejects_non_values() -> None:
    with pytest.raises(TypeError):
        canonical(object())


# ---------------------------------------------------------------------------
# Property tests

if HAVE_HYPOTHESIS:
    _ALL_TYPES = sorted(VALUE_TYPES)

    @settings(max_examples=examples(300), deadline=None)
    @given(
        st.sampled_from(_ALL_TYPES),
        st.text(alphabet=st.sampled_from(list('0123456789abcdefsmhdx.:/%,-;!@#=_ {}[]~"\t')))
        | st.text(max_size=30),
        st.sampled_from([None, "ipv4", "ipv6"]),
    )
    def test_never_crashes_and_offsets_are_in_range(t: str, text: str, family: str | None) -> None:
        choices = AUTO if t in ("enum", "list") else ()
        value, error, warns = parse_cached(t, text, choices, family)
        if error is None:
            assert isinstance(warns, tuple)
            canon = canonical(value)
            assert parse(t, canon, choices=choices, family=family) == value
        else:
            assert value is None
            assert 0 <= error.start <= error.end <= len(text)
            assert error.message

    @settings(max_examples=examples(200), deadline=None)
    @given(st.integers(0, 40_000), st.sampled_from(["", "s", "m", "h", "d"]))
    def test_duration_round_trip(n: int, unit: str) -> None:
        value = parse("duration", f"{n}{unit}")
        assert isinstance(value, Duration)
        assert value.seconds == n * V._UNITS[unit or "s"]
        assert parse("duration", canonical(value)) == value

    @settings(max_examples=examples(200), deadline=None)
    @given(st.ip_addresses(), st.integers(0, 128), st.booleans())
    def test_subnet_round_trip(addr: IPv4Address | IPv6Address, bits: int, dotted: bool) -> None:
        bits = min(bits, addr.max_prefixlen)
        if addr.version == 4 and dotted:
            mask = str(IPv4Network(f"0.0.0.0/{bits}").netmask)
            text = f"{addr}/{mask}"
        else:
            text = f"{addr}/{bits}"
        value = parse("subnet", text)
        assert isinstance(value, Subnet) and value.network is not None
        assert value.network.prefixlen == bits
        net_type = IPv4Network if addr.version == 4 else IPv6Network
        assert value.network == net_type((addr, bits), strict=False)
        assert parse("subnet", canonical(value)) == value
        fam = "ipv6" if addr.version == 6 else "ipv4"
        assert parse("subnet", text, family=fam) == value

    @settings(max_examples=examples(200), deadline=None)
    @given(st.ip_addresses())
    def test_host_round_trip(addr: IPv4Address | IPv6Address) -> None:
        for text in (str(addr), addr.exploded):
            value = parse("host", text)
            assert isinstance(value, Host) and value.address == addr
            assert canonical(value) == addr.compressed or addr.version == 6

    _CIPHERS = ["3des", "aes", "aes128", "aes-256", "blowfish", "serpent", "twofish", "des"]
    _HASHES = ["", "-md5", "-sha1", "-sha", "-sha2_256", "-sha2_512", "-sha1-160"]
    _GROUPS = ["", ";modp1024", "-modp1536", ";modp2048", ";dh22", ";modp8192"]

    @settings(max_examples=examples(200), deadline=None)
    @given(
        st.lists(
            st.tuples(st.sampled_from(_CIPHERS), st.sampled_from(_HASHES), st.sampled_from(_GROUPS)),
            min_size=1,
            max_size=4,
        ),
        st.booleans(),
    )
    def test_ike_round_trip(props: list[tuple[str, str, str]], upper: bool) -> None:
        text = ",".join(c + h + g for c, h, g in props)
        text = text.upper() if upper else text
        value = parse("ike", text)
        assert isinstance(value, AlgList) and len(value.proposals) == len(props)
        assert parse("ike", canonical(value)) == value

    @settings(max_examples=examples(100), deadline=None)
    @given(st.sampled_from([512, 1024, 2048, 4096]), st.sampled_from([3, 17, 65537]), st.integers())
    def test_rsakey_round_trip(bits: int, exponent: int, seed: int) -> None:
        blob = rsa_blob(bits, exponent, seed)
        for text in (b64key(blob), "0x" + blob.hex()):
            value = parse("rsakey", text)
            assert value == RsaKey("key", bits, None, blob)
            assert parse("rsakey", canonical(value)) == value

    @settings(max_examples=examples(100), deadline=None)
    @given(st.integers(0, 255), st.one_of(st.none(), st.integers(0, 65535)), st.booleans())
    def test_protoport_round_trip(proto: int, port: int | None, any_port: bool) -> None:
        text = str(proto) if port is None else f"{proto}/{port}"
        if any_port:
            text = f"{proto}/%any"
        value = parse("protoport", text)
        assert parse("protoport", canonical(value)) == value


_O = st.integers(0, 255).map(str)


@settings(max_examples=examples(400), deadline=None)
@given(
    st.sampled_from(["host", "nexthop", "ipaddr", "id", "subnet"]),
    st.tuples(_O, _O, _O, _O),
    st.integers(0, 32),
    st.sampled_from(["", "@", "dn", "pfx"]),
)
def test_canonical_as_written_agrees_with_the_parser(
    vtype: str, octets: tuple[str, str, str, str], bits: int, form: str
) -> None:
    addr = ".".join(octets)
    text = {
        "": addr,
        "@": f"@gw{bits}.example-{octets[0]}.net",
        "dn": f"C=DE, O=Example {octets[1]}, CN=gw.{octets[2]}",
        "pfx": f"{addr}/{bits}",
    }[form]
    if V.canonical_as_written(vtype, text):
        parsed, err, _ = V.parse_cached(vtype, text)
        assert err is None and V.canonical(parsed) == text, (vtype, text)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.tuples(st.tuples(_O, _O, _O, _O), st.integers(0, 32)), min_size=0, max_size=4),
    st.sampled_from([" ", ",", ", ", "\t"]),
    st.booleans(),
)
def test_subnets_as_written_agrees_with_the_parser(
    nets: list[tuple[tuple[str, str, str, str], int]], sep: str, braced: bool
) -> None:
    # Value.text and the dump take this text without parsing a subnets= value.
    words = [f"{'.'.join(octets)}/{bits}" for octets, bits in nets]
    text = sep.join(words)
    if braced:
        text = "{" + text + "}"
    got = V.subnets_as_written(text)
    if got is not None:
        parsed, err, warns = V.parse_cached("subnets", text)
        assert err is None and not warns and V.canonical(parsed) == got, (text, got)


def test_subnets_as_written_examples() -> None:
    assert V.subnets_as_written("{10.0.0.0/24 10.0.1.0/24}") == "10.0.0.0/24 10.0.1.0/24"
    assert V.subnets_as_written("10.0.0.0/24,10.0.1.0/24") == "10.0.0.0/24 10.0.1.0/24"
    assert V.subnets_as_written("{10.0.0.0/24 10.0.0.0/24}") is None  # a repeat: the parser warns
    assert V.subnets_as_written("{10.0.0.1/24}") is None  # host bits: the parser decides
    assert V.subnets_as_written("{}") is None and V.subnets_as_written("{10.0.0.0/24") is None


def test_canonical_as_written_examples() -> None:
    assert V.canonical_as_written("subnet", "10.0.0.0/26")
    assert not V.canonical_as_written("subnet", "10.0.0.1/26")  # host bits: the parser decides
    assert not V.canonical_as_written("host", "010.0.0.1")
    assert V.canonical_as_written("id", "C=DE, O=Example GmbH, CN=x")
    assert not V.canonical_as_written("id", "C=DE,O=x")


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from(["host", "nexthop", "ipaddr", "id"]), st.booleans(), st.data())
def test_as_written_regex_spells_only_canonical_text(vtype: str, blanks: bool, data: st.DataObject) -> None:
    # A dump reads a stand-in's value with this regex and copies it without parsing it.
    pattern = V.as_written_regex(vtype, blanks=blanks)
    assert pattern is not None and re.compile(pattern).groups == 0
    text = data.draw(st.from_regex(re.compile(pattern), fullmatch=True))
    assert V.canonical_as_written(vtype, text)
    parsed, err, _ = V.parse_cached(vtype, text)
    assert err is None and V.canonical(parsed) == text, (vtype, text)
    if not blanks:
        assert " " not in text and "\t" not in text
    assert V.as_written_regex("subnets") is None  # a list is read by the parser
