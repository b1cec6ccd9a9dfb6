#!/usr/bin/env python3
"""A scripted raw RSP client: sends exact bytes to a GDB remote port and
checks exactly what comes back, byte for byte (no acks are sent for it).

    rsp_raw_client.py PORT [STEP...]     (no STEP: one step per line on stdin)

Steps ('#' lines and blank lines are skipped; TEXT takes Python string
escapes such as \\r, \\n, \\x03):
    send TEXT        these bytes, as they are
    packet TEXT      $TEXT#xx with the right checksum
    long CHAR N      a packet of N times CHAR, with the right checksum
    expect TEXT      exactly these bytes come next
    reply REGEX      the next bytes are one $payload#xx frame whose checksum is
                     right and whose payload (as sent) matches REGEX entirely
    again            the next frame is byte for byte the last one received
    quiet SECONDS    nothing at all arrives for that long
Each step is echoed; the first failure is printed on stderr and the exit
status is 1. Exit status 0: every step passed.
"""
import re
import socket
import sys
import time

TIMEOUT = 10.0  # seconds to wait for bytes an "expect"/"reply" step needs


class Failure(Exception):
    pass


def checksum(payload):
    return sum(payload) & 0xFF


def frame(payload):
    return b"$" + payload + b"#%02x" % checksum(payload)


def unescape(text):
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def shown(data, limit=120):
    text = repr(bytes(data[:limit]))[2:-1]
    return text + ("... (%d bytes)" % len(data) if len(data) > limit else "")


class Peer:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.pending = bytearray()
        self.last_frame = None

    def fill(self, deadline):
        """Reads more bytes into `pending`; False at the deadline."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not data:
            raise Failure("connection closed by rspmux; unread: %s" % shown(self.pending))
        self.pending += data
        return True

    def take(self, n):
        data = bytes(self.pending[:n])
        del self.pending[:n]
        return data

    def expect(self, want):
        deadline = time.monotonic() + TIMEOUT
        while len(self.pending) < len(want):
            if self.pending != want[: len(self.pending)]:
                break
            if not self.fill(deadline):
                raise Failure("expected %s, got only %s" % (shown(want), shown(self.pending)))
        got = self.take(len(want))
        if got != want:
            raise Failure("expected %s, got %s" % (shown(want), shown(got)))

    def read_frame(self):
        """One whole $...#xx frame, which must come next; checksum verified."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            if self.pending and self.pending[:1] != b"$":
                raise Failure("expected a '$' frame, got %s" % shown(self.pending))
            end = self.pending.find(b"#")
            if end >= 0 and len(self.pending) >= end + 3:
                break
            if not self.fill(deadline):
                raise Failure("no complete frame; got %s" % shown(self.pending))
        raw = self.take(end + 3)
        payload = raw[1:end]
        try:
            sent = int(raw[end + 1 :], 16)
        except ValueError:
            raise Failure("checksum is not hex: %s" % shown(raw))
        if sent != checksum(payload):
            raise Failure("bad checksum %02x (should be %02x) on %s"
                          % (sent, checksum(payload), shown(raw)))
        self.last_frame = raw
        return raw, payload

    def quiet(self, seconds):
        deadline = time.monotonic() + seconds
        while not self.pending and self.fill(deadline):
            pass
        if self.pending:
            raise Failure("expected silence, got %s" % shown(self.pending))


def run_step(peer, line):
    verb, _, arg = line.partition(" ")
    if verb == "send":
        peer.sock.sendall(unescape(arg))
    elif verb == "packet":
        peer.sock.sendall(frame(unescape(arg)))
    elif verb == "long":
        char, count = arg.split()
        peer.sock.sendall(frame(unescape(char) * int(count)))
    elif verb == "expect":
        peer.expect(unescape(arg))
    elif verb == "reply":
        raw, payload = peer.read_frame()
        if not re.fullmatch(arg.encode("latin-1"), payload, re.DOTALL):
            raise Failure("reply %s does not match %s" % (shown(raw), arg))
        print("    got %s" % shown(raw))
    elif verb == "again":
        previous = peer.last_frame
        if previous is None:
            raise Failure("'again' before any reply")
        raw, _ = peer.read_frame()
        if raw != previous:
            raise Failure("resent frame %s differs from %s" % (shown(raw), shown(previous)))
        print("    got the same %d bytes again" % len(raw))
    elif verb == "quiet":
        peer.quiet(float(arg))
    else:
        raise Failure("unknown step: %s" % line)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    port = int(sys.argv[1])
    steps = sys.argv[2:] or sys.stdin.read().splitlines()
    steps = [s.strip() for s in steps if s.strip() and not s.strip().startswith("#")]
    try:
        peer = Peer(port)
    except OSError as e:
        print("cannot connect to 127.0.0.1:%d: %s" % (port, e), file=sys.stderr)
        return 1
    with peer.sock:
        for step in steps:
            print("  " + (step if len(step) <= 100 else step[:100] + "..."))
            sys.stdout.flush()
            try:
                run_step(peer, step)
            except (Failure, OSError) as e:
                print("step '%s' failed: %s" % (step, e), file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
