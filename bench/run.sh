#!/bin/sh
# bench/run.sh - how fast sip-transfer-agent is: transfers per second,
# NOTIFY pacing under load, memory per transfer, instructions per transfer.
#
#   make bench            (or: sh bench/run.sh, after `make`)
#
# Everything runs on 127.0.0.1 with free ports; each agent and sipp the
# script starts is bounded by timeout(1) or a poll limit and is stopped by
# its PID (never by name), also on ^C.  The agent runs with log.level
# "error".  Prints a table and writes bench/RESULTS.md; the raw files of
# every run are kept in bench/out/ (sipp logs, stat CSVs, agent logs,
# callgrind dumps).
#
# Phases (BENCH_PHASES, default all five, in this order):
#   ceiling     sipp's own REFER -> 202 rate against a sipp UAS answering
#               202 (bench/sipp/ceiling_*.xml): the highest rate with 0
#               failed calls, found by doubling then bisecting short trials.
#   throughput  the highest rate of out-of-dialog REFERs the agent sustains
#               with 0 failed transfers (a REFER not answered 202, a final
#               NOTIFY other than "SIP/2.0 200 OK", any failed call or
#               timeout in either sipp), and no backlog (every call over
#               within BENCH_LAG_S of the last REFER); targets answer 180
#               and 200 at once, and BYE BENCH_HOLD_MS after the ACK.
#               Short trials (doubling, then bisecting), then a
#               confirmation run of BENCH_CONFIRM_S at the rate found; when
#               it fails (NTA state builds up for 32 s, longer than a short
#               trial), long runs go on down by 30 % and bisect, at most
#               BENCH_CONFIRM_MAX of them.  The passing confirmation run
#               also gives the pacing figures (and a perf cpu-clock
#               profile of the agent): per subscription the smallest NOTIFY
#               gap, and the final NOTIFY's lateness after its window
#               (previous NOTIFY + notify_interval), from the referer's
#               gettimeofday receive stamps.
#   scale       VmRSS of the agent with N concurrent transfers whose target
#               keeps ringing (bench/sipp/target_ring.xml), N in
#               BENCH_SCALE, one fresh agent per step; with gdb, also the
#               malloc "in use" bytes, and for the largest step again after
#               BENCH_SETTLE_S (NTA keeps answered REFER transactions for
#               Timer J, 32 s on UDP).
#   cost        the agent under valgrind --tool=callgrind: counters zeroed,
#               a batch of BENCH_CG_N transfers at BENCH_CG_RATE/s, dump;
#               zeroed again, as long idle, dump; instructions per transfer
#               = (batch - idle) / N, and the top 10 functions by self cost.
#               Also perf stat -e instructions:u when the machine has it.
#   media       CPU per held call with RTP on: BENCH_MEDIA_CALLS calls to
#               the agent (bench/sipp/held_call.xml, PCMU) held
#               BENCH_MEDIA_HOLD_S s each, once with media.mode "silence"
#               (50 RTP packets/s per call, RTCP) and once with "none"
#               (SDP only); the agent's user + system CPU from /proc over
#               BENCH_MEDIA_MEASURE_S s once every call is up, minus its
#               idle CPU, per call; and the calls one core would carry
#               (1 / CPU per call: an extrapolation, the loop is single
#               threaded).
#
# Settings (environment): BENCH_PHASES, BENCH_TRIAL_S (10), BENCH_CONFIRM_S
# (60), BENCH_START_RATE (250), BENCH_MAX_RATE (64000), BENCH_PRECISION (5,
# percent: bisection stops when the bracket is that narrow),
# BENCH_CEIL_TRIAL_S (5), BENCH_CEIL_START (5000), BENCH_CEIL_MAX (320000),
# BENCH_HOLD_MS (100),
# BENCH_LAG_S (3: a throughput trial also fails when its calls end more
# than this long after its last REFER, i.e. a backlog built up),
# BENCH_CONFIRM_MAX (5), BENCH_CONFIRM_PRECISION (10, percent),
# BENCH_SCALE ("1000 5000 20000"), BENCH_SCALE_RATE (1000), BENCH_SETTLE_S
# (35), BENCH_CG_N (300), BENCH_CG_RATE (20), BENCH_MEDIA_CALLS (500),
# BENCH_MEDIA_HOLD_S (30), BENCH_MEDIA_MEASURE_S (10), BENCH_QUIET_LOAD (0.7),
# BENCH_QUIET_WAIT (0: seconds to wait, before each phase, for the 1-minute
# load average to fall below BENCH_QUIET_LOAD; the load is recorded either
# way), BENCH_OUT (bench/out), BENCH_RESULTS (bench/RESULTS.md), SIPP,
# BENCH_AGENT (the agent binary: compare another build) and
# BENCH_AGENT_WRAPPER (a command it runs under, e.g. env LD_PRELOAD=...).
#
# Exit status: 0 when every phase ran (whether or not a goal was met),
# 1 when a phase could not run, 77 when a tool is missing.

set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
AGENT=${BENCH_AGENT:-$top_builddir/src/sip-transfer-agent}
# BENCH_AGENT_WRAPPER: a command the agent runs under (not in the cost
# phase), e.g. "env LD_PRELOAD=/path/shim.so", to compare variants.
AGENT_WRAPPER=${BENCH_AGENT_WRAPPER:-}
SCEN=$top_srcdir/bench/sipp
OUT=${BENCH_OUT:-$top_builddir/bench/out}
RESULTS=${BENCH_RESULTS:-$top_srcdir/bench/RESULTS.md}
SDP=$top_srcdir/conf/offer.sdp

PHASES=${BENCH_PHASES:-ceiling throughput scale cost media}
TRIAL_S=${BENCH_TRIAL_S:-10}
CONFIRM_S=${BENCH_CONFIRM_S:-60}
START_RATE=${BENCH_START_RATE:-250}
MAX_RATE=${BENCH_MAX_RATE:-64000}
PRECISION=${BENCH_PRECISION:-5}
CEIL_TRIAL_S=${BENCH_CEIL_TRIAL_S:-5}
CEIL_START=${BENCH_CEIL_START:-5000}
CEIL_MAX=${BENCH_CEIL_MAX:-320000}
HOLD_MS=${BENCH_HOLD_MS:-100}
LAG_S=${BENCH_LAG_S:-3}
CONFIRM_MAX=${BENCH_CONFIRM_MAX:-5}
CONFIRM_PRECISION=${BENCH_CONFIRM_PRECISION:-10}
SCALE=${BENCH_SCALE:-1000 5000 20000}
SCALE_RATE=${BENCH_SCALE_RATE:-1000}
SETTLE_S=${BENCH_SETTLE_S:-35}
CG_N=${BENCH_CG_N:-300}
CG_RATE=${BENCH_CG_RATE:-20}
MEDIA_CALLS=${BENCH_MEDIA_CALLS:-500}
MEDIA_HOLD_S=${BENCH_MEDIA_HOLD_S:-30}
MEDIA_MEASURE_S=${BENCH_MEDIA_MEASURE_S:-10}
MEDIA_MODE=silence		# media.mode of the agents agent_start starts
QUIET_LOAD=${BENCH_QUIET_LOAD:-0.7}
QUIET_WAIT=${BENCH_QUIET_WAIT:-0}
INTERVAL=1000			# transfer.notify_interval, ms
BUFF=4194304			# sipp -buff_size (shared notes: testing.md)

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
skip() { log "SKIP: $*"; exit 77; }

# ---- prerequisites ---------------------------------------------------------
[ -x "$AGENT" ] || die "$AGENT not built (run make)"
[ -f "$SDP" ] || die "$SDP missing"
if [ -z "${SIPP:-}" ]; then SIPP=$(command -v sipp 2>/dev/null || true); fi
[ -n "$SIPP" ] && command -v "$SIPP" >/dev/null 2>&1 ||
	skip "sipp not found (Debian package sip-tester, or set SIPP)"
for tool in timeout ss awk sort od; do
	command -v $tool >/dev/null 2>&1 || skip "$tool not found"
done
if command -v curl >/dev/null 2>&1; then
	http_get() { curl -s --max-time 2 "$1"; }
elif command -v wget >/dev/null 2>&1; then
	http_get() { wget -q -T 2 -O - "$1"; }
else
	skip "curl or wget needed to read the agent's metrics"
fi
# sipp -l 25000 and 20,000 calls want descriptors: as many as allowed.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

mkdir -p "$OUT" || die "cannot create $OUT"

# perf: software cpu-clock sampling of the agent during the confirmation run
# (works without hardware counters); instruction counts need counters.
PERF_PROFILE=0
if command -v perf >/dev/null 2>&1 &&
	perf record -q -e cpu-clock -o /dev/null -- true >/dev/null 2>&1; then
	PERF_PROFILE=1
fi

# ---- processes: every one tracked by PID, stopped on exit --------------------
PIDS=
# (dash, bash and busybox sh all have `local`; every function keeps its
# variables to itself.)
track() { PIDS="$PIDS $1"; }
untrack() {
	local keep= p
	for p in $PIDS; do [ "$p" = "$1" ] || keep="$keep $p"; done
	PIDS=$keep
}
# stop_pid PID [SECONDS]: SIGTERM, wait up to SECONDS (10), then SIGKILL;
# returns the process's exit status.
stop_pid() {
	local pid=$1 lim=$((${2:-10} * 10)) i=0 rc
	kill "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt $lim ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "pid $pid still there after SIGTERM: SIGKILL"
		kill -9 "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	untrack "$pid"
	return $rc
}
# wait_pid PID: wait for a tracked process to end by itself.
wait_pid() {
	local rc
	wait "$1"
	rc=$?
	untrack "$1"
	return $rc
}
cleanup() {
	local q
	trap - EXIT HUP INT TERM
	for q in $PIDS; do kill "$q" 2>/dev/null; done
	for q in $PIDS; do stop_pid "$q" 5; done
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- ports -------------------------------------------------------------------
USED_PORTS=
port_busy() {
	ss -Hanu "sport = :$1" 2>/dev/null | grep -q . ||
		ss -Hant "sport = :$1" 2>/dev/null | grep -q .
}
# port VAR: set VAR to a port of 127.0.0.1 free for UDP and TCP (tests/
# freeport when built, else a random one that ss shows unused), never handed
# out before by this run.
port() {
	local i=0 p
	while [ $i -lt 200 ]; do
		i=$((i + 1))
		if [ -x "$top_builddir/tests/freeport" ]; then
			p=$("$top_builddir/tests/freeport") || continue
		else
			p=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 28000 + 32000))
			port_busy "$p" && continue
		fi
		case " $USED_PORTS " in *" $p "*) continue ;; esac
		USED_PORTS="$USED_PORTS $p"
		eval "$1=\$p"
		return 0
	done
	die "no free port"
}
# wait_udp PORT [TENTHS]: until something is bound to UDP PORT.
wait_udp() {
	local i=0
	while ! ss -Hlnu "sport = :$1" 2>/dev/null | grep -q .; do
		i=$((i + 1))
		[ $i -ge "${2:-50}" ] && return 1
		sleep 0.1
	done
}

# ---- load --------------------------------------------------------------------
load1() { cut -d' ' -f1 /proc/loadavg; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }
# wait_quiet PHASE: wait up to QUIET_WAIT s for load1 < QUIET_LOAD; record.
LOADS=
wait_quiet() {
	local w=0 l q
	while ! below "$(load1)" "$QUIET_LOAD" && [ $w -lt "$QUIET_WAIT" ]; do
		[ $((w % 60)) -eq 0 ] &&
			log "load $(load1) >= $QUIET_LOAD: waiting (at most $((QUIET_WAIT - w)) s more)"
		sleep 10
		w=$((w + 10))
	done
	l=$(load1)
	below "$l" "$QUIET_LOAD" && q=quiet || q=NOISY
	LOADS="$LOADS$1: $l ($q, waited $w s); "
	log "$1: 1-minute load $l ($q)"
}

# ---- the agent -------------------------------------------------------------
# agent_start DIR [WRAPPER...]: agent on DIR/agent.conf with log.level error
# and metrics on; sets AGENT_PID, AGENT_PORT, METRICS_URL.
agent_start() {
	local dir=$1 mport i=0
	shift
	port AGENT_PORT
	port mport
	METRICS_URL=http://127.0.0.1:$mport/metrics
	cat >"$dir/agent.conf" <<EOF
# written by bench/run.sh
listen = [ "sip:127.0.0.1:$AGENT_PORT;transport=udp" ];
transfer = { notify_interval = $INTERVAL; subscription_expires = 3600;
             invite_timeout = 600; max_redirects = 0;
             max_call_duration = 14400; };
limits = { max_active = 1000000; per_source_rate = 100000; };
policy = { allow_from = [ "127.0.0.0/8" ]; targets = [ "*@127.0.0.1:*" ]; };
media = { sdp_file = "$SDP"; mode = "$MEDIA_MODE"; };
shutdown = { grace = 0; };
log = { level = "error"; };
metrics = { listen = "127.0.0.1:$mport"; };
EOF
	[ $# -eq 0 ] && set -- $AGENT_WRAPPER
	"$@" "$AGENT" -c "$dir/agent.conf" >"$dir/agent.stdout" \
		2>"$dir/agent.log" </dev/null &
	AGENT_PID=$!
	track $AGENT_PID
	while ! http_get "$METRICS_URL" 2>/dev/null | grep -q '^sta_transfers_active '; do
		kill -0 $AGENT_PID 2>/dev/null ||
			die "agent exited at start: $(tail -n 5 "$dir/agent.log")"
		i=$((i + 1))
		[ $i -ge 600 ] && die "agent not ready after 60 s"
		sleep 0.1
	done
	wait_udp "$AGENT_PORT" || die "agent not bound to UDP $AGENT_PORT"
}
# metric NAME: its value now (the sample named exactly NAME).
metric() {
	http_get "$METRICS_URL" 2>/dev/null |
		awk -v n="$1" '$1 == n { print $2; exit }'
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# cpu_s PID: user + system CPU seconds PID has used so far.
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu_s() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null |
		awk -v hz="$CLK_TCK" '{ printf "%.2f", ($12 + $13) / hz }'
}
# sipp_of PID: the sipp that timeout(1) PID runs (waits up to 1 s for it).
sipp_of() {
	local i=0 c=
	while [ -z "$c" ] && [ $i -lt 50 ]; do
		c=$(pgrep -P "$1" 2>/dev/null | head -n 1)
		[ -n "$c" ] || sleep 0.02
		i=$((i + 1))
	done
	echo "${c:-0}"
}
# heap_in_use PID LOG: malloc's "in use" bytes of PID (glibc malloc_stats()
# called through gdb; it prints on the agent's stderr, LOG), "-" without gdb.
heap_in_use() {
	local before try=0 v=-
	command -v gdb >/dev/null 2>&1 || { echo -; return; }
	while [ "$v" = - ] && [ $try -lt 2 ]; do
		try=$((try + 1))
		before=$(wc -l <"$2")
		timeout 60 gdb -p "$1" -batch -ex 'call (void)malloc_stats()' \
			>/dev/null 2>&1 </dev/null
		v=$(tail -n +$((before + 1)) "$2" | awk '/^Total/ { t = 1 }
			t && /in use bytes/ { print $NF; f = 1; exit }
			END { if (!f) print "-" }')
	done
	echo "$v"
}

# ---- sipp --------------------------------------------------------------------
# sipp_bg NAME SECONDS ARGS...: sipp in the background, bounded by timeout(1),
# files NAME.out/.err/.csv; sets SIPP_PID.  The ring buffer bounds the error
# file of a collapsing run; it also rotates the -log_file the verdicts read,
# so it is far above a 60 s run's log (about 35 MB at 5,000 REFERs/s).
sipp_bg() {
	local name=$1 secs=$2
	shift 2
	timeout "$secs" "$SIPP" -nostdin -i 127.0.0.1 -t u1 -buff_size $BUFF \
		-trace_err -error_file "$name.err" \
		-ringbuffer_size 1000000000 -ringbuffer_files 1 \
		-trace_stat -stf "$name.csv" -fd 1 \
		"$@" >"$name.out" 2>&1 </dev/null &
	SIPP_PID=$!
	track $SIPP_PID
}
# sipp_stat CSV COLUMN: COLUMN of the last line of a sipp -trace_stat file.
sipp_stat() {
	awk -F';' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
		{ last = $0 } END { if (!k) { print 0; exit }
		split(last, f, ";"); print f[k] + 0 }' "$1" 2>/dev/null || echo 0
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# wait_gone PID TENTHS: wait (bounded) for PID to end by itself.
wait_gone() {
	local i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt "$2" ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# ---- NOTIFY analysis -----------------------------------------------------------
# notify_stats LOG LATEFILE: from bench/sipp/referer.xml's lines
#   N <call> <sec> <usec> <state> <sipfrag code>
# print "calls notifies finals finals200 below min_gap_ms" and write every
# final NOTIFY's lateness (ms after previous NOTIFY + INTERVAL) to LATEFILE.
notify_stats() {
	: >"$2"
	awk -v iv="$INTERVAL" -v late="$2" '
	$1 == "N" && NF == 6 {	# sipp prints a usec of 0 as nothing
		$7 = $6; $6 = $5; $5 = $4; $4 = 0
	}
	$1 == "N" {
		c = $2; t = $3 * 1000000 + $4
		if ((c in cseq) && cseq[c] == $7) { retrans++; next }
		cseq[c] = $7
		if (!(c in last)) calls++
		else {
			gap = t - last[c]
			if (gap < iv * 1000) below++
			if (min == "" || gap < min) min = gap
		}
		notifies++
		if ($5 == "terminated") {
			finals++
			if ($6 == "200") ok++
			if (c in last)
				printf "%.3f\n", (t - last[c] - iv * 1000) / 1000 > late
		}
		last[c] = t
	}
	END {
		printf "%d %d %d %d %d %s\n", calls, notifies, finals, ok, below,
		    min == "" ? "-" : sprintf("%.3f", min / 1000)
	}' "$1" 2>/dev/null || echo "0 0 0 0 0 -"
}
# pct FILE P: the P-th percentile (nearest rank) of the numbers in FILE.
pct() {
	sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 }
		END { if (!NR) { print "-"; exit }
		k = int(NR * p / 100); if (k < NR * p / 100) k++; if (k < 1) k = 1
		print v[k] }'
}

# ---- trials --------------------------------------------------------------------
# agent_trial RATE SECONDS: RATE REFERs/s for SECONDS against a fresh agent.
# Sets LAST_LINE (and writes it to its directory's summary.txt):
#   RATE pass|FAIL calls ok failed target_failed finals200 retrans wall
#   refer_rtt_ms gaps_below min_gap_ms late_p50 late_p99 late_max
#   agent_cpu_percent agent_peak_rss_kB referer_sipp_cpu target_sipp_cpu
# (CPU in % of one core over the run; a sipp's from its last 1 s sample)
# Files in $OUT/throughput/rRATE-sSECONDS/.
agent_trial() {
	local r=$1 s=$2 n=$(($1 * $2)) d tp rp tpid t0 rrc wall ok fail tfail
	local retr rtt v stats cpu0 cpu hwm ppid= spid rsp tsp rcpu tcpu
	d=$OUT/throughput/r$r-s$s
	rm -rf "$d"
	mkdir -p "$d"
	agent_start "$d"
	port tp
	port rp
	sipp_bg "$d/target" $((s + 90)) -sf "$SCEN/target_answer.xml" \
		-p "$tp" -d "$HOLD_MS" -m "$n" -l $((r * 5 + 1000))
	tpid=$SIPP_PID
	wait_udp "$tp" || die "target sipp did not start: $(tail -n 5 "$d/target.out")"
	t0=$(now)
	cpu0=$(cpu_s $AGENT_PID)
	sipp_bg "$d/referer" $((s + 60)) -sf "$SCEN/referer.xml" \
		"127.0.0.1:$AGENT_PORT" -p "$rp" -key target_port "$tp" \
		-r "$r" -m "$n" -l $((r * 5 + 1000)) -recv_timeout 30000 \
		-trace_logs -log_file "$d/referer.log"
	rsp=$(sipp_of $SIPP_PID)
	tsp=$(sipp_of $tpid)
	# VmRSS every 5 s (rss.txt: seconds kB) until the agent is gone, and
	# each sipp's CPU seconds every second (cpu.txt: referer target)
	(i=0; while [ $i -le $((s + 90)) ] && kill -0 $AGENT_PID 2>/dev/null; do
		[ $((i % 5)) -eq 0 ] && echo "$i $(status_kb $AGENT_PID VmRSS)"
		echo "$(cpu_s $rsp) $(cpu_s $tsp)" >>"$d/cpu.txt"
		sleep 1
		i=$((i + 1))
	done) >"$d/rss.txt" 2>/dev/null </dev/null &
	spid=$!
	track $spid
	if [ "${PROFILE:-0}" = 1 ] && [ "$s" -ge 30 ]; then
		# sample the agent for 10 s, a third into the run
		(sleep $((s / 3)) &&
			exec timeout 40 perf record -q -e cpu-clock -F 499 -g \
				-p $AGENT_PID -o "$d/perf.data" -- sleep 10) \
			>"$d/perf.out" 2>&1 </dev/null &
		ppid=$!
		track $ppid
	fi
	wait_pid $SIPP_PID
	rrc=$?
	wall=$(elapsed "$t0" "$(now)")
	[ -n "$ppid" ] && { wait_gone $ppid 300; stop_pid $ppid 5; }
	cpu=$(awk -v a="$cpu0" -v b="$(cpu_s $AGENT_PID)" -v w="$wall" \
		'BEGIN { printf "%.0f", (w > 0) ? 100 * (b - a) / w : 0 }')
	hwm=$(status_kb $AGENT_PID VmHWM)
	rcpu=$(awk -v w="$wall" '$1 + 0 > m { m = $1 } END { printf "%.0f", (w > 0) ? 100 * m / w : 0 }' "$d/cpu.txt" 2>/dev/null)
	tcpu=$(awk -v w="$wall" '$2 + 0 > m { m = $2 } END { printf "%.0f", (w > 0) ? 100 * m / w : 0 }' "$d/cpu.txt" 2>/dev/null)
	wait_gone $tpid 100	# the target ends after its last BYE (-m)
	stop_pid $tpid 5
	http_get "$METRICS_URL" >"$d/metrics.txt" 2>/dev/null
	stop_pid $AGENT_PID 15
	wait_gone $spid 30	# the sampler ends within 1 s of the agent
	stop_pid $spid 2
	ok=$(sipp_stat "$d/referer.csv" 'SuccessfulCall(C)')
	fail=$(sipp_stat "$d/referer.csv" 'FailedCall(C)')
	tfail=$(sipp_stat "$d/target.csv" 'FailedCall(C)')
	retr=$(sipp_stat "$d/referer.csv" 'Retransmissions(C)')
	rtt=$(sipp_stat "$d/referer.csv" 'ResponseTimerefer(C)')
	stats=$(notify_stats "$d/referer.log" "$d/late.txt")
	set -- $stats
	# sustained: no failure, and no backlog either (every call over
	# within LAG_S of the last REFER; a call lasts about 1 s)
	if [ $rrc -eq 0 ] && [ "$fail" -eq 0 ] && [ "$tfail" -eq 0 ] &&
		[ "$ok" -eq $n ] && [ "$4" -eq $n ] &&
		below "$wall" $((s + LAG_S)); then
		v=pass
	else
		v=FAIL
	fi
	LAST_LINE="$r $v $n $ok $fail $tfail $4 $retr $wall $rtt $5 $6 $(pct "$d/late.txt" 50) $(pct "$d/late.txt" 99) $(pct "$d/late.txt" 100) $cpu ${hwm:-0} ${rcpu:--} ${tcpu:--}"
	echo "$LAST_LINE" >"$d/summary.txt"
	log "agent $r/s x $s s: $v (ok $ok/$n, failed $fail, target failed $tfail, finals 200 $4, retrans $retr, wall $wall s, sipp rc $rrc, agent CPU $cpu %, sipp CPU referer ${rcpu:--} % target ${tcpu:--} %, peak RSS $hwm kB)"
}

# ceil_trial RATE SECONDS: sipp REFER -> sipp 202.  Sets LAST_LINE:
#   RATE pass|FAIL calls ok failed uas_failed - retrans wall
# The rate must really be reached: every call done within SECONDS + 2 s.
ceil_trial() {
	local r=$1 s=$2 n=$(($1 * $2)) d up cp upid t0 rc wall ok fail tfail
	local retr v
	d=$OUT/ceiling/r$r
	rm -rf "$d"
	mkdir -p "$d"
	port up
	port cp
	sipp_bg "$d/uas" $((s + 60)) -sf "$SCEN/ceiling_uas.xml" -p "$up" \
		-m "$n"
	upid=$SIPP_PID
	wait_udp "$up" || die "UAS sipp did not start: $(tail -n 5 "$d/uas.out")"
	t0=$(now)
	sipp_bg "$d/uac" $((s + 30)) -sf "$SCEN/ceiling_uac.xml" \
		"127.0.0.1:$up" -p "$cp" -r "$r" -m "$n" -l $((r * 5 + 1000)) \
		-recv_timeout 10000
	wait_pid $SIPP_PID
	rc=$?
	wall=$(elapsed "$t0" "$(now)")
	wait_gone $upid 50
	stop_pid $upid 5
	ok=$(sipp_stat "$d/uac.csv" 'SuccessfulCall(C)')
	fail=$(sipp_stat "$d/uac.csv" 'FailedCall(C)')
	tfail=$(sipp_stat "$d/uas.csv" 'FailedCall(C)')
	retr=$(sipp_stat "$d/uac.csv" 'Retransmissions(C)')
	if [ $rc -eq 0 ] && [ "$fail" -eq 0 ] && [ "$ok" -eq $n ] &&
		below "$wall" $((s + 2)); then
		v=pass
	else
		v=FAIL
	fi
	LAST_LINE="$r $v $n $ok $fail $tfail - $retr $wall"
	echo "$LAST_LINE" >"$d/summary.txt"
	log "sipp ceiling $r/s x $s s: $v (ok $ok/$n, failed $fail, retrans $retr, wall $wall s)"
}

# search TRIAL SECONDS START MAX: the highest rate TRIAL passes, in
# SEARCH_RESULT: doubling from START (up to MAX), halving when START
# fails, then bisecting until the bracket is within PRECISION percent (and
# 10/s).  Every trial's LAST_LINE is appended to SEARCH_LOG.  0: even 10/s
# failed.
search() {
	local trial=$1 secs=$2 rate=$3 max=$4 lo=0 hi=0
	run_one() {
		$trial "$1" "$secs"
		echo "$LAST_LINE" >>"$SEARCH_LOG"
		case $LAST_LINE in *" pass "*) lo=$1 ;; *) hi=$1 ;; esac
	}
	while :; do
		run_one $rate
		[ $hi -gt 0 ] && break
		[ $((rate * 2)) -gt "$max" ] && break
		rate=$((rate * 2))
	done
	while [ $lo -eq 0 ] && [ $rate -gt 10 ]; do
		rate=$((rate / 2))
		run_one $rate
	done
	while [ $hi -gt 0 ] && [ $lo -gt 0 ] &&
		[ $((hi - lo)) -gt $((lo * PRECISION / 100)) ] &&
		[ $((hi - lo)) -gt 10 ]; do
		rate=$(((lo + hi) / 20 * 10))
		[ $rate -le $lo ] && break
		run_one $rate
	done
	SEARCH_RESULT=$lo
}

# ---- phases ------------------------------------------------------------------------
CEILING=- THROUGHPUT=- CONFIRMED=- CONFIRM_LINE= CONFIRM_DIR= FAIL_DIR= FAIL_LINE=
phase_ceiling() {
	wait_quiet ceiling
	mkdir -p "$OUT/ceiling"
	SEARCH_LOG=$OUT/ceiling/search.txt
	: >"$SEARCH_LOG"
	log "ceiling: sipp REFER -> sipp 202, $CEIL_TRIAL_S s trials from $CEIL_START/s"
	search ceil_trial "$CEIL_TRIAL_S" "$CEIL_START" "$CEIL_MAX"
	CEILING=$SEARCH_RESULT
	log "ceiling: $CEILING REFER/s"
}

phase_throughput() {
	local rate lo=0 hi=0 n=0
	wait_quiet throughput-search
	mkdir -p "$OUT/throughput"
	rm -f "$OUT/throughput/confirm.txt"
	SEARCH_LOG=$OUT/throughput/search.txt
	: >"$SEARCH_LOG"
	log "throughput: $TRIAL_S s trials from $START_RATE/s"
	search agent_trial "$TRIAL_S" "$START_RATE" "$MAX_RATE"
	THROUGHPUT=$SEARCH_RESULT
	log "throughput: short trials pass up to $THROUGHPUT/s"
	[ "$THROUGHPUT" -gt 0 ] || return 0
	# Confirmation at the rate found.  Short trials end before NTA's
	# Timer J (32 s) starts dropping answered transactions, so a long run
	# can fail where they passed: then search again with long runs, down
	# by 30 % until one passes, then bisecting to CONFIRM_PRECISION,
	# CONFIRM_MAX long runs at most.
	rate=$THROUGHPUT
	while [ $n -lt "$CONFIRM_MAX" ]; do
		n=$((n + 1))
		wait_quiet "confirm-$rate"
		log "throughput: confirming $rate/s for $CONFIRM_S s"
		PROFILE=$PERF_PROFILE agent_trial "$rate" "$CONFIRM_S"
		echo "$LAST_LINE" >>"$OUT/throughput/confirm.txt"
		case $LAST_LINE in
		*" pass "*)
			lo=$rate
			CONFIRM_LINE=$LAST_LINE
			CONFIRM_DIR=$OUT/throughput/r$rate-s$CONFIRM_S
			;;
		*)
			hi=$rate
			FAIL_DIR=$OUT/throughput/r$rate-s$CONFIRM_S
			[ -z "$CONFIRM_LINE" ] && FAIL_LINE=$LAST_LINE
			;;
		esac
		[ $hi -eq 0 ] && break
		if [ $lo -eq 0 ]; then
			rate=$((rate * 7 / 10 / 10 * 10))
			[ $rate -ge 10 ] || break
		else
			[ $((hi - lo)) -le $((lo * CONFIRM_PRECISION / 100)) ] && break
			rate=$(((lo + hi) / 20 * 10))
			[ $rate -le $lo ] && break
		fi
	done
	[ $lo -gt 0 ] && CONFIRMED=$lo
	return 0
}

# scale_step N MAX: N ringing transfers against a fresh agent.
SCALE_LINES=
MEDIA_LINES=
scale_step() {
	local n=$1 d tp rp tpid rpid secs t0 lim i=0 c ns ramp idle hidle
	local rss hwm heap rss2=- heap2=- rss3=- fail retr line
	d=$OUT/scale/n$n
	rm -rf "$d"
	mkdir -p "$d"
	agent_start "$d"
	sleep 1
	idle=$(status_kb $AGENT_PID VmRSS)
	hidle=$(heap_in_use $AGENT_PID "$d/agent.log")
	port tp
	port rp
	secs=$((n / SCALE_RATE + 120 + SETTLE_S))
	sipp_bg "$d/target" $secs -sf "$SCEN/target_ring.xml" -p "$tp" \
		-l $((n + 5000))
	tpid=$SIPP_PID
	wait_udp "$tp" || die "target sipp did not start"
	t0=$(now)
	sipp_bg "$d/referer" $secs -sf "$SCEN/referer.xml" \
		"127.0.0.1:$AGENT_PORT" -p "$rp" -key target_port "$tp" \
		-r "$SCALE_RATE" -m "$n" -l $((n + 5000))
	rpid=$SIPP_PID
	# until all N are calling and both NOTIFYs (100, 180) of each were sent
	lim=$(((n / SCALE_RATE + 60) * 10))
	while :; do
		c=$(metric sta_transfers_calling)
		ns=$(metric sta_notifies_sent_total)
		[ "${c:-0}" -ge "$n" ] && [ "${ns:-0}" -ge $((2 * n)) ] && break
		i=$((i + 1))
		if [ $i -ge $lim ]; then
			log "scale $n: only ${c:-?} calling, ${ns:-?} NOTIFYs after $((lim / 10)) s"
			break
		fi
		sleep 0.1
	done
	ramp=$(elapsed "$t0" "$(now)")
	sleep 2
	c=$(metric sta_transfers_calling)
	rss=$(status_kb $AGENT_PID VmRSS)
	hwm=$(status_kb $AGENT_PID VmHWM)
	heap=$(heap_in_use $AGENT_PID "$d/agent.log")
	if [ "$n" -eq "$2" ] && [ "$SETTLE_S" -gt 0 ]; then
		log "scale $n: settling $SETTLE_S s (NTA Timer J)"
		sleep "$SETTLE_S"
		rss2=$(status_kb $AGENT_PID VmRSS)
		heap2=$(heap_in_use $AGENT_PID "$d/agent.log")
		# what returning free heap pages to the kernel would give
		if command -v gdb >/dev/null 2>&1; then
			timeout 60 gdb -p $AGENT_PID -batch \
				-ex 'call (int)malloc_trim(0)' >/dev/null 2>&1 </dev/null
			rss3=$(status_kb $AGENT_PID VmRSS)
		fi
	fi
	fail=$(sipp_stat "$d/referer.csv" 'FailedCall(C)')
	retr=$(sipp_stat "$d/referer.csv" 'Retransmissions(C)')
	http_get "$METRICS_URL" >"$d/metrics.txt" 2>/dev/null
	stop_pid $rpid 5
	stop_pid $tpid 5
	stop_pid $AGENT_PID 20
	line="$n ${c:-0} $idle $rss $hwm $hidle $heap $rss2 $heap2 $ramp $fail $retr $rss3"
	echo "$line" >"$d/summary.txt"
	SCALE_LINES="$SCALE_LINES$line
"
	log "scale $n: calling ${c:-?}, VmRSS idle $idle kB -> $rss kB (peak $hwm kB), heap in use $hidle -> $heap B, settled: RSS $rss2 kB, heap $heap2 B, RSS after malloc_trim $rss3 kB; ramp $ramp s"
}

phase_scale() {
	local n max=0
	wait_quiet scale
	mkdir -p "$OUT/scale"
	for n in $SCALE; do [ "$n" -gt $max ] && max=$n; done
	for n in $SCALE; do scale_step "$n" $max; done
}

# batch NAME DIR: CG_N transfers at CG_RATE/s against the running agent
# (targets as in the throughput runs); waits until every transfer is over.
# Sets BATCH_OK (successful referer calls) and BATCH_S (seconds).
batch() {
	local d=$2 tp rp tpid t0 secs i=0
	port tp
	port rp
	secs=$((CG_N / CG_RATE + 120))
	sipp_bg "$d/$1-target" $secs -sf "$SCEN/target_answer.xml" -p "$tp" \
		-d "$HOLD_MS" -m "$CG_N"
	tpid=$SIPP_PID
	wait_udp "$tp" || die "target sipp did not start"
	t0=$(now)
	sipp_bg "$d/$1-referer" $secs -sf "$SCEN/referer.xml" \
		"127.0.0.1:$AGENT_PORT" -p "$rp" -key target_port "$tp" \
		-r "$CG_RATE" -m "$CG_N" -recv_timeout 60000
	wait_pid $SIPP_PID
	wait_gone $tpid 300
	stop_pid $tpid 5
	while [ "$(metric sta_transfers_active)" != 0 ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	BATCH_S=$(elapsed "$t0" "$(now)")
	BATCH_OK=$(sipp_stat "$d/$1-referer.csv" 'SuccessfulCall(C)')
}

CG_IR=- CG_IDLE=- CG_PER=- CG_TOP= PERF_NOTE=
phase_cost() {
	local d=$OUT/cost vpid tb t1 ti
	wait_quiet cost
	rm -rf "$d"
	mkdir -p "$d"
	if ! command -v valgrind >/dev/null 2>&1 ||
		! command -v callgrind_control >/dev/null 2>&1; then
		log "cost: valgrind/callgrind_control not found: skipped"
		CG_TOP="(valgrind not found)"
		return 0
	fi
	agent_start "$d" valgrind --tool=callgrind \
		--callgrind-out-file="$d/callgrind.out"
	vpid=$AGENT_PID
	callgrind_control -z $vpid >"$d/control.txt" 2>&1 ||
		die "callgrind_control -z failed: $(cat "$d/control.txt")"
	batch batch "$d"
	tb=$BATCH_S
	callgrind_control --dump=batch $vpid >>"$d/control.txt" 2>&1
	callgrind_control -z $vpid >>"$d/control.txt" 2>&1
	t1=$(now)
	sleep "$tb"
	ti=$(elapsed "$t1" "$(now)")
	callgrind_control --dump=idle $vpid >>"$d/control.txt" 2>&1
	stop_pid $vpid 60
	if [ ! -f "$d/callgrind.out.1" ] || [ ! -f "$d/callgrind.out.2" ]; then
		log "cost: callgrind dumps missing"
		CG_TOP="(callgrind dumps missing)"
		return 0
	fi
	CG_IR=$(awk '/^(summary|totals):/ { print $2; exit }' "$d/callgrind.out.1")
	CG_IDLE=$(awk '/^(summary|totals):/ { print $2; exit }' "$d/callgrind.out.2")
	CG_PER=$(awk -v b="$CG_IR" -v i="$CG_IDLE" -v tb="$tb" -v ti="$ti" \
		-v n="$BATCH_OK" 'BEGIN { if (n > 0) printf "%.0f", (b - i * tb / ti) / n; else print "-" }')
	# A dump taken while the event loop runs records the calls still on
	# the stack (main -> su_root_run -> ...) as "calls=0", and
	# callgrind_annotate 3.19 then books their whole inclusive cost as the
	# caller's self cost; counting them as 1 call keeps self costs right.
	sed 's/^calls=0 /calls=1 /' "$d/callgrind.out.1" >"$d/batch.callgrind"
	callgrind_annotate --inclusive=no "$d/batch.callgrind" >"$d/annotate.txt" 2>&1
	CG_TOP=$(awk '/file:function/ { go = 1; getline; next }
		go && NF >= 3 && n < 10 { n++; print }' "$d/annotate.txt")
	echo "batch $CG_IR idle $CG_IDLE batch_s $tb idle_s $ti ok $BATCH_OK per_transfer $CG_PER" \
		>"$d/summary.txt"
	log "cost: $BATCH_OK transfers, $CG_IR Ir (idle $CG_IDLE in $ti s): $CG_PER instructions per transfer"

	if ! command -v perf >/dev/null 2>&1; then
		PERF_NOTE="perf is not installed"
	elif perf stat -x, -e instructions:u true 2>&1 >/dev/null |
		grep -q 'not supported\|not counted'; then
		PERF_NOTE="perf stat -e instructions:u: not supported on this machine (no hardware counters)"
	else
		phase_perf
	fi
}

# perf stat -e instructions:u on the native agent: idle, then a batch.
phase_perf() {
	local d=$OUT/cost/perf span ppid pi pb
	mkdir -p "$d"
	agent_start "$d"
	span=$((CG_N / CG_RATE + 5))
	timeout $((span + 10)) perf stat -x, -e instructions:u -p $AGENT_PID \
		-o "$d/idle.csv" -- sleep $span >/dev/null 2>&1
	timeout $((span + 10)) perf stat -x, -e instructions:u -p $AGENT_PID \
		-o "$d/batch.csv" -- sleep $span >/dev/null 2>&1 &
	ppid=$!
	track $ppid
	batch perf "$d"
	wait_pid $ppid
	stop_pid $AGENT_PID 15
	pi=$(awk -F, '/instructions/ { print $1; exit }' "$d/idle.csv")
	pb=$(awk -F, '/instructions/ { print $1; exit }' "$d/batch.csv")
	PERF_NOTE=$(awk -v b="$pb" -v i="$pi" -v n="$BATCH_OK" 'BEGIN {
		if (b + 0 > 0 && n > 0)
			printf "perf stat -e instructions:u: %.0f per transfer (batch %s, idle %s, %d transfers)", (b - i) / n, b, i, n
		else print "perf stat -e instructions:u: no count" }')
}

# ---- run ---------------------------------------------------------------------------
START_DATE=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
COMMIT=$(git -C "$top_srcdir" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] &&
	! git -C "$top_srcdir" --no-optional-locks diff --quiet HEAD -- src 2>/dev/null; then
	COMMIT="$COMMIT (src/ has uncommitted changes)"
fi
# media_run MODE: MEDIA_CALLS held calls against a fresh agent with
# media.mode MODE; appends "MODE calls up idle_cpu_pct cpu_pct per_call_pct
# failed" to MEDIA_LINES.
media_run() {
	local d=$OUT/media/$1 up c0 c1 i0 i1 pct idle per fail sp i=0
	rm -rf "$d"
	mkdir -p "$d"
	MEDIA_MODE=$1
	agent_start "$d"
	MEDIA_MODE=silence
	sleep 1
	i0=$(cpu_s $AGENT_PID)
	sleep "$MEDIA_MEASURE_S"
	i1=$(cpu_s $AGENT_PID)
	port sp
	sipp_bg "$d/uac" $((MEDIA_CALLS / 50 + MEDIA_HOLD_S + 60)) \
		-sf "$SCEN/held_call.xml" "127.0.0.1:$AGENT_PORT" -p "$sp" \
		-d $((MEDIA_HOLD_S * 1000)) -r 50 -m "$MEDIA_CALLS" \
		-l "$MEDIA_CALLS"
	# every call up: the ramp at 50/s, then 2 s more
	sleep $((MEDIA_CALLS / 50 + 2))
	up=$(sipp_stat "$d/uac.csv" CurrentCall)
	c0=$(cpu_s $AGENT_PID)
	sleep "$MEDIA_MEASURE_S"
	c1=$(cpu_s $AGENT_PID)
	wait_pid $SIPP_PID
	fail=$(sipp_stat "$d/uac.csv" 'FailedCall(C)')
	stop_pid $AGENT_PID 20
	idle=$(awk -v a="$i0" -v b="$i1" -v s="$MEDIA_MEASURE_S" 'BEGIN { printf "%.2f", (b - a) * 100 / s }')
	pct=$(awk -v a="$c0" -v b="$c1" -v s="$MEDIA_MEASURE_S" 'BEGIN { printf "%.2f", (b - a) * 100 / s }')
	per=$(awk -v p="$pct" -v i="$idle" -v n="${up:-0}" 'BEGIN { if (n > 0) printf "%.4f", (p - i) / n; else print "-" }')
	MEDIA_LINES="$MEDIA_LINES$1 $MEDIA_CALLS ${up:-0} $idle $pct $per ${fail:-?}
"
	log "media $1: ${up:-?} calls up, agent CPU $pct % (idle $idle %), $per % per call, failed ${fail:-?}"
}

phase_media() {
	wait_quiet media
	mkdir -p "$OUT/media"
	media_run silence
	media_run none
}

agent_id() {
	echo "$AGENT, built $(date -u -r "$AGENT" '+%Y-%m-%d %H:%M:%S UTC'), sha256 $(sha256sum "$AGENT" | cut -c1-16)"
}
AGENT_ID="$(agent_id)${AGENT_WRAPPER:+, run under: $AGENT_WRAPPER}"
for _p in $PHASES; do
	case $_p in
	ceiling | throughput | scale | cost | media) "phase_$_p" ;;
	*) die "unknown phase $_p (ceiling throughput scale cost media)" ;;
	esac
done

# ---- report ------------------------------------------------------------------------
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
GUARD=$(awk '$1 == "#define" && $2 == "PACER_GUARD_MS" { print $3; exit }' \
	"$top_srcdir/src/pacer.h" 2>/dev/null)
GUARD=${GUARD:-5}
case $AGENT_ID in
"$(agent_id)"*) ;;
*) AGENT_ID="$AGENT_ID (REBUILT DURING THE RUN, now: $(agent_id); figures may mix two builds)" ;;
esac
SIPPV=$("$SIPP" -v 2>&1 | awk '/SIPp v/ { print $2; exit }')

# figures, with "-" where a phase did not run
field() { echo "$1" | awk -v k="$2" '{ print (NF >= k) ? $k : "-" }'; }
ok_if() { if awk "BEGIN { exit !($1) }" 2>/dev/null; then echo met; else echo "NOT met"; fi; }

PACING_NOTE="the confirmed ${CONFIRM_S} s run"
if [ -z "$CONFIRM_LINE" ] && [ -n "$FAIL_LINE" ]; then
	CONFIRM_LINE=$FAIL_LINE
	CONFIRM_DIR=$FAIL_DIR
	PACING_NOTE="a FAILED ${CONFIRM_S} s run (none passed)"
fi
C_BELOW=$(field "$CONFIRM_LINE" 11)
C_MIN=$(field "$CONFIRM_LINE" 12)
C_P50=$(field "$CONFIRM_LINE" 13)
C_P99=$(field "$CONFIRM_LINE" 14)
C_MAX=$(field "$CONFIRM_LINE" 15)
C_RTT=$(field "$CONFIRM_LINE" 10)
C_RETR=$(field "$CONFIRM_LINE" 8)
C_CPU=$(field "$CONFIRM_LINE" 16)
C_RCPU=$(field "$CONFIRM_LINE" 18)
C_TCPU=$(field "$CONFIRM_LINE" 19)
C_RSS_LINE=-
if [ -n "${CONFIRM_DIR:-}" ] && [ -s "$CONFIRM_DIR/rss.txt" ]; then
	C_RSS_LINE=$(awk 'NF == 2 && $2 != "" { printf "%s%d s: %.0f", sep, $1, $2 * 1024 / 1e6; sep = ", " }
		END { print " MB" }' "$CONFIRM_DIR/rss.txt")
fi
C_HWM=$(field "$CONFIRM_LINE" 17)
[ "$C_HWM" != - ] && C_HWM=$(awk -v k="$C_HWM" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')
RATIO=-
GOAL_RATE=1000
if [ "$CEILING" != - ] && [ "$CEILING" -gt 0 ] 2>/dev/null; then
	[ $((CEILING / 2)) -lt $GOAL_RATE ] && GOAL_RATE=$((CEILING / 2))
	[ "$CONFIRMED" != - ] &&
		RATIO=$(awk -v a="$CONFIRMED" -v b="$CEILING" 'BEGIN { printf "%.3f", a / b }')
fi
# the largest scale step
BIG_N=- BIG_RSS=- BIG_PER=- BIG_HWM=-
if [ -n "$SCALE_LINES" ]; then
	set -- $(echo "$SCALE_LINES" | sort -n | tail -n 1)
	BIG_N=$1
	BIG_RSS=$(awk -v k="$4" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')
	BIG_HWM=$(awk -v k="$5" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')
	BIG_PER=$(((($4 - $3) * 1024) / $1))
fi

if [ "$CONFIRMED" != - ]; then
	V_RATE=$(ok_if "$CONFIRMED >= $GOAL_RATE")
else
	V_RATE="NOT met (no rate confirmed)"
fi
[ "$C_BELOW" != - ] && V_GAP=$(ok_if "$C_BELOW == 0") || V_GAP=-
[ "$C_P99" != - ] && V_P99=$(ok_if "$C_P99 <= 20") || V_P99=-
[ "$BIG_N" = 20000 ] && V_MEM=$(ok_if "$BIG_HWM <= 300") || V_MEM=-

TABLE=$(cat <<EOF
| figure | value | goal | verdict |
|---|---|---|---|
| sipp ceiling, REFER -> 202/s (sipp UAS, 0 failed) | $CEILING | (reference) | |
| agent throughput, short trials (${TRIAL_S} s, 0 failed) | $THROUGHPUT /s | | |
| agent throughput, confirmed ${CONFIRM_S} s (0 failed) | $CONFIRMED /s | >= $GOAL_RATE /s (1000, or half the ceiling if lower) | $V_RATE |
| ratio agent / sipp ceiling | $RATIO | | |
| REFER -> 202 mean response time (confirm run) | $C_RTT ms | | |
| REFER retransmissions by the referer (confirm run) | $C_RETR | | |
| agent CPU during the confirm run (100 % = one core) | $C_CPU % | | |
| referer sipp / target sipp CPU during the confirm run | $C_RCPU % / $C_TCPU % | (same 2 cores) | |
| agent peak RSS during the confirm run | $C_HWM MB | | |
| agent VmRSS during the confirm run, every 5 s | $C_RSS_LINE | | |
| NOTIFY gaps below ${INTERVAL} ms ($PACING_NOTE) | $C_BELOW | 0 | $V_GAP |
| smallest NOTIFY gap, all subscriptions | $C_MIN ms | >= $INTERVAL ms | |
| final NOTIFY lateness after its window, p50 | $C_P50 ms | | |
| final NOTIFY lateness after its window, p99 | $C_P99 ms | <= 20 ms | $V_P99 |
| final NOTIFY lateness after its window, max | $C_MAX ms | (SPEC: 50 ms) | |
| VmRSS with $BIG_N ringing transfers | $BIG_RSS MB (peak $BIG_HWM MB) | <= 300 MB at 20,000 | $V_MEM |
| bytes per ringing transfer ((RSS_N - RSS_idle) / N, N = $BIG_N) | $BIG_PER | | |
| instructions per complete transfer (callgrind, $CG_N at $CG_RATE/s) | $CG_PER | | |
| agent CPU per held call, media.mode silence (50 RTP packets/s) | $M_PER % of a core | | |
| held calls with media one core carries (extrapolated) | $M_MAX | | |
EOF
)

perf_top() {
	if [ -n "$1" ] && [ -s "$1/perf.data" ]; then
		perf report -i "$1/perf.data" --stdio --no-children \
			--sort dso,sym -g none 2>/dev/null | grep -v '^#' |
			grep '%' | head -n 15
	else
		echo "(no perf cpu-clock profile)"
	fi
}
# media: silence per call, and what one core carries at that cost
M_PER=- M_MAX=-
M_SIL=$(echo "$MEDIA_LINES" | awk '$1 == "silence"')
if [ -n "$M_SIL" ]; then
	M_PER=$(field "$M_SIL" 6)
	M_MAX=$(awk -v p="$M_PER" 'BEGIN { if (p + 0 > 0) printf "%d", 100 / p; else print "-" }')
fi
MEDIA_TABLE=$(echo "$MEDIA_LINES" | awk 'NF >= 7 {
	printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }')
PERF_TOP=$(perf_top "$CONFIRM_DIR")
PERF_FAIL_TOP=$(perf_top "$FAIL_DIR")

SCALE_TABLE=$(echo "$SCALE_LINES" | awk 'NF >= 12 {
	per = ($4 - $3) * 1024 / $1
	hper = ($6 != "-" && $7 != "-") ? sprintf("%.0f", ($7 - $6) / $1) : "-"
	h2 = ($9 != "-" && $6 != "-") ? sprintf("%.0f", ($9 - $6) / $1) : "-"
	printf "| %d | %d | %.1f | %.1f | %.1f | %.0f | %s | %s | %s | %s | %s | %d | %d |\n",
	    $1, $2, $3 * 1024 / 1e6, $4 * 1024 / 1e6, $5 * 1024 / 1e6, per, hper,
	    ($8 == "-") ? "-" : sprintf("%.1f", $8 * 1024 / 1e6), h2,
	    ($13 == "-" || $13 == "") ? "-" : sprintf("%.1f", $13 * 1024 / 1e6),
	    $10, $11, $12 }')

THR_TABLE=$(cat "$OUT/throughput/search.txt" "$OUT/throughput/confirm.txt" 2>/dev/null |
	awk 'NF >= 17 { printf "| %s | %s | %s | %s/%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %s | %s |\n",
	    $1, $3 / $1, $2, $4, $3, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 * 1024 / 1e6, ($18 == "") ? "-" : $18, ($19 == "") ? "-" : $19 }')
CEIL_TABLE=$(awk 'NF >= 9 { printf "| %s | %s | %s/%s | %s | %s | %s |\n", $1, $2, $4, $3, $5, $8, $9 }' \
	"$OUT/ceiling/search.txt" 2>/dev/null)

{
	cat <<EOF
# sip-transfer-agent benchmark results

Written by \`bench/run.sh\` (\`make bench\`); raw files of each run in
\`bench/out/\`.  Loopback only, UDP, \`transfer.notify_interval\` = $INTERVAL ms,
\`log.level\` = "error", sipp -buff_size $BUFF.

## Machine

- date: $START_DATE
- nproc: $(nproc), CPU: $CPU
- kernel: $(uname -r)
- agent commit: $COMMIT; binary $AGENT_ID
- sipp: $SIPPV
- load (1-minute, at the start of each phase; goal < $QUIET_LOAD): $LOADS

The agent, the referer sipp and the target sipp share these $(nproc) CPUs
(other engineers' runs too when the load above is not quiet).

## Figures vs goals

$TABLE

## Throughput trials (agent)

Each trial: a fresh agent, \`bench/sipp/referer.xml\` at the rate for the
duration, targets \`bench/sipp/target_answer.xml\` (180 and 200 at once,
BYE $HOLD_MS ms after the ACK).  Pass = sipp exit 0, 0 failed
calls in both sipps, every call successful and every final NOTIFY
\`SIP/2.0 200 OK\`, and no backlog: the referer done within $LAG_S s
after its last REFER (wall <= duration + $LAG_S s; a call lasts about 1 s).  Gaps and lateness are measured on the referer
(gettimeofday at each NOTIFY's receive); lateness = final's receive time -
(previous NOTIFY's receive time + $INTERVAL ms); the agent itself opens the
window $INTERVAL + $GUARD ms after the previous NOTIFY (PACER_GUARD_MS in
src/pacer.h) and arms its timer 1 ms later, so about $((GUARD + 1)) ms is the
floor.  Rows with
s = $CONFIRM_S are the long (confirmation) runs.  A receive-side stall of
the referer sipp (a NOTIFY read late, the next on time) makes a gap look
shorter than the agent sent it; the lateness max shows how late the
referer reads under that load.  A handful of gaps a few ms below
$INTERVAL ms beside a min gap far above it elsewhere is the referer's
jitter: check on the wire (kernel receive timestamps) before blaming the
agent, which cannot send before previous + $INTERVAL + $GUARD ms.

| rate/s | s | verdict | ok/calls | failed | target failed | finals 200 | REFER retrans | wall s | REFER->202 ms (mean) | gaps < ${INTERVAL} ms | min gap ms | late p50 ms | late p99 ms | late max ms | agent CPU % | agent peak RSS MB | referer sipp CPU % | target sipp CPU % |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$THR_TABLE

## sipp ceiling trials (sipp REFER -> sipp UAS 202, ${CEIL_TRIAL_S} s each)

| rate/s | verdict | ok/calls | failed | retrans | wall s |
|---|---|---|---|---|---|
$CEIL_TABLE

## Scale: ringing transfers (target answers 180, never a final)

Ramp at $SCALE_RATE REFER/s, one fresh agent per step; memory read 2 s
after all N are calling and both NOTIFYs (100, 180) of each were sent.
Heap = glibc malloc_stats() "in use" bytes through gdb (- without gdb);
"settled" = again $SETTLE_S s later (largest step only), once NTA has
dropped the answered REFER transactions (Timer J, 32 s) and completed
NOTIFY transactions; glibc keeps the freed pages, so RSS stays at the peak
until \`malloc_trim(0)\` (called through gdb, last column) returns them.

| N | calling | RSS idle MB | RSS MB | peak MB | RSS B/transfer | heap B/transfer | RSS settled MB | heap settled B/transfer | RSS settled + malloc_trim MB | ramp s | failed | retrans |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
$SCALE_TABLE

## Cost (callgrind)

$CG_N transfers at $CG_RATE/s against the agent under callgrind (same
targets as the throughput runs); counters zeroed before the batch, dumped
when every transfer was over, then zeroed and dumped again after as long
idle.  Batch $CG_IR Ir, idle $CG_IDLE Ir: **$CG_PER instructions per
complete transfer** (REFER, 202, 2 NOTIFYs, INVITE, 180, 200, ACK, BYE
and their answers).  $PERF_NOTE.

Top 10 functions by self cost (\`callgrind_annotate --inclusive=no\`;
Sofia-SIP's static functions show as addresses, Debian ships no symbols
for them):

\`\`\`
$CG_TOP
\`\`\`

## Media: CPU per held call

$MEDIA_CALLS calls to the agent (\`bench/sipp/held_call.xml\`: INVITE with a
PCMU offer, ACK, hold $MEDIA_HOLD_S s, BYE) at 50 calls/s, one fresh agent
per media.mode.  The agent's user + system CPU (/proc/PID/stat) over
$MEDIA_MEASURE_S s once every call is up, minus its idle CPU over as long
before the calls; per call = (CPU - idle) / calls up.  With "silence"
every call sends 50 RTP packets/s (and an RTCP report every 5 s) from one
shared 20 ms timer; "none" is the same calls with SDP only.  Calls one
core carries = 100 % / CPU per call, an extrapolation (the event loop is
one thread; SIP for new calls needs room too).

| media.mode | calls | up | idle CPU % | CPU % | CPU % per call | failed |
|---|---|---|---|---|---|---|
$MEDIA_TABLE

## Where the agent spends its CPU under load (perf)

\`perf record -e cpu-clock\` (software sampling, 499 Hz, 10 s) of the agent
a third into each ${CONFIRM_S} s run; self time, kernel included.  Costs
that grow with the number of live transfers or retained transactions show
here and not in the callgrind batch at $CG_RATE/s.

At the confirmed rate (${CONFIRMED}/s):

\`\`\`
$PERF_TOP
\`\`\`

At the lowest rate whose ${CONFIRM_S} s run failed (${FAIL_DIR##*/r}):

\`\`\`
$PERF_FAIL_TOP
\`\`\`
EOF
} >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"

echo
echo "sip-transfer-agent benchmark ($START_DATE, $(nproc) CPUs, $CPU, commit $COMMIT)"
echo "$TABLE" | awk -F'|' 'NR != 2 { printf "%-66s %-28s %-34s %s\n", $2, $3, $4, $5 }'
echo
echo "top functions (callgrind, self Ir):"
echo "$CG_TOP"
echo
echo "top functions under load (perf cpu-clock, confirm run):"
echo "$PERF_TOP"
echo
echo "load: $LOADS"
echo "written: $RESULTS (raw files: $OUT)"
