"""A FAIL and a PASS example for every code `check` reports (docs/codes.md, issue 8).

An example is a handful of small files and the arguments of `ipsecconf check`, run in a
directory that holds only those files. The PASS example is the smallest change to the FAIL
one that is accepted: what the diagnostic asks for. tests/test_code_examples.py runs each one
through the CLI, and fails when a code that `check` can report has neither examples nor a
reason in NOT_SHOWN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Example", "CodeExamples", "EXAMPLES", "NOT_SHOWN", "CHECK_PREFIXES"]

# The prefixes of the codes `check` reports (with --secrets and --interface); the others
# belong to convert (C), apply (A) and peer-check (P), and the conn rules (X, S) carry
# their examples in checks._conncheck.RULES.
CHECK_PREFIXES = ("L", "I", "K", "V", "R", "G", "T", "O")


@dataclass(frozen=True)
class Example:
    """Files (relative path, text) written into an empty directory, and the arguments of check.

    Text is written as UTF-8 with surrogateescape, so a lone surrogate stands for a raw byte.
    A path ending in '/' is made as a directory.
    """

    files: tuple[tuple[str, str], ...]
    argv: tuple[str, ...] = ("ipsec.conf",)


@dataclass(frozen=True)
class CodeExamples:
    fail: Example
    passes: Example


_CONN = "conn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=add\n"


def _c(text: str, *argv: str, extra: tuple[tuple[str, str], ...] = ()) -> Example:
    """ipsec.conf with this text (after `version 2` unless it starts with its own first line)."""
    return Example((("ipsec.conf", text), *extra), ("ipsec.conf", *argv))


def _v(text: str, *argv: str, extra: tuple[tuple[str, str], ...] = ()) -> Example:
    return _c("version 2\n" + text, *argv, extra=extra)


def _subnet_list(side: str, n: int) -> str:
    """``leftsubnets={...}`` with n /24 networks."""
    return f"\t{side}subnets={{" + " ".join(f"10.{i // 256}.{i % 256}.0/24" for i in range(n)) + "}\n"


def _pair(fail: Example, passes: Example) -> CodeExamples:
    return CodeExamples(fail, passes)


def _conn_pair(fail_body: str, pass_body: str, *argv: str) -> CodeExamples:
    """A conn a between 192.0.2.1 and .2 with one line more (FAIL) or its fix (PASS)."""
    return _pair(_v(_CONN + fail_body, *argv), _v(_CONN + pass_body, *argv))


def _deep(n: int) -> tuple[tuple[str, str], ...]:
    """ipsec.conf including d1.conf including d2.conf ... down to dN.conf."""
    files = [("ipsec.conf", "version 2\ninclude d1.conf\n" + _CONN)]
    files += [(f"d{i}.conf", f"include d{i + 1}.conf\n") for i in range(1, n)]
    files.append((f"d{n}.conf", "# the last one\n"))
    return tuple(files)


def _s(fail: str, passes: str) -> CodeExamples:
    """An ipsec.secrets file checked alone."""
    return _pair(
        Example((("ipsec.secrets", fail),), ("--secrets", "ipsec.secrets")),
        Example((("ipsec.secrets", passes),), ("--secrets", "ipsec.secrets")),
    )


def _h(
    conf: str, fail_host: tuple[str, ...], pass_host: tuple[str, ...], pass_conf: str | None = None
) -> CodeExamples:
    """conf on a host with these --interface values (a value starting with '-' is an option)."""

    def host(args: tuple[str, ...]) -> tuple[str, ...]:
        out: list[str] = []
        for a in args:
            out += (
                [a]
                if a.startswith("-") or out and out[-1].startswith("--r") or out and out[-1].startswith("--d")
                else ["--interface", a]
            )
        return tuple(out)

    return _pair(_v(conf, *host(fail_host)), _v(conf if pass_conf is None else pass_conf, *host(pass_host)))


_RSA = (
    "@a : RSA {\n\tModulus: 0x0ca1\n\tPublicExponent: 0x11\n\tPrivateExponent: 0x0ac1\n"
    "\tPrime1: 0x3d\n\tPrime2: 0x35\n\tExponent1: 0x35\n\tExponent2: 0x31\n\tCoefficient: 0x26\n\t}\n"
)
_ROUTED = (
    "conn p\n\tleft=192.0.2.1\n\tleftsubnet=10.1.0.0/16\n\tleftnexthop=192.0.2.254\n"
    "\tright=198.51.100.2\n\trightsubnet=10.2.0.0/16\n\tauthby=secret\n\tauto=route\n"
)
_GROUPS = (
    "--interface",
    "eth0=192.0.2.1",
    "--default-route",
    "192.0.2.1,192.0.2.254",
    "--policy-dir",
    "policies",
)

EXAMPLES: Mapping[str, CodeExamples] = {
    # ---------------------------------------------------------------- lexing and sections
    "L001": _pair(_c("version 2\r\n" + _CONN.replace("\n", "\r\n")), _v(_CONN)),
    "L002": _pair(_v(_CONN + "auto=add\n"), _v(_CONN)),
    "L003": _pair(_v(_CONN + " conn b\n\tleft=192.0.2.1\n"), _v(_CONN + "conn b\n\tleft=192.0.2.1\n")),
    "L004": _conn_pair("\tkeyingtries 3\n", "\tkeyingtries=3\n"),
    "L005": _conn_pair('\tkeying"tries=3\n', "\tkeyingtries=3\n"),
    "L006": _conn_pair('\tleftid="@gw.example\n', '\tleftid="@gw.example"\n'),
    "L007": _conn_pair("\tleftid=C=CH, O=Example\n", '\tleftid="C=CH, O=Example"\n'),
    "L008": _conn_pair('\tleftid=@gw"example\n', "\tleftid=@gw.example\n"),
    "L009": _conn_pair("\tleftid= #@gw.example\n", "\tleftid=@gw.example #the gateway\n"),
    "L010": _pair(_v("\tkeyingtries=3\n" + _CONN), _v(_CONN + "\tkeyingtries=3\n")),
    "L011": _pair(_v("config other\n" + _CONN), _v("config setup\n" + _CONN)),
    "L012": _pair(_v(_CONN + "conn\n\tleft=192.0.2.1\n"), _v(_CONN + "conn b\n\tleft=192.0.2.1\n")),
    "L013": _pair(_v(_CONN.replace("conn a", "conn a+b")), _v(_CONN.replace("conn a", "conn a-b"))),
    "L014": _pair(_v(_CONN.replace("conn a", "conn a b")), _v(_CONN.replace("conn a", "conn a #b"))),
    "L015": _conn_pair('\tleftid="@gw\rexample"\n', '\tleftid="@gw.example"\n'),
    "L020": _pair(_c("version 3\n" + _CONN), _c("version 2\n" + _CONN)),
    "L021": _pair(_c(_CONN + "version 2\n"), _c("version 2\n" + _CONN)),
    "L022": _pair(_c(_CONN), _c("version 2\n" + _CONN)),
    "L023": _pair(_c("version 2\nversion 2\n" + _CONN), _c("version 2\n" + _CONN)),
    "L030": _pair(
        _v("conn %oedefault\n\tkeyingtries=3\n" + _CONN), _v("conn %default\n\tkeyingtries=3\n" + _CONN)
    ),
    "L031": _pair(_v(_CONN + _CONN), _v(_CONN + _CONN.replace("conn a", "conn b"))),
    "L032": _pair(_v("config setup\nconfig setup\n" + _CONN), _v("config setup\n" + _CONN)),
    "L040": _pair(_v("# caf\udce9\n" + _CONN), _v("# caf\u00e9\n" + _CONN)),
    # ---------------------------------------------------------------- includes
    "I001": _pair(
        _v("include more.conf\n" + _CONN), _v("include more.conf\n" + _CONN, extra=(("more.conf", ""),))
    ),
    "I002": _pair(
        _v("include conf.d/*.conf\n" + _CONN),
        _v("include conf.d/*.conf\n" + _CONN, extra=(("conf.d/b.conf", ""),)),
    ),
    "I003": _pair(Example(_deep(11)), Example(_deep(9))),
    "I004": _pair(
        _v("include more.conf\n" + _CONN, extra=(("more.conf", "include ipsec.conf\n"),)),
        _v("include more.conf\n" + _CONN, extra=(("more.conf", "# nothing\n"),)),
    ),
    "I005": _pair(
        _v("include more.conf\n" + _CONN, extra=(("more.conf/", ""),)),
        _v("include more.conf\n" + _CONN, extra=(("more.conf", ""),)),
    ),
    "I006": _pair(
        Example((("ipsec.conf", "version 2\n" + _CONN),), ("ipsec.con",)),
        Example((("ipsec.conf", "version 2\n" + _CONN),)),
    ),
    "I007": _pair(
        _v(
            _CONN + "include more.conf\n\tkeyingtries=3\n",
            extra=(("more.conf", "conn b\n\tleft=192.0.2.1\n"),),
        ),
        _v(
            _CONN + "\tkeyingtries=3\ninclude more.conf\n",
            extra=(("more.conf", "conn b\n\tleft=192.0.2.1\n"),),
        ),
    ),
    "I008": _pair(
        _v("include more.conf\n\tkeyingtries=3\n" + _CONN, extra=(("more.conf", "# nothing\n"),)),
        _v("include more.conf\n" + _CONN + "\tkeyingtries=3\n", extra=(("more.conf", "# nothing\n"),)),
    ),
    "I050": _pair(
        _v("include " + "{a,b}" * 11 + ".conf\n" + _CONN),
        _v("include " + "{a,b}" * 2 + ".conf\n" + _CONN, extra=(("ab.conf", ""),)),
    ),
    "I051": _pair(
        _v("include /" + "a" * 4100 + "*\n" + _CONN),
        _v("include " + "a" * 40 + "*\n" + _CONN, extra=(("a" * 40 + ".conf", ""),)),
    ),
    # ---------------------------------------------------------------- keywords
    "K001": _conn_pair("\tkeyingtrys=3\n", "\tkeyingtries=3\n"),
    "K002": _conn_pair("\tsubnet=10.1.0.0/16\n", "\tleftsubnet=10.1.0.0/16\n"),
    "K003": _conn_pair("\tKeyingTries=3\n", "\tkeyingtries=3\n"),
    "K004": _pair(_v("config setup\n\tkeyingtries=3\n" + _CONN), _v(_CONN + "\tkeyingtries=3\n")),
    "K005": _conn_pair("\tesp=aes-sha1\n", "\tphase2alg=aes-sha1\n"),
    "K006": _conn_pair("\tconnalias=b\n", "\t# no alias\n"),
    "K007": _conn_pair("\tespenckey=0x0123456789abcdef0123456789abcdef\n", "\tauthby=secret\n"),
    "K050": _pair(
        _v("config setup\n\tlogfile=/tmp/pluto.log\n" + _CONN + "\tikev1-policy=drop\n"),
        _v("config setup\n\tplutostderrlog=/tmp/pluto.log\n" + _CONN),
    ),
    "K070": _pair(
        _v("config setup\n\tlisten=192.0.2.1\n" + _CONN),
        _v("config setup\n\tlisten=192.0.2.1\n" + _CONN, "--target", "2.6.30"),
    ),
    # ---------------------------------------------------------------- values
    "V001": _conn_pair("\tkeyingtries=three\n", "\tkeyingtries=3\n"),
    "V002": _conn_pair("\tcompress=on\n", "\tcompress=yes\n"),
    "V003": _pair(
        _v("config setup\n\tprotostack=bsd\n" + _CONN), _v("config setup\n\tprotostack=netkey\n" + _CONN)
    ),
    "V004": _pair(_v(_CONN.replace("auto=add", "auto=manual")), _v(_CONN)),
    "V005": _conn_pair("\tsalifetime=25h\n", "\tsalifetime=24h\n"),
    "V070": _pair(
        _v(_CONN + "\tconnaddrfamily=v4\n"), _v(_CONN + "\tconnaddrfamily=v4\n", "--target", "2.6.47")
    ),
    "V071": _pair(
        _v("config setup\n\tprotostack=foo\n" + _CONN), _v("config setup\n\tprotostack=netkey\n" + _CONN)
    ),
    # ---------------------------------------------------------------- resolution
    "R001": _pair(
        _v(_CONN + "conn %default\n\tkeyingtries=3\n"), _v("conn %default\n\tkeyingtries=3\n" + _CONN)
    ),
    "R002": _pair(
        _v("conn %default\n\tkeyingtries=3\nconn %default\n\tkeyingtries=5\n" + _CONN),
        _v("conn %default\n\tkeyingtries=3\n" + _CONN),
    ),
    "R003": _pair(
        _v("conn %default\n\talso=base\nconn base\n\tkeyingtries=3\n" + _CONN),
        _v("conn base\n\tkeyingtries=3\n" + _CONN + "\talso=base\n"),
    ),
    "R004": _conn_pair("\tkeyingtries=3\n\tkeyingtries=5\n", "\tkeyingtries=3\n"),
    "R005": _conn_pair("\talso=base\n", "\t# no also=\n"),
    "R006": _pair(_v("config setup\n" + _CONN + "\talso=setup\n"), _v("config setup\n" + _CONN)),
    "R007": _pair(
        _v("conn base\n\tkeyingtries=3\n" + _CONN + '\talso="base base"\n'),
        _v("conn base\n\tkeyingtries=3\n" + _CONN + "\talso=base\n"),
    ),
    "R008": _pair(
        _v("conn base\n\talso=a\n" + _CONN + "\talso=base\n"),
        _v("conn base\n\tkeyingtries=3\n" + _CONN + "\talso=base\n"),
    ),
    "R009": _pair(
        _v("conn base\n\tkeyingtries=3\n" + _CONN + "\talso=base\n\tkeyingtries=5\n"),
        _v("conn base\n\tkeyingtries=3\n" + _CONN + "\talso=base\n"),
    ),
    "R010": _pair(
        _v("conn base\n\tkeyingtries=3\n" + _CONN + "\talso=base\n\tkeyingtries=3\n"),
        _v("conn base\n\tkeyingtries=3\n" + _CONN + "\talso=base\n"),
    ),
    "R011": _pair(
        _v(
            _CONN
            + "\tleftsubnets={10.1.0.0/24 10.2.0.0/24}\nconn a/1x0\n\tleft=192.0.2.1\n\tright=192.0.2.3\n"
        ),
        _v(
            _CONN
            + "\tleftsubnets={10.1.0.0/24 10.2.0.0/24}\nconn a-1x0\n\tleft=192.0.2.1\n\tright=192.0.2.3\n"
        ),
    ),
    "R050": _pair(
        _v(_CONN + _subnet_list("left", 101) + _subnet_list("right", 100)),
        _v(_CONN + _subnet_list("left", 100) + _subnet_list("right", 100)),
    ),
    # ---------------------------------------------------------------- policy groups
    "G001": _pair(
        _v(_CONN, "--policy-dir", "policies", extra=(("policies/clear", "10.0.0.300\n"),)),
        _v(_CONN, "--policy-dir", "policies", extra=(("policies/clear", "10.0.0.3\n"),)),
    ),
    "G002": _pair(
        _v(_CONN, "--policy-dir", "policies", extra=(("policies/clear", "2001:db8::/32\n"),)),
        _v(_CONN, "--policy-dir", "policies", extra=(("policies/clear", "10.0.0.0/8\n"),)),
    ),
    "G003": _pair(
        _v(_CONN, "--policy-dir", "policies", extra=(("policies/clear", "10.0.0.1\n10.0.0.1/32\n"),)),
        _v(_CONN, "--policy-dir", "policies", extra=(("policies/clear", "10.0.0.1\n"),)),
    ),
    "G005": _pair(
        _v(_CONN, "--policy-dir", "policies", extra=(("policies/clear", "10.1.2.3/8\n"),)),
        _v(_CONN, "--policy-dir", "policies", extra=(("policies/clear", "10.0.0.0/8\n"),)),
    ),
    # ---------------------------------------------------------------- ipsec.secrets
    "T001": _s('@a @b : PSK "unterminated\n', '@a @b : PSK "terminated"\n'),
    "T002": _s("@a @b PSK\n", '@a @b : PSK "x"\n'),
    "T003": _s("@a @b : PSK\n", '@a @b : PSK "x"\n'),
    "T004": _s('@a @b : PKS "x"\n', '@a @b : PSK "x"\n'),
    "T005": _s("@a @b : PSK 0xabc\n", "@a @b : PSK 0xabcd\n"),
    "T006": _s("@a : RSA k.pem pw\n", '@a : RSA k.pem "pw"\n'),
    # A toy key (61 x 53): its numbers agree only with the right Coefficient.
    "T007": _s(_RSA.replace("0x26", "0x27"), _RSA),
    "T008": _s('@a @b : PSK "x" "y"\n', '@a @b : PSK "x y"\n'),
    "T009": _s('  @a : PSK "x"\n', '@a : PSK "x"\n'),
    "T010": _s('@a @b : PSK\n"x"\n', '@a @b : PSK\n\t"x"\n'),
    "T011": _pair(
        Example((("ipsec.secrets", "include a b\n"),), ("--secrets", "ipsec.secrets")),
        Example((("ipsec.secrets", "include a\n"), ("a", "# none\n")), ("--secrets", "ipsec.secrets")),
    ),
    "T012": _s('C=CH,O=Example : PSK "x"\n', '"C=CH, O=Example" : PSK "x"\n'),
    "T013": _s('@a @b PSK "x"\n', '@a @b : PSK "x"\n'),
    "T014": _s('@a : PIN %smartcard "1234"\n', '@a : PSK "1234"\n'),
    "T015": _s('@a @b : XAUTH "pw"\n', '@a : XAUTH "pw"\n'),
    "T016": _s('@a @b : PSK "x"\n@b @a : PSK "y"\n', '@a @b : PSK "x"\n'),
    "T017": _s('0.0.0.0 @b : PSK "x"\n', '%any @b : PSK "x"\n'),
    # ---------------------------------------------------------------- on a host (--interface)
    "O001": _h(_CONN, ("eth0=198.51.100.1",), ("eth0=192.0.2.1",)),
    "O002": _h(_CONN.replace("192.0.2.2", "192.0.2.1"), ("eth0=192.0.2.1",), ("eth0=192.0.2.1",), _CONN),
    "O003": _h(_CONN, ("eth0=192.0.2.1", "eth1=192.0.2.2"), ("eth0=192.0.2.1",)),
    "O004": _h(
        _CONN.replace("left=192.0.2.1", "left=%eth1"),
        ("eth0=192.0.2.1",),
        ("eth0=192.0.2.1",),
        _CONN.replace("left=192.0.2.1", "left=%eth0"),
    ),
    "O005": _h(
        _CONN.replace("right=192.0.2.2", "right=peer.example"),
        ("eth0=192.0.2.1",),
        ("eth0=192.0.2.1", "--resolve", "peer.example=192.0.2.2"),
    ),
    "O006": _h(
        _CONN.replace("left=192.0.2.1\n\tright=192.0.2.2", "left=gw.example\n\tright=%any\n\tauthby=secret"),
        ("eth0=192.0.2.1", "--resolve", "gw.example=192.0.2.1"),
        ("eth0=192.0.2.1",),
        _CONN.replace("left=192.0.2.1\n\tright=192.0.2.2", "left=192.0.2.1\n\tright=%any\n\tauthby=secret"),
    ),
    "O007": _h(
        _CONN.replace("left=192.0.2.1", "left=%defaultroute"),
        ("eth0=192.0.2.1",),
        ("eth0=192.0.2.1", "--default-route", "192.0.2.1,192.0.2.254"),
    ),
    "O008": _h(
        _CONN.replace("left=192.0.2.1\n\tright=192.0.2.2", "left=%any\n\tright=%any"),
        ("eth0=192.0.2.1",),
        ("eth0=192.0.2.1",),
        _CONN.replace("right=192.0.2.2", "right=%any"),
    ),
    "O009": _h(
        _CONN + "\tleftsubnet=10.1.0.0/33\n",
        ("eth0=192.0.2.1",),
        ("eth0=192.0.2.1",),
        _CONN + "\tleftsubnet=10.1.0.0/16\n",
    ),
    "O010": _h(
        "conn b\n\tkeyingtries=3\n\tauto=add\n" + _CONN,
        ("eth0=192.0.2.1",),
        ("eth0=192.0.2.1",),
        "conn b\n\tkeyingtries=3\n" + _CONN,
    ),
    "O011": _h(
        "conn %default\n\tauto=add\nconn base\n\tkeyingtries=3\n" + _CONN + "\talso=base\n",
        ("eth0=192.0.2.1",),
        ("eth0=192.0.2.1",),
        "conn base\n\tkeyingtries=3\n" + _CONN + "\talso=base\n",
    ),
    "O012": _pair(
        _v(
            "config setup\n\toe=yes\n",
            *_GROUPS,
            extra=(("policies/block", "10.5.0.0/16\n"), ("policies/private", "10.5.0.0/16\n")),
        ),
        _v(
            "config setup\n\toe=yes\n",
            *_GROUPS,
            extra=(("policies/block", "10.5.0.0/16\n"), ("policies/private", "10.6.0.0/16\n")),
        ),
    ),
    "O020": _pair(
        _v(
            _ROUTED
            + _ROUTED.replace("conn p", "conn q")
            .replace("198.51.100.2", "198.51.100.3")
            .replace("leftnexthop=192.0.2.254", "leftnexthop=192.0.2.253"),
            "--interface",
            "eth0=192.0.2.1",
        ),
        _v(
            _ROUTED
            + _ROUTED.replace("conn p", "conn q")
            .replace("198.51.100.2", "198.51.100.3")
            .replace("leftnexthop=192.0.2.254", "leftnexthop=192.0.2.253")
            .replace("10.2.0.0/16", "10.3.0.0/16"),
            "--interface",
            "eth0=192.0.2.1",
        ),
    ),
    "O021": _pair(
        _v(
            _ROUTED + _ROUTED.replace("conn p", "conn t").replace("right=198.51.100.2", "right=%any"),
            "--interface",
            "eth0=192.0.2.1",
        ),
        _v(
            _ROUTED
            + _ROUTED.replace("conn p", "conn t")
            .replace("right=198.51.100.2", "right=%any")
            .replace("10.2.0.0/16", "10.3.0.0/16"),
            "--interface",
            "eth0=192.0.2.1",
        ),
    ),
    "O022": _h(
        _CONN.replace("right=192.0.2.2", "right=%any\n\tauthby=secret").replace("auto=add", "auto=route"),
        ("eth0=192.0.2.1",),
        ("eth0=192.0.2.1",),
        _CONN.replace("right=192.0.2.2", "right=%any\n\tauthby=secret"),
    ),
    "O023": _h(
        _CONN.replace("left=192.0.2.1\n\tright=192.0.2.2", "left=%any\n\tright=%any").replace(
            "auto=add", "auto=route"
        ),
        ("eth0=192.0.2.1",),
        ("eth0=192.0.2.1",),
        _CONN.replace("auto=add", "auto=route"),
    ),
    "O013": _h(_CONN, ("eth0=192.0.2.1", "eth1=192.0.2.1"), ("eth0=192.0.2.1",)),
}

# Codes under CHECK_PREFIXES that no example shows, and why.
NOT_SHOWN: Mapping[str, str] = {
    "I052": "needs an include that matches more than 10,000 files: too large for an example",
    "G004": "needs a policy-group file that exists but cannot be read (permissions): root reads "
    "any file, and a directory of that name is skipped, not reported",
    "R012": "no verb gives resolve() this host's addresses; on a host (`check --interface`) the "
    "runtime model orients conns and reports O002/O003 instead",
    "R013": "no verb gives resolve() this host's addresses; on a host (`check --interface`) the "
    "runtime model reports an unoriented conn as O001 instead",
}
