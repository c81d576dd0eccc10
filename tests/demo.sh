#!/bin/sh
# tests/demo.sh - `make demo`: the agent in the foreground with the shipped
# example config (conf/sip-transfer-agent.conf: 127.0.0.1:5060, UDP and
# TCP), and one transfer against it on loopback: sipp plays the referer
# (Alice) and the target (Carol, 127.0.0.1:5080, answering 180, 183, 200).
# The agent's log shows the transfer; the NOTIFYs Alice received are printed
# after it.  The agent then keeps running until Ctrl-C.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
agent=$top_builddir/src/sip-transfer-agent
sipp=${SIPP:-$(command -v sipp || true)}
work=$(mktemp -d "${TMPDIR:-/tmp}/sta-demo.XXXXXX")
pids=

stop() {
	for pid in $pids; do kill "$pid" 2>/dev/null; done
	for pid in $pids; do wait "$pid" 2>/dev/null; done
	rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x "$agent" ] || { echo "demo: build first (make)" >&2; exit 1; }
[ -n "$sipp" ] || { echo "demo: sipp not found (apt-get install sip-tester)" >&2; exit 1; }

# The shipped config as it is, but for the SDP offer, read from the source
# tree since nothing is installed under /etc yet, and the control socket,
# in the demo's own directory since /run/sip-transfer-agent is made by the
# systemd unit (try: src/sip-transfer-agentctl -s DIR/control.sock status).
sed "s|^\([[:space:]]*sdp_file[[:space:]]*=\).*|\1 \"$top_srcdir/conf/offer.sdp\";|" \
	"$top_srcdir/conf/sip-transfer-agent.conf" >"$work/demo.conf"
echo "control = { socket = \"$work/control.sock\"; };" >>"$work/demo.conf"

echo "demo: starting the agent with conf/sip-transfer-agent.conf (Ctrl-C stops it)"
"$agent" -c "$work/demo.conf" &
agent_pid=$!
pids="$agent_pid"
sleep 1
kill -0 "$agent_pid" 2>/dev/null || {
	echo "demo: the agent did not start (is 127.0.0.1:5060 in use?)" >&2
	exit 1
}

"$sipp" -sf "$top_srcdir/tests/sipp/target_answer.xml" -i 127.0.0.1 -p 5080 \
	-m 1 -nostdin -trace_err -error_file "$work/carol.err" \
	>"$work/carol.out" 2>&1 </dev/null &
pids="$pids $!"
sleep 0.5
echo "demo: Alice sends REFER (Refer-To: <sip:carol@127.0.0.1:5080>) to the agent"
timeout 60 "$sipp" -sf "$top_srcdir/tests/sipp/referer.xml" -i 127.0.0.1 \
	-p 5081 127.0.0.1:5060 -m 1 -nostdin -recv_timeout 20000 \
	-key refer_to_hdr 'Refer-To: <sip:carol@127.0.0.1:5080>' \
	-key refer_to_hdr2 'X-Demo: 1' \
	-key referred_by_hdr 'Referred-By: <sip:alice@127.0.0.1>' \
	-key refer_cseq 1 -key code 202 -key code2 202 -key retry none \
	-key final 'SIP/2.0 200 OK' \
	-trace_msg -message_file "$work/alice.msg" \
	-trace_err -error_file "$work/alice.err" \
	>"$work/alice.out" 2>&1 </dev/null
status=$?
echo
echo "demo: the NOTIFYs Alice received:"
awk '/^NOTIFY /{n=1} n&&/^(NOTIFY |Event:|Subscription-State:|Content-Type:|SIP\/2\.0 [0-9])/{print "    " $0} /^$/{if(n)print "";n=0}' "$work/alice.msg"
if [ "$status" -eq 0 ]; then
	echo "demo: transfer completed; the agent keeps running, Ctrl-C to stop"
else
	echo "demo: the referer saw a problem (sipp exit $status):" >&2
	cat "$work/alice.err" >&2
fi
wait "$agent_pid"
