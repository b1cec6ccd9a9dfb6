#!/usr/bin/env bash
# rspmux (the ASan+UBSan build) on a damaged wire: junk between packets, bad
# and non-hex checksums, a lost '#', an oversized packet, NAKs, no-ack mode and
# a stray 0x03 from the GDB side (a scripted raw client, real QEMU behind);
# bad-checksum frames, garbage and a damaged notification from the QEMU side
# (a fake gdbstub: real QEMU cannot be made to send them). rspmux must NAK
# what acks allow, skip the rest, keep serving, and exit cleanly.
source "$(dirname "$0")/lib.sh"

HERE=test/integration
CLIENTS=0

# start_mux LOG ARGS...: rspmux (lib.sh's start_rspmux) with $P its port,
# once it has finished its handshake with the backend.
start_mux() {
    CLIENTS=0
    start_rspmux "$@" && P=$MUX_PORT && wait_log "$MUX_LOG" 'connected to QEMU at'
}

# count_lines LOG REGEX N: exactly N lines of LOG match REGEX.
count_lines() {
    local n
    n=$(grep -c -E -- "$2" "$1")
    [[ $n -eq $3 ]] && return 0
    echo "$n lines match '$2', not $3" >&2
    show_log "$1"
    return 1
}

# raw_client NAME: the scripted raw client (steps on stdin) against rspmux;
# its transcript is $TMP/NAME.log. Returns once rspmux has seen it go, so the
# next client is not refused as a second one.
raw_client() {
    local log="$TMP/$1.log" rc
    timeout 60 python3 "$HERE/rsp_raw_client.py" "$P" >"$log" 2>&1
    rc=$?
    CLIENTS=$((CLIENTS + 1))
    wait_disconnects "$CLIENTS"
    [[ $rc -eq 0 ]] && return 0
    show_log "$log"
    return 1
}

# wait_disconnects N: rspmux has logged N client disconnections.
wait_disconnects() {
    local i
    for i in $(seq 100); do
        [[ $(grep -c 'GDB client .* disconnected' "$MUX_LOG") -ge $1 ]] && return 0
        sleep 0.1
    done
    echo "rspmux did not see client $1 disconnect" >&2
}

# ---------------------------------------------------- the GDB side, real QEMU
start_qemu_gdb "$TMP/qemu.log" -append "test" || finish
start_mux "$TMP/mux1.log" --qemu "$GDB_PORT" --kernel "$KERNEL" || finish

check "a. junk before a packet is skipped; the packet gets '+' and a well-formed stop reply" \
    raw_client a <<'EOF'
send hello\r\n
send $?#3f
expect +
reply T05[^$#]*
send +
quiet 0.5
EOF

check "b. a wrong checksum gets '-', and the next packet is answered with the registers" \
    raw_client b <<'EOF'
send $?#00
expect -
send $g#67
expect +
reply [0-9a-f]{65,}
send +
quiet 0.5
EOF

check "c. a non-hex checksum digit gets one '-' (the digits after it are skipped)" \
    raw_client c <<'EOF'
send $?#zz
expect -
quiet 0.5
send $?#3f
expect +
reply T05[^$#]*
send +
EOF

check "d. a packet whose '#' was lost is dropped for the '\$' after it: one reply only" \
    raw_client d <<'EOF'
send $qC$?#3f
expect +
reply T05[^$#]*
send +
quiet 1
EOF

check "e. a 20000-byte packet gets '-', and rspmux keeps working" \
    raw_client e <<'EOF'
long A 20000
expect -
quiet 0.5
send $?#3f
expect +
reply T05[^$#]*
send +
EOF

check "f. a '-' from the client makes rspmux resend its last reply, byte for byte" \
    raw_client f <<'EOF'
send $?#3f
expect +
reply T05[^$#]*
send -
again
send -
again
send +
send $g#67
expect +
reply [0-9a-f]{65,}
send -
again
send +
quiet 0.5
EOF

# Several packets in a row (console output in two parts, then OK): each waits for the
# '+' of the one before, so a '-' resends the packet it was for.
check "f2. a '-' for one of several replies in a row resends that one" \
    raw_client f2 <<'EOF'
send $qRcmd,68656c70#fc
expect +
reply O[0-9a-f]+
quiet 0.3
send -
again
send +
reply O[0-9a-f]+
send +
expect $OK#9a
send +
quiet 0.5
EOF

check "g. in no-ack mode damaged packets get no '-', and the session keeps working" \
    raw_client g <<'EOF'
send $QStartNoAckMode#b0
expect +
expect $OK#9a
# The OK is still under acks: a '-' for it gets it again.
send -
expect $OK#9a
send +
send $?#00
quiet 0.5
send $g#67
reply [0-9a-f]{65,}
send $?#zz
long A 20000
quiet 0.5
send $?#3f
reply T05[^$#]*
quiet 0.5
EOF

check "a notification from the client with a bad checksum gets no '-'" \
    raw_client notification <<'EOF'
send %Stop:T05#00
quiet 0.5
send $?#3f
expect +
reply T05[^$#]*
send +
EOF

check "h. a raw 0x03 while the guest is stopped is harmless" \
    raw_client h <<'EOF'
send $?#3f
expect +
reply T05[^$#]*
send +
send \x03
quiet 0.5
send $g#67
expect +
reply [0-9a-f]{65,}
send +
quiet 0.5
EOF

check "rspmux's log names each problem it saw, in order" expect_in_order "$MUX_LOG" <(cat <<'P'
^rspmux: warning: gdb: bytes outside any packet; skipped$
^rspmux: warning: gdb: bad checksum; sent NAK$
^rspmux: warning: gdb: malformed packet: checksum digit after '#' is not a hex digit; sent NAK$
^rspmux: warning: gdb: bytes outside any packet; skipped$
^rspmux: warning: gdb: oversized packet; sent NAK$
^rspmux: warning: gdb: bad checksum; dropped$
^rspmux: warning: gdb: malformed packet: checksum digit after '#' is not a hex digit; dropped$
^rspmux: warning: gdb: oversized packet; dropped$
^rspmux: warning: gdb: bad checksum; dropped$
P
)
check "rspmux is still running after the raw clients" kill -0 "$MUX_PID"
timeout 120 gdb-multiarch -batch -nx -ex "target remote 127.0.0.1:$P" -ex "info registers pc" \
    </dev/null >"$TMP/gdb.log" 2>&1
check "then a real GDB attaches and reads pc" log_has "$TMP/gdb.log" '^pc +0x[0-9a-f]+'
check "rspmux exits 0 on SIGTERM, with no sanitizer report" stop_rspmux

# ------------------------------------------- the QEMU side, a fake gdbstub
FAKE_PORT=$(free_port)
FAKE_LOG="$TMP/fake.log"
timeout 120 python3 "$HERE/fake_gdbstub_bad_checksums.py" "$FAKE_PORT" >"$FAKE_LOG" 2>&1 &
FAKE_PID=$!
STARTED_PIDS+=("$FAKE_PID")
for i in $(seq 100); do
    is_listening "$FAKE_PORT" && break
    sleep 0.1
done
start_mux "$TMP/mux2.log" --qemu "$FAKE_PORT" || finish
check "rspmux drops the fake's garbage and damaged notification sent after the handshake" \
    wait_log "$MUX_LOG" '^rspmux: warning: qemu: bad checksum; dropped$' 10
REGS=$(python3 "$HERE/fake_gdbstub_bad_checksums.py" --regs)
check "GDB's 'g' gets the fake's registers although its first frame was damaged" \
    raw_client fake-g <<EOF
send \$g#67
expect +
reply $REGS
send +
quiet 0.5
EOF
check "the fake got a '-' for its bad 'g' frame, and a '+' for the resent one" \
    expect_in_order "$FAKE_LOG" <(cat <<'P'
^sent a %Stop notification with a bad checksum$
^got packet 'g'$
^sent a %Stop notification with a bad checksum$
^sent garbage, then the 'g' reply with a bad checksum$
^got NAK for the bad 'g' reply$
^sent the 'g' reply with the right checksum$
^got ACK for the 'g' reply with the right checksum$
P
)
check "the fake got no other '-'" count_lines "$FAKE_LOG" '^got .*NAK' 1
check "the fake got nothing unexpected from rspmux" \
    count_lines "$FAKE_LOG" '^got (unexpected|a stray|a packet with a bad checksum)' 0
check "rspmux NAKed exactly the bad 'g' frame" \
    count_lines "$MUX_LOG" '^rspmux: warning: qemu: bad checksum; sent NAK$' 1
check "rspmux dropped both damaged notifications" \
    count_lines "$MUX_LOG" '^rspmux: warning: qemu: bad checksum; dropped$' 2
check "rspmux skipped the fake's garbage runs" \
    count_lines "$MUX_LOG" '^rspmux: warning: qemu: bytes outside any packet; skipped$' 3
check "rspmux is still running after the fake's damage" kill -0 "$MUX_PID"
check "rspmux exits 0 on SIGTERM, with no sanitizer report (fake backend)" stop_rspmux
wait "$FAKE_PID"
forget_pid "$FAKE_PID"
check "the fake saw rspmux close the connection" log_has "$FAKE_LOG" '^connection closed$'

finish
