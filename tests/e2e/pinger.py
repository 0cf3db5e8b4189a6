"""ICMP echo from one address to another, run inside a network namespace; prints the replies.

``python pinger.py SRC DST COUNT``: sends COUNT echo requests from SRC (bound, so the packets
leave with the client-network source the tunnel expects) and prints how many replies came back.
A stand-in for ``ping -I SRC``, which CI images do not always have.
"""

from __future__ import annotations

import os
import socket
import struct
import sys
import time


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def main(src: str, dst: str, count: int) -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.bind((src, 0))
    sock.settimeout(1.0)
    ident = os.getpid() & 0xFFFF
    replies = 0
    for seq in range(1, count + 1):
        payload = b"ipsecconf-e2e" + bytes(43)
        header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        packet = struct.pack("!BBHHH", 8, 0, _checksum(header + payload), ident, seq) + payload
        try:
            sock.sendto(packet, (dst, 0))
        except OSError:  # no route yet: no tunnel
            time.sleep(0.2)
            continue
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                data, addr = sock.recvfrom(2048)
            except TimeoutError:
                break
            ihl = (data[0] & 0x0F) * 4
            kind, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl : ihl + 8])
            if addr[0] == dst and kind == 0 and rid == ident and rseq == seq:
                replies += 1
                break
    print(replies)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
