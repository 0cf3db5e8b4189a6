"""Convert: an Openswan config to libreswan ipsec.conf or to a strongSwan swanctl tree."""

from ipsecconf.convert._libreswan import LibreswanResult, to_libreswan

__all__ = ["LibreswanResult", "to_libreswan"]
