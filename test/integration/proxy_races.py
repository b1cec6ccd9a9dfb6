#!/usr/bin/env python3
"""Races between clients of rspmux that GDB alone does not produce.

Usage: proxy_races.py PORT CASE [ADDRESS]
Cases (each prints one line and exits 0 when rspmux behaved):
  handover   a client with 20 breakpoints resumes and vanishes; the next one,
             1 ms later, must get its qSupported answered
  refused    a refused second client's 0x03 must not stop the first's continue
  z-inflight a client inserts a breakpoint at ADDRESS (hit every timer tick)
             and vanishes at once; the next client, skipping '?', must run
             without stopping there
"""
import socket
import sys
import time


def frame(payload):
    data = payload.encode()
    return b"$" + data + b"#%02x" % (sum(data) & 0xFF)


class Client:
    """A minimal GDB: acks every packet, one request at a time."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""

    def send(self, payload):
        self.sock.sendall(frame(payload))

    def reply(self, timeout=5.0):
        """The next packet's payload, or None if none comes within timeout."""
        end = time.time() + timeout
        while True:
            self.buf = self.buf.lstrip(b"+-")
            hash_at = self.buf.find(b"#")
            if self.buf.startswith(b"$") and 0 < hash_at <= len(self.buf) - 3:
                payload, self.buf = self.buf[1:hash_at], self.buf[hash_at + 3:]
                self.sock.sendall(b"+")
                return payload
            left = end - time.time()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            self.buf += data

    def request(self, payload, timeout=5.0):
        self.send(payload)
        return self.reply(timeout)

    def attach(self):
        assert self.request("qSupported:multiprocess+;swbreak+"), "no qSupported reply"

    def close(self):
        self.sock.close()


def handover(port, _):
    a = Client(port)
    a.attach()
    a.request("?")
    for i in range(20):
        assert a.request("Z0,%x,2" % (0x80202000 + 2 * i)) == b"OK"
    a.send("vCont;c")
    time.sleep(0.3)
    a.close()
    time.sleep(0.001)
    b = Client(port)
    b.send("qSupported:multiprocess+;swbreak+")
    answer = b.reply(4)
    b.close()
    return answer is not None, "next client's qSupported answered: %r" % (answer[:20] if answer else None)


def refused(port, _):
    a = Client(port)
    a.attach()
    a.request("?")
    a.send("vCont;c")
    time.sleep(0.3)
    b = Client(port)
    b.sock.sendall(b"\x03")
    stop = a.reply(1.5)
    b.close()
    a.sock.sendall(b"\x03")
    a.reply(3)
    a.close()
    return stop is None, "first client's continue after the refused one's 0x03: %r" % stop


def z_inflight(port, address):
    a = Client(port)
    a.attach()
    a.request("?")
    a.send("Z0,%x,2" % address)
    a.close()
    time.sleep(0.5)
    b = Client(port)
    b.attach()
    b.send("vCont;c")
    stop = b.reply(2)
    b.sock.sendall(b"\x03")
    b.reply(3)
    b.close()
    return stop is None, "next client's continue, without '?', stopped with: %r" % stop


CASES = {"handover": handover, "refused": refused, "z-inflight": z_inflight}

if __name__ == "__main__":
    port, case = int(sys.argv[1]), sys.argv[2]
    address = int(sys.argv[3], 16) if len(sys.argv) > 3 else 0
    good, what = CASES[case](port, address)
    print(("ok: " if good else "WRONG: ") + what)
    sys.exit(0 if good else 1)
