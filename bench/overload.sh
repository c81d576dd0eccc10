#!/bin/sh
# bench/overload.sh RATE SECONDS - the agent offered RATE out-of-dialog
# REFERs/s for SECONDS (UDP, loopback), beyond its capacity: does it answer
# every REFER in time, keep completing transfers, keep its memory, and come
# back to full service when the load stops (issue #15 goal 4)?
#
#   flock /work/cpu.lock sh bench/overload.sh 6000 30      (after `make`)
#
# A fresh agent (the bench's config: log.level "notice", no
# limits.max_rate, per_source_rate 100000), a target sipp
# (bench/sipp/target_answer.xml: 180 and 200 at once, BYE 100 ms after the
# ACK) and a referer sipp (bench/sipp/referer_overload.xml: a 503 with
# Retry-After is an answer too).  When the load stops, a probe referer
# sends 100 REFERs/s for 8 s: time to full service = from the load's last
# REFER to the first probe REFER after which every probe REFER got 202.
# OVERLOAD_CONTROL=false runs the agent with limits.overload_control =
# false, for comparison.  Prints its figures and keeps the raw files in
# bench/out/overload/rRATE-sSECONDS[-off]/.  Every process it starts is bounded
# by timeout(1) and stopped by its PID.
set -u
LC_ALL=C
export LC_ALL

rate=${1:?usage: overload.sh RATE SECONDS}
secs=${2:?usage: overload.sh RATE SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
AGENT=${BENCH_AGENT:-$top/src/sip-transfer-agent}
SIPP=${SIPP:-sipp}
out=$top/bench/out/overload/r$rate-s$secs
[ "${OVERLOAD_CONTROL:-true}" = false ] && out=$out-off
rm -rf "$out"
mkdir -p "$out"
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT INT TERM
port() { "$top/tests/freeport"; }
ap=$(port) mp=$(port) tp=$(port) rp=$(port) pp=$(port)

cat >"$out/agent.conf" <<EOF
# written by bench/overload.sh
listen = [ "sip:127.0.0.1:$ap;transport=udp" ];
transfer = { notify_interval = 1000; subscription_expires = 3600;
             invite_timeout = 600; max_redirects = 0;
             max_call_duration = 14400; };
limits = { max_active = 1000000; per_source_rate = 100000;
           overload_control = ${OVERLOAD_CONTROL:-true}; };
policy = { allow_from = [ "127.0.0.0/8" ]; targets = [ "*@127.0.0.1:*" ]; };
media = { sdp_file = "$top/conf/offer.sdp"; mode = "none"; };
shutdown = { grace = 0; };
log = { level = "notice"; };
metrics = { listen = "127.0.0.1:$mp"; };
EOF
"$AGENT" -c "$out/agent.conf" >"$out/agent.stdout" 2>"$out/agent.log" &
apid=$!
PIDS="$PIDS $apid"
i=0
until curl -s "http://127.0.0.1:$mp/metrics" | grep -q '^sta_overload_shed_total'; do
	i=$((i + 1))
	[ $i -ge 100 ] && { echo "agent not ready" >&2; exit 1; }
	sleep 0.1
done

sipp_bg() {
	name=$1 limit=$2
	shift 2
	timeout "$limit" "$SIPP" -nostdin -i 127.0.0.1 -t u1 -buff_size 4194304 \
		-trace_err -error_file "$out/$name.err" \
		-trace_stat -stf "$out/$name.csv" -fd 1 \
		-trace_logs -log_file "$out/$name.log" \
		"$@" >"$out/$name.out" 2>&1 </dev/null &
	PIDS="$PIDS $!"
	eval "${name}_pid=\$!"
}
sipp_bg target $((secs + 120)) -sf "$here/sipp/target_answer.xml" -p "$tp" \
	-d 100 -l $((rate * 10 + 1000))
sleep 0.5
cpu0=$(sed 's/^.*) //' /proc/$apid/stat | awk '{ print $12 + $13 }')
t0=$(date +%s.%N)
sipp_bg referer $((secs + 90)) -sf "$here/sipp/referer_overload.xml" \
	"127.0.0.1:$ap" -p "$rp" -key target_port "$tp" -r "$rate" \
	-m $((rate * secs)) -l $((rate * 10 + 1000)) -recv_timeout 30000
# VmRSS and the overload gauge every second, until the probe is over
(while kill -0 $apid 2>/dev/null; do
	printf '%s %s %s\n' "$(date +%s.%N)" \
		"$(awk '$1 == "VmRSS:" { print $2 }' /proc/$apid/status)" \
		"$(curl -s "http://127.0.0.1:$mp/metrics" |
			awk '$1 == "sta_overload_shedding" { print $2 }')"
	sleep 1
done) >"$out/rss.txt" 2>/dev/null &
PIDS="$PIDS $!"
sleep "$secs"
sipp_bg probe 40 -sf "$here/sipp/referer_overload.xml" "127.0.0.1:$ap" \
	-p "$pp" -key target_port "$tp" -r 100 -m 800 -recv_timeout 30000
# shellcheck disable=SC2154 # set by sipp_bg
wait "$referer_pid"
rrc=$?
# shellcheck disable=SC2154
wait "$probe_pid"
cpu1=$(sed 's/^.*) //' /proc/$apid/stat | awk '{ print $12 + $13 }')
t1=$(date +%s.%N)
hwm=$(awk '$1 == "VmHWM:" { print $2 }' /proc/$apid/status)
curl -s "http://127.0.0.1:$mp/metrics" >"$out/metrics.txt"
sleep 2
cleanup
PIDS=

stat() { awk -F';' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
	{ last = $0 } END { split(last, f, ";"); print f[k] + 0 }' "$1"; }
# answer times in ms, per code: 202.ms, 503.ms (sorted)
for code in 202 503; do
	# sipp once logged an answer's usec as "" (a 7-field line): as 0
	awk -v c=$code '$1 == "A" && $2 == c {
		u1 = NF == 8 ? $7 : 0
		printf "%.1f\n", ($6 - $4) * 1000 + (u1 - $5) / 1000 }' \
		"$out/referer.log" | sort -n >"$out/$code.ms"
done
pct() { awk -v p="$2" '{ a[NR] = $1 } END { if (!NR) { print "-"; exit }
	i = int(p / 100 * NR + 0.999); if (i < 1) i = 1; print a[i] }' "$1"; }
over500() { awk '$1 > 500 { n++ } END { print n + 0 }' "$1"; }
# the load's last REFER, and the probe: the first REFER from which on
# every probe REFER got 202
last=$(awk '$1 == "A" { t = $4 + $5 / 1e6; if (t > m) m = t } END { printf "%.3f", m }' "$out/referer.log")
full=$(sort -k4,4n -k5,5n "$out/probe.log" | awk -v last="$last" '
	$1 == "A" { n++; t[n] = $4 + $5 / 1e6; c[n] = $2 }
	END { for (i = n; i >= 1 && c[i] == 202; i--) f = t[i]
	      if (i == n) print "never"; else printf "%.2f", f - last }')
ra=$(awk '$1 == "A" && $2 == 503 { n[$NF]++ } END { for (k in n) printf " %s s: %d", k, n[k] }' "$out/referer.log")
f200=$(awk '$1 == "F" && $NF == 200 { n++ } END { print n + 0 }' "$out/referer.log")
fother=$(awk '$1 == "F" && $NF != 200 { n++ } END { print n + 0 }' "$out/referer.log")
retrans=$(stat "$out/referer.csv" 'Retransmissions(C)')
failed=$(stat "$out/referer.csv" 'FailedCall(C)')
cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" \
	'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')
{
echo "rate $rate/s x $secs s (sipp rc $rrc, failed calls $failed)"
echo "  REFERs answered 202: $(wc -l <"$out/202.ms"), answer ms p50 $(pct "$out/202.ms" 50) p99 $(pct "$out/202.ms" 99) max $(pct "$out/202.ms" 100), > 500 ms: $(over500 "$out/202.ms")"
echo "  REFERs answered 503: $(wc -l <"$out/503.ms"), answer ms p50 $(pct "$out/503.ms" 50) p99 $(pct "$out/503.ms" 99) max $(pct "$out/503.ms" 100), > 500 ms: $(over500 "$out/503.ms"); Retry-After$ra"
echo "  completed transfers (final NOTIFY 200): $f200 = $((f200 / secs))/s; other finals $fother"
echo "  REFER retransmissions: $retrans"
echo "  agent peak RSS: $((hwm / 1024)) MB; agent CPU $cpu % (one core = 100)"
echo "  full service (every probe REFER 202 from then on): $full s after the load's last REFER"
} | tee "$out/summary.txt"
grep 'overload:' "$out/agent.log" | head -n 6
