#!/usr/bin/env python3
"""A FAKE gdbstub that sends damaged frames, for the one thing real QEMU
cannot be made to do: put bad checksums and stray bytes on the wire.

    fake_gdbstub_bad_checksums.py PORT      serve one connection on 127.0.0.1:PORT
    fake_gdbstub_bad_checksums.py --regs    print the 'g' reply it gives, and exit

It acks every packet with '+' and answers what rspmux's handshake asks
(qSupported, '?', qXfer:features:read:target.xml) with a riscv64 target.
Its faults:
  - right after the handshake (its target.xml reply acked), unsolicited
    garbage and a %Stop notification with a bad checksum;
  - for 'g': the same again, then garbage and the register reply with a
    wrong checksum; after the '-' it must get, the reply with the right one.
Each event goes to stdout as one line ("got NAK for the bad 'g' reply",
"got unexpected NAK", ...), for the test to read. Ends when the peer closes.
"""
import socket
import sys

TARGET_XML = (b'l<?xml version="1.0"?><target>'
              b"<architecture>riscv:rv64</architecture></target>")
GARBAGE = b"garbage\r\n\x00\xff junk "  # no '$', '%', '+', '-' or 0x03 in it


def register_hex():
    """33 distinct 64-bit registers (x0-x31, pc), as the 'g' reply's hex."""
    return "".join("%016x" % (0x1111111111111111 * (i % 15) + i) for i in range(33)).encode()


def checksum(payload):
    return sum(payload) & 0xFF


def frame(payload, start=b"$", good=True):
    sum_ = checksum(payload) if good else (checksum(payload) + 1) & 0xFF
    return start + payload + b"#%02x" % sum_


def log(text):
    print(text, flush=True)


class Stub:
    def __init__(self, sock):
        self.sock = sock
        self.pending = bytearray()
        self.awaiting = None  # what the next '+' or '-' answers, for the log

    def send(self, data, what):
        self.sock.sendall(data)
        log("sent %s" % what)

    def reply(self, payload, what):
        self.send(frame(payload), what)
        self.awaiting = what

    def unsolicited(self):
        self.send(GARBAGE, "unsolicited garbage (%d bytes)" % len(GARBAGE))
        self.send(frame(b"Stop:T05thread:01;", b"%", good=False),
                  "a %Stop notification with a bad checksum")

    def on_packet(self, payload):
        if payload.startswith(b"qSupported"):
            self.reply(b"PacketSize=1000;qXfer:features:read+", "the qSupported reply")
        elif payload == b"?":
            self.reply(b"T05thread:01;", "the stop reply")
        elif payload.startswith(b"qXfer:features:read:target.xml:"):
            self.reply(TARGET_XML, "target.xml")
        elif payload == b"g":
            self.unsolicited()
            self.send(GARBAGE + frame(register_hex(), good=False),
                      "garbage, then the 'g' reply with a bad checksum")
            self.awaiting = "the bad 'g' reply"
        else:
            self.reply(b"", "an empty reply (unsupported)")

    def on_ack(self, ack):
        what = self.awaiting
        self.awaiting = None
        if what is None:
            log("got unexpected %s" % ("ACK" if ack else "NAK"))
        elif ack:
            log("got ACK for %s" % what)
            if what == "target.xml":
                self.unsolicited()
        else:
            log("got NAK for %s" % what)
            if what == "the bad 'g' reply":
                self.reply(register_hex(), "the 'g' reply with the right checksum")
            else:
                self.awaiting = what  # the peer asked again for a good frame: odd

    def parse(self):
        """Handles every complete item in `pending`."""
        while self.pending:
            c = self.pending[0]
            if c in b"+-":
                del self.pending[0]
                self.on_ack(c == ord("+"))
            elif c == 0x03:
                del self.pending[0]
                log("got an interrupt (0x03)")
            elif c == ord("$"):
                end = self.pending.find(b"#")
                if end < 0 or len(self.pending) < end + 3:
                    return
                raw = bytes(self.pending[: end + 3])
                del self.pending[: end + 3]
                payload = raw[1:end]
                if int(raw[end + 1 :], 16) != checksum(payload):
                    log("got a packet with a bad checksum: %r" % raw)
                    self.send(b"-", "NAK")
                    continue
                log("got packet %r" % payload.decode("latin-1"))
                self.send(b"+", "ACK")
                self.on_packet(payload)
            else:
                del self.pending[0]
                log("got a stray byte %r" % bytes([c]))

    def serve(self):
        while True:
            data = self.sock.recv(65536)
            if not data:
                log("connection closed")
                return
            self.pending += data
            self.parse()


def main():
    if sys.argv[1:] == ["--regs"]:
        print(register_hex().decode())
        return 0
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(sys.argv[1])))
    server.listen(1)
    log("listening on 127.0.0.1:%s" % sys.argv[1])
    conn, peer = server.accept()
    server.close()
    log("connection from %s:%d" % peer)
    with conn:
        try:
            Stub(conn).serve()
        except OSError as e:
            log("connection error: %s" % e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
