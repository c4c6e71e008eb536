"""What crosses a namespace's network interfaces, read with a raw packet socket (no
tcpdump needed): the IPv4 source and destination of every packet in or out of the
namespace (loopback left out), and the bytes each pair of addresses carried. The NAT lab
uses it to check address privacy on the wire (e2e/test_nat.py)."""
import socket
import threading

from . import netlab

ETH_P_IP = 0x0800


class Capture:
    def __init__(self, ns):
        self.sock = netlab.in_ns(ns, socket.socket, socket.AF_PACKET, socket.SOCK_DGRAM,
                                 socket.htons(ETH_P_IP))  # made in `ns`: it sees that namespace
        self.sock.settimeout(0.2)
        self.seen = {}  # (source, destination) -> bytes
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.stop.is_set():
            try:
                data, where = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            if where[0] == "lo" or len(data) < 20:
                continue
            key = (socket.inet_ntoa(data[12:16]), socket.inet_ntoa(data[16:20]))
            self.seen[key] = self.seen.get(key, 0) + len(data)

    def close(self):
        """Stop; {(source, destination): bytes} of everything seen."""
        self.stop.set()
        self.thread.join(2)
        self.sock.close()
        return dict(self.seen)


def addresses(seen):
    return {a for pair in seen for a in pair}
