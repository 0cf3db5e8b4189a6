"""Openswan releases after the man page's (RULINGS R25): what a config may say under each target.

The man page is 2.6.27's; configs in the field were written for 2.6.28 to 2.6.52 too.
``openswan-later-releases.md`` lists what those releases added. The keyword table
records, per keyword, alias and value, the release that added it
(:attr:`ipsecconf.language._keywords.Keyword.since` and friends); this module holds
the releases themselves and the behaviour changes that are not one keyword or value.

A :class:`Release` is the *target*: the release whose language a config is read in.
Everything defaults to 2.6.27 (the man page), so callers that never name a target
keep the man page's behaviour.

Two additions the note lists change nothing a config can say: ``xauthby``'s
file/pam/alwaysok and the yes/no/force table's force/insist belong to enum tables
that no 2.6 keyword uses. ``nm_configured`` losing its ``yes`` spelling changes
nothing either: it is a boolean here already (R19). The derived nexthop and
``sourceip/32`` client that readwriteconf prints from 2.6.3x are derived values,
not written ones (normalisation N08), so they are not in the model.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Release",
    "Change",
    "FIRST",
    "LAST",
    "DEFAULT_TARGET",
    "RELEASES",
    "CHANGES",
    "DNS_HOSTS",
    "END_FAMILIES",
    "FAMILY_NAMES",
    "as_release",
    "release",
    "too_new",
    "family_of",
]


@dataclass(frozen=True, order=True, slots=True)
class Release:
    """Openswan 2.6.``patch``; releases compare by age."""

    patch: int

    def __str__(self) -> str:
        return f"2.6.{self.patch}"


FIRST = Release(27)  # the man page's release
LAST = Release(52)  # the last 2.6 release
DEFAULT_TARGET = FIRST
RELEASES: tuple[Release, ...] = tuple(Release(n) for n in range(FIRST.patch, LAST.patch + 1))


def release(text: str) -> Release:
    """``"2.6.30"`` -> Release(30); ValueError naming the accepted range otherwise."""
    t = text.strip()
    t = t[1:] if t[:1] in ("v", "V") else t
    head, _, tail = t.rpartition(".")
    if head == "2.6" and tail.isdigit() and tail.isascii():
        r = Release(int(tail))
        if FIRST <= r <= LAST:
            return r
    raise ValueError(f"unknown Openswan release {text!r}: use one of {FIRST} ... {LAST}")


def as_release(target: Release | str | None) -> Release:
    """A library argument: a Release, its text, or None for the default (2.6.27)."""
    if target is None:
        return DEFAULT_TARGET
    if isinstance(target, Release):
        return target
    return release(target)


def too_new(what: str, since: Release) -> str:
    """The hint every 'added later' diagnostic gives (R25)."""
    return f"{what} was added in Openswan {since}; use --target {since} or later"


@dataclass(frozen=True, slots=True)
class Change:
    """A change of behaviour that is not one keyword or value."""

    id: str
    since: Release
    what: str  # names the option, for too_new()
    summary: str


# %dns/NAME and %dns/NAME/HINT hosts. The release note says 2.6.4x; the first release
# whose tests use the form (tests/functional/06-dnsdelay, corpus OS-0369) is 2.6.47.
DNS_HOSTS = Change(
    "dns-hosts",
    Release(47),
    "left=%dns/NAME",
    "left=/right= accept %dns/NAME and %dns/NAME/HINT (HINT: the address used when the name "
    "does not resolve); readwriteconf prints every host name as %dns/NAME.",
)
# Each end's family from its own address, the client (tunnel) family from the subnets.
END_FAMILIES = Change(
    "end-families",
    Release(47),
    "per-end address families (IPv6 subnets without connaddrfamily=, 6in4, 4in6)",
    "The ends' family comes from their addresses (or endaddrfamily=), the client family from "
    "the subnets (or connaddrfamily=, clientaddrfamily=, tunneladdrfamily=); before, every "
    "address of a conn was read in connaddrfamily (default ipv4).",
)
CHANGES: tuple[Change, ...] = (DNS_HOSTS, END_FAMILIES)

# The family keywords' spellings (2.6.47 added v4, inet, v6, inet6).
FAMILY_NAMES: dict[str, str] = {
    "ipv4": "ipv4",
    "v4": "ipv4",
    "inet": "ipv4",
    "ipv6": "ipv6",
    "v6": "ipv6",
    "inet6": "ipv6",
}


def family_of(text: str) -> str | None:
    """``"inet6"`` -> ``"ipv6"``; None for anything that is not a family name."""
    return FAMILY_NAMES.get(text.lower())
