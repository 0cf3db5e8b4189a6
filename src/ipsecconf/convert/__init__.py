"""Convert: an Openswan config to libreswan ipsec.conf or to a strongSwan swanctl tree."""

from ipsecconf.convert._libreswan import LibreswanResult, to_libreswan
from ipsecconf.convert._swanctl import SwanctlTree, local_side, swanctl_tree, write_swanctl

__all__ = ["LibreswanResult", "SwanctlTree", "local_side", "swanctl_tree", "to_libreswan", "write_swanctl"]
