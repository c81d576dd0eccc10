#!/bin/sh
# bench/run.sh - the goals of issue #15, measured: transfers per second and
# NOTIFY pacing under load, memory (ringing, steady, per finished
# transfer), instructions per transfer, behaviour under overload.
#
#   make bench            (or: sh bench/run.sh, after `make`)
#
# Everything runs on 127.0.0.1 with free ports; each agent and sipp the
# script starts is bounded by timeout(1) or a poll limit and is stopped by
# its PID (never by name), also on ^C.  Every agent runs the shipped
# conf/sip-transfer-agent.conf (log.level as shipped) with only listen,
# sdp_file and the per-source/active limits changed for one load source,
# plus metrics and a control socket of its own (agent_conf; RESULTS.md
# shows the diff).  Prints a table and writes bench/RESULTS.md, with
# throughput.svg, rss.svg and gaps.svg beside it when gnuplot is there;
# the raw files of every run are kept in bench/out/ (sipp logs, stat CSVs,
# agent logs and configs, callgrind dumps).
#
# Phases (BENCH_PHASES, default all eight, in this order):
#   ceiling     sipp's own REFER -> 202 rate against a sipp UAS answering
#               202 (bench/sipp/ceiling_*.xml): the highest rate with 0
#               failed calls, found by doubling then bisecting short trials.
#   throughput  (goal 1) the highest rate of out-of-dialog REFERs the agent
#               sustains with 0 failed transfers (a REFER not answered 202,
#               a final NOTIFY other than "SIP/2.0 200 OK", any failed call
#               or timeout in either sipp), and no backlog (every call over
#               within BENCH_LAG_S of the last REFER); targets answer 180
#               and 200 at once, and BYE BENCH_HOLD_MS after the ACK.
#               Short trials (doubling, then bisecting), then a
#               confirmation run of BENCH_CONFIRM_S at the rate found; when
#               it fails (NTA state builds up for 32 s, longer than a short
#               trial), long runs go on down by 30 % and bisect, at most
#               BENCH_CONFIRM_MAX of them.  The passing confirmation run
#               also gives the pacing figures (and a perf cpu-clock
#               profile of the agent): per subscription every NOTIFY gap
#               (gaps.svg) and the smallest, and the final NOTIFY's
#               lateness after its window (previous NOTIFY +
#               notify_interval), from the referer's gettimeofday receive
#               stamps.  Goal: >= 5,000/s for BENCH_CONFIRM_S (60) s, 0
#               gaps < notify_interval, lateness p99 <= 20 ms.
#   overload    (goal 4) per factor in BENCH_OVERLOAD_FACTORS, a fresh
#               agent offered factor x capacity REFERs/s for
#               BENCH_OVERLOAD_S s; capacity = BENCH_CAPACITY, else the
#               rate the throughput phase confirmed, else 5,000.  Every
#               REFER must be answered, 202 or 503 with Retry-After, before
#               the referer's first retransmission (500 ms): answers,
#               retransmissions and answer times from the referer's log;
#               transfers completed/s >= 90 % of capacity; peak RSS; and
#               the time back to full service of a probe referer offering
#               BENCH_PROBE_PCT % of capacity for BENCH_PROBE_S s from the
#               moment the overload stops.
#   allocator   (goal 4's lever; not in the default phases) the x2
#               overload run of phase overload with a probe of
#               BENCH_ALLOC_PROBE_S (60) s, past the Timer J of what the
#               overload left, BENCH_ALLOC_RUNS (2) times in alternation
#               for the agent as built and for the same binary on glibc's
#               malloc (LD_PRELOAD=libc.so.6 puts glibc's malloc first):
#               time back to full service, good probe transfers, and the
#               agent's CPU over the probe (/proc/PID/stat).  It runs the
#               agent under no BENCH_AGENT_WRAPPER.
#   steady      (goal 2) BENCH_STEADY_RATE (1,000) REFERs/s for
#               BENCH_STEADY_S (60) s, VmRSS every second: steady RSS =
#               mean and max from BENCH_STEADY_FROM (35) s, <= 300 MB; heap
#               per finished transfer = (heap BENCH_SETTLE_S s after the
#               last transfer - heap idle) / transfers, <= 4 kB (see
#               heap_in_use for how the heap is read whatever the
#               allocator).
#   scale       (goal 2) VmRSS of the agent with N concurrent transfers
#               whose target keeps ringing (bench/sipp/target_ring.xml), N
#               in BENCH_SCALE, one fresh agent per step (invite_timeout
#               raised); its open fds and heap too, and for the largest
#               step RSS and heap again after BENCH_SETTLE_S (NTA keeps
#               answered REFER transactions for Timer J, 32 s on UDP).
#               Goal: <= 300 MB at 20,000.
#   cost        (goal 3) the agent under valgrind --tool=callgrind:
#               counters zeroed, a batch of BENCH_CG_N transfers at
#               BENCH_CG_RATE/s, dump; zeroed again, as long idle, dump;
#               instructions per transfer = (batch - idle) / N, <= 250,000,
#               and the top 10 functions by self cost.  Also perf stat -e
#               instructions:u when the machine has it.
#   media       CPU per held call with RTP on: BENCH_MEDIA_CALLS calls to
#               the agent (bench/sipp/held_call.xml, PCMU) held
#               BENCH_MEDIA_HOLD_S s each, once with media.mode "silence"
#               (50 RTP packets/s per call, RTCP) and once with "none"
#               (SDP only); the agent's user + system CPU from /proc over
#               BENCH_MEDIA_MEASURE_S s once every call is up, minus its
#               idle CPU, per call; and the calls one core would carry
#               (1 / CPU per call: an extrapolation, the loop is single
#               threaded).
#   floor       the bare NTA floor: bench/nta_floor (bench/nta_floor.c,
#               built by make bench), the agent's wire flow with nothing
#               but Sofia-SIP's NTA, measured by the phases of
#               BENCH_FLOOR_PARTS (cost, scale at the largest step of
#               BENCH_SCALE only, steady, throughput) exactly as the agent
#               is; RESULTS.md sets the two side by side per goal, with
#               the floor's Sofia-SIP functions by inclusive instructions
#               per transfer and its heap per ringing transfer.  A goal
#               the floor misses is out of reach of any agent on NTA.
#
# Settings (environment): BENCH_PHASES, BENCH_TRIAL_S (10), BENCH_CONFIRM_S
# (60), BENCH_START_RATE (250), BENCH_MAX_RATE (64000), BENCH_PRECISION (5,
# percent: bisection stops when the bracket is that narrow),
# BENCH_CEIL_TRIAL_S (5), BENCH_CEIL_START (5000), BENCH_CEIL_MAX (320000),
# BENCH_HOLD_MS (100),
# BENCH_LAG_S (3: a throughput trial also fails when its calls end more
# than this long after its last REFER, i.e. a backlog built up),
# BENCH_CONFIRM_MAX (5), BENCH_CONFIRM_PRECISION (10, percent),
# BENCH_CAPACITY (overload: the capacity to multiply; default the confirmed
# rate), BENCH_OVERLOAD_FACTORS ("2 4"), BENCH_OVERLOAD_S (30),
# BENCH_PROBE_PCT (50), BENCH_PROBE_S (30), BENCH_PROBE_OK_MS (3000: a probe
# transfer is good when it got 202 and completed within this),
# BENCH_ALLOC_RUNS (2), BENCH_ALLOC_PROBE_S (60),
# BENCH_STEADY_RATE (1000), BENCH_STEADY_S (60), BENCH_STEADY_FROM (35),
# BENCH_SCALE ("1000 5000 20000"), BENCH_SCALE_RATE (1000), BENCH_SETTLE_S
# (35), BENCH_HEAP_METRIC (the agent's metric of its heap bytes; default the
# first sta_*heap*_bytes-like one it exposes, "none": read the allocator
# through gdb), BENCH_CG_N (300), BENCH_CG_RATE (20), BENCH_MEDIA_CALLS
# (500), BENCH_MEDIA_HOLD_S (30), BENCH_MEDIA_MEASURE_S (10),
# BENCH_LOG_LEVEL (overrides the shipped log.level, to compare; empty by
# default), BENCH_QUIET_LOAD (0.7), BENCH_QUIET_WAIT (0: seconds to wait,
# before each phase, for the 1-minute load average to fall below
# BENCH_QUIET_LOAD; the load is recorded either way), BENCH_OUT
# (bench/out), BENCH_RESULTS (bench/RESULTS.md; the SVGs go beside it),
# SIPP, BENCH_AGENT (the agent binary: compare another build),
# BENCH_AGENT_WRAPPER (a command it runs under, e.g. env LD_PRELOAD=...),
# BENCH_FLOOR (the floor binary; bench/nta_floor) and BENCH_FLOOR_PARTS
# ("cost scale steady throughput").
#
# A full run takes about 30-45 minutes on 2 cores: ceiling ~2, throughput
# 5-13 (short trials, then 1-5 confirmation runs of 60-120 s), overload
# 3-5, steady ~2, scale ~2, cost ~2, media ~2, floor 8-14 (its own
# throughput search and confirmation runs take most).
#
# Tools: sipp (sip-tester), curl or wget, iproute2 (ss); optional: gdb
# (heap figures), valgrind (cost), linux-perf (profiles), gnuplot-nox
# (plots).
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
FLOOR=${BENCH_FLOOR:-$top_builddir/bench/nta_floor}
SUT=agent			# what agent_start starts: agent, or floor
# BENCH_AGENT_WRAPPER: a command the agent runs under (not in the cost
# phase), e.g. "env LD_PRELOAD=/path/shim.so", to compare variants.
AGENT_WRAPPER=${BENCH_AGENT_WRAPPER:-}
SCEN=$top_srcdir/bench/sipp
OUT=${BENCH_OUT:-$top_builddir/bench/out}
RESULTS=${BENCH_RESULTS:-$top_srcdir/bench/RESULTS.md}
SDP=$top_srcdir/conf/offer.sdp
SHIPPED_CONF=$top_srcdir/conf/sip-transfer-agent.conf

PHASES=${BENCH_PHASES:-ceiling throughput overload steady scale cost media floor}
FLOOR_PARTS=${BENCH_FLOOR_PARTS:-cost scale steady throughput}
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
STEADY_RATE=${BENCH_STEADY_RATE:-1000}
STEADY_S=${BENCH_STEADY_S:-60}
STEADY_FROM=${BENCH_STEADY_FROM:-35}
CAPACITY=${BENCH_CAPACITY:-}
OVERLOAD_FACTORS=${BENCH_OVERLOAD_FACTORS:-2 4}
OVERLOAD_S=${BENCH_OVERLOAD_S:-30}
PROBE_PCT=${BENCH_PROBE_PCT:-50}
PROBE_S=${BENCH_PROBE_S:-30}
PROBE_OK_MS=${BENCH_PROBE_OK_MS:-3000}
ALLOC_RUNS=${BENCH_ALLOC_RUNS:-2}
ALLOC_PROBE_S=${BENCH_ALLOC_PROBE_S:-60}
LOG_LEVEL=${BENCH_LOG_LEVEL:-}	# empty: log.level as shipped
GOAL_RATE=5000			# complete transfers/s, issue #15
MEDIA_MODE=silence		# media.mode of the agents agent_start starts
QUIET_LOAD=${BENCH_QUIET_LOAD:-0.7}
QUIET_WAIT=${BENCH_QUIET_WAIT:-0}
# transfer.notify_interval (ms) as shipped
INTERVAL=$(awk '$1 == "notify_interval" && $2 == "=" { sub(/;.*/, "", $3); print $3; exit }' \
	"$SHIPPED_CONF" 2>/dev/null)
INTERVAL=${INTERVAL:-1000}
BUFF=4194304			# sipp -buff_size (shared notes: testing.md)

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
skip() { log "SKIP: $*"; exit 77; }

# ---- prerequisites ---------------------------------------------------------
[ -x "$AGENT" ] || die "$AGENT not built (run make)"
[ -f "$SDP" ] || die "$SDP missing"
[ -f "$SHIPPED_CONF" ] || die "$SHIPPED_CONF missing"
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
# set_traps: stop every tracked process on exit, and exit on a signal (a
# subshell starts with the default actions: phase_floor calls it again).
set_traps() {
	trap cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
set_traps

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
LAST_AGENT_DIR=
# agent_conf DIR SIP_PORT METRICS_PORT: DIR/agent.conf, the shipped
# conf/sip-transfer-agent.conf with only these changes: listen on
# SIP_PORT (UDP and TCP, as shipped), sdp_file = conf/offer.sdp, the
# per-source and active limits raised for one load source, media.mode
# when MEDIA_MODE is not the default, transfer.invite_timeout when
# CONF_INVITE_TIMEOUT is set (scale: targets ring longer than the default),
# log.level when BENCH_LOG_LEVEL is set; and appended: metrics on
# METRICS_PORT (the bench reads them) and the control socket in DIR.
agent_conf() {
	awk -v port="$2" -v sdp="$SDP" -v mode="$MEDIA_MODE" \
		-v inv="${CONF_INVITE_TIMEOUT:-}" -v level="$LOG_LEVEL" '
	/^listen = \[/ {
		printf "listen = [ \"sip:127.0.0.1:%s;transport=udp\",\n", port
		printf "           \"sip:127.0.0.1:%s;transport=tcp\" ];\n", port
		skip = !/\];/; seen["listen"]++; next
	}
	skip { if (/\];/) skip = 0; next }
	/^[[:blank:]]*max_active = [0-9]+;/ { sub(/= [0-9]+/, "= 1000000"); seen["max_active"]++ }
	/^[[:blank:]]*per_source_rate = [0-9]+;/ { sub(/= [0-9]+/, "= 100000"); seen["per_source_rate"]++ }
	/^[[:blank:]]*sdp_file = "/ { sub(/".*"/, "\"" sdp "\""); seen["sdp_file"]++ }
	/^[[:blank:]]*# mode = "silence";/ {
		seen["mode"]++
		if (mode != "silence") sub(/# mode = "silence"/, "mode = \"" mode "\"")
	}
	inv != "" && /^[[:blank:]]*invite_timeout = [0-9]+;/ { sub(/= [0-9]+/, "= " inv) }
	/^[[:blank:]]*level = "/ {
		seen["level"]++
		if (level != "") sub(/".*"/, "\"" level "\"")
	}
	{ print }
	END {
		n = split("listen max_active per_source_rate sdp_file mode level", k, " ")
		for (i = 1; i <= n; i++)
			if (seen[k[i]] != 1) {
				print "bench: " k[i] " not found once in the shipped config" >"/dev/stderr"
				exit 1
			}
	}' "$SHIPPED_CONF" >"$1/agent.conf" ||
		die "cannot derive a config from $SHIPPED_CONF (its shape changed?)"
	cat >>"$1/agent.conf" <<EOF

# added by bench/run.sh: the bench reads the metrics; each agent has a
# control socket of its own.
metrics = { listen = "127.0.0.1:$3"; };
control = { socket = "$1/control.sock"; };
EOF
}
# agent_start DIR [WRAPPER...]: the system under test (SUT): the agent on
# DIR/agent.conf (agent_conf), or with SUT=floor bench/nta_floor on
# conf/offer.sdp, its counters in DIR/floor.stats (STATS_FILE); sets
# AGENT_PID, AGENT_PORT, METRICS_URL or STATS_FILE.  WRAPPER defaults to
# BENCH_AGENT_WRAPPER for the agent.
agent_start() {
	local dir=$1 mport i=0
	shift
	port AGENT_PORT
	if [ "$SUT" = floor ]; then
		STATS_FILE=$dir/floor.stats
		rm -f "$STATS_FILE"
		"$@" "$FLOOR" -s "$SDP" -m "$STATS_FILE" "$AGENT_PORT" \
			>"$dir/agent.stdout" 2>"$dir/agent.log" </dev/null &
	else
		port mport
		METRICS_URL=http://127.0.0.1:$mport/metrics
		agent_conf "$dir" "$AGENT_PORT" "$mport"
		LAST_AGENT_DIR=$dir
		[ $# -eq 0 ] && set -- $AGENT_WRAPPER
		"$@" "$AGENT" -c "$dir/agent.conf" >"$dir/agent.stdout" \
			2>"$dir/agent.log" </dev/null &
	fi
	AGENT_PID=$!
	track $AGENT_PID
	while ! metrics_text | grep -q '^sta_transfers_active '; do
		kill -0 $AGENT_PID 2>/dev/null ||
			die "agent exited at start: $(tail -n 5 "$dir/agent.log")"
		i=$((i + 1))
		[ $i -ge 600 ] && die "agent not ready after 60 s"
		sleep 0.1
	done
	wait_udp "$AGENT_PORT" || die "agent not bound to UDP $AGENT_PORT"
}
# metrics_text: the agent's metrics now (the floor's counters: its
# STATS_FILE, at most 100 ms old).
STATS_FILE=
metrics_text() {
	if [ -n "$STATS_FILE" ]; then
		cat "$STATS_FILE" 2>/dev/null
	else
		http_get "$METRICS_URL" 2>/dev/null
	fi
}
# metric NAME: its value now (the sample named exactly NAME).
metric() {
	metrics_text |
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
# heap_in_use PID LOG: the bytes the agent PID has allocated and not freed,
# "-" when nothing tells.  Whatever the allocator, in this order:
#   1. the agent's own figure: the metric BENCH_HEAP_METRIC names, or else
#      the first sta_*(heap|malloc|alloc)*_bytes metric it exposes (read
#      1.1 s later: metrics are up to 1 s old); BENCH_HEAP_METRIC=none
#      skips it;
#   2. jemalloc (when the process has malloc_stats_print):
#      malloc_stats_print() called through gdb, "Allocated:";
#   3. glibc: malloc_stats() through gdb, "Total (incl. mmap)" "in use
#      bytes" (what mallinfo2 reports; it reads 0 when another allocator
#      serves malloc, hence 2 first).
# Both print on the agent's stderr, LOG.  gdb calls them only while the
# agent waits in epoll_wait: stopped inside malloc or stdio it holds the
# lock the call would take, and would hang.  Sets HEAP_V (bytes or "-")
# and HEAP_METHOD (the way it was read).
HEAP_METHOD=-
heap_metric_name() {
	case ${BENCH_HEAP_METRIC:-} in
	none) ;;
	?*) echo "$BENCH_HEAP_METRIC" ;;
	*) metrics_text | awk '
		/^sta_[a-z_]*(heap|malloc|alloc)[a-z_]*bytes / { print $1; exit }' ;;
	esac
}
# the gdb script of heap_gdb and idle_call: the allocator, the innermost
# frame, and the statistics call (or $STA_GDB_CALL) when that frame is a
# wait for events
HEAP_GDB_PY=$OUT/heap_stats.py
cat >"$HEAP_GDB_PY" <<'EOF'
import gdb
import os
try:
    gdb.parse_and_eval("malloc_stats_print")
    alloc, call = "jemalloc", "(void)malloc_stats_print(0, 0, 0)"
except gdb.error:
    alloc, call = "glibc", "(void)malloc_stats()"
call = os.environ.get("STA_GDB_CALL") or call
name = gdb.newest_frame().name() or "?"
print("STA_ALLOC %s STA_FRAME %s" % (alloc, name))
if name.endswith(("epoll_wait", "epoll_pwait", "poll", "select")):
    gdb.execute("call " + call)
    print("STA_CALLED")
EOF
# idle_call PID CALL: CALL in PID through gdb once the agent waits for
# events (up to 20 attempts); 0 when it was called.
idle_call() {
	local try=0
	while [ $try -lt 20 ]; do
		[ $try -gt 0 ] && sleep 0.5
		try=$((try + 1))
		STA_GDB_CALL=$2 timeout 30 gdb -p "$1" -batch -x "$HEAP_GDB_PY" \
			2>/dev/null </dev/null | grep -q STA_CALLED && return 0
	done
	return 1
}
# heap_gdb PID LOG: one attempt; prints "allocator bytes", bytes "-" when
# the agent was busy (or gdb failed).
heap_gdb() {
	local before out alloc
	before=$(wc -l <"$2")
	out=$(timeout 30 gdb -p "$1" -batch -x "$HEAP_GDB_PY" 2>/dev/null </dev/null)
	alloc=$(echo "$out" | awk '$1 == "STA_ALLOC" { print $2; exit }')
	case $out in *STA_CALLED*) ;; *) echo "${alloc:--} -"; return ;; esac
	tail -n +$((before + 1)) "$2" | awk -v a="$alloc" '
		a == "jemalloc" && /^Allocated: / { v = $2; sub(/,/, "", v) }
		a == "glibc" && /^Total/ { t = 1 }
		a == "glibc" && t && /in use bytes/ && v == "" { v = $NF }
		END { print a, (v == "" ? "-" : v) }'
}
heap_in_use() {
	local name v=- try=0
	name=$(heap_metric_name)
	if [ -n "$name" ]; then
		sleep 1.1
		v=$(metric "$name")
		HEAP_METHOD="agent metric $name"
		HEAP_V=${v:--}
		return
	fi
	if ! command -v gdb >/dev/null 2>&1; then
		HEAP_METHOD="- (no gdb)"
		HEAP_V=-
		return
	fi
	while [ "$v" = - ] && [ $try -lt 20 ]; do
		[ $try -gt 0 ] && sleep 0.5
		try=$((try + 1))
		set -- $(heap_gdb "$1" "$2") "$1" "$2"
		v=$2
		case $1 in
		jemalloc) HEAP_METHOD="jemalloc malloc_stats_print() via gdb: Allocated" ;;
		glibc) HEAP_METHOD="glibc malloc_stats() via gdb: in use bytes" ;;
		esac
		shift 2
	done
	[ "$v" = - ] && log "heap: agent $1 busy or gdb failing in $try attempts"
	HEAP_V=$v
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
# referer_bg D NAME TIMEOUT_S PORT TARGET_PORT RATE N OPEN: bench/sipp/referer.xml
# from PORT against the agent (targets at TARGET_PORT), RATE REFERs/s, N in
# all, at most OPEN calls open; every answer and NOTIFY logged to D/NAME.log.
referer_bg() {
	sipp_bg "$1/$2" "$3" -sf "$SCEN/referer.xml" \
		"127.0.0.1:$AGENT_PORT" -p "$4" -key target_port "$5" \
		-r "$6" -m "$7" -l "$8" -recv_timeout 30000 \
		-trace_logs -log_file "$1/$2.log"
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

# field LINE K: the K-th word of LINE, "-" when it has fewer.
field() { echo "$1" | awk -v k="$2" '{ print (NF >= k) ? $k : "-" }'; }

# ---- NOTIFY analysis -----------------------------------------------------------
# The referer scenario's log lines are read split at every single space:
# sipp prints a time field of 0 (a usec of exactly 0) as nothing, and awk's
# default splitting would shift every field after it.
LOG_FS='[ ]'
# notify_stats LOG LATEFILE [GAPFILE]: from bench/sipp/referer.xml's lines
#   N <call> <sec> <usec> <state> <sipfrag code> <CSeq>
# print "calls notifies finals finals200 below min_gap_ms" and write every
# final NOTIFY's lateness (ms after previous NOTIFY + INTERVAL) to LATEFILE,
# every gap between two NOTIFYs of a subscription (ms) to GAPFILE.
notify_stats() {
	: >"$2"
	awk -F "$LOG_FS" -v iv="$INTERVAL" -v late="$2" -v gaps="${3:-/dev/null}" '
	$1 == "N" {
		c = $2; t = $3 * 1000000 + $4
		if ((c in cseq) && cseq[c] == $7) { retrans++; next }
		cseq[c] = $7
		if (!(c in last)) calls++
		else {
			gap = t - last[c]
			printf "%.3f\n", gap / 1000 > gaps
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
# answer_stats LOG RTFILE: from bench/sipp/referer.xml's lines
#   A <call> <sent sec> <sent usec> <sec> <usec> <code> <Retry-After>
# print "answered a202 a503 a503_without_retry_after" and write "code ms"
# (REFER sent -> its first answer read, on the referer) to RTFILE.
answer_stats() {
	awk -F "$LOG_FS" -v rt="$2" '
	$1 == "A" && NF == 8 {
		if ($2 in seen) next
		seen[$2] = 1; n++
		if ($7 == "202") a202++
		if ($7 == "503") { a503++; if ($8 !~ /^[0-9]+$/) nora++ }
		printf "%s %.3f\n", $7, (($5 - $3) * 1000000 + $6 - $4) / 1000 > rt
	}
	END { printf "%d %d %d %d\n", n, a202, a503, nora }' "$1" 2>/dev/null ||
		echo "0 0 0 0"
}
# pct FILE P [COLUMN]: the P-th percentile (nearest rank) of the numbers
# in FILE (in COLUMN, 1 when not given); "-" when there are none.
pct() {
	awk -v c="${3:-1}" '{ print $c }' "$1" 2>/dev/null | sort -n |
		awk -v p="$2" '{ v[NR] = $1 }
		END { if (!NR) { print "-"; exit }
		k = int(NR * p / 100); if (k < NR * p / 100) k++; if (k < 1) k = 1
		print v[k] }'
}
# steady_rss FILE FROM TO: "mean max" (kB) of rss.txt samples FROM <= s <= TO.
steady_rss() {
	awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b && $2 != "" {
		n++; t += $2; if ($2 > m) m = $2 }
		END { if (n) printf "%.0f %d\n", t / n, m; else print "- -" }' "$1" 2>/dev/null
}

# ---- trials --------------------------------------------------------------------
# agent_trial RATE SECONDS: RATE REFERs/s for SECONDS against a fresh agent.
# Sets LAST_LINE (and writes it to its directory's summary.txt):
#   RATE pass|FAIL calls ok failed target_failed finals200 retrans wall
#   refer_rtt_ms gaps_below min_gap_ms late_p50 late_p99 late_max
#   agent_cpu_percent agent_peak_rss_kB referer_sipp_cpu target_sipp_cpu
#   refused_503
# (CPU in % of one core over the run; a sipp's from its last 1 s sample)
# With HEAP_SETTLE=1 also the heap (heap_in_use) and VmRSS idle before the
# load and SETTLE_S s after the last transfer ended, in heap.txt:
#   heap_idle heap_settled rss_idle_kB rss_settled_kB method
# Files in $OUT/throughput/rRATE-sSECONDS/ (TRIAL_DIR overrides).
agent_trial() {
	local r=$1 s=$2 n=$(($1 * $2)) d tp rp tpid t0 rrc wall ok fail tfail
	local retr rtt v stats cpu0 cpu hwm ppid= spid rsp tsp rcpu tcpu ans
	local hidle=- ridle=- hset=- rset=-
	d=${TRIAL_DIR:-$OUT/throughput/r$r-s$s}
	rm -rf "$d"
	mkdir -p "$d"
	agent_start "$d"
	if [ "${HEAP_SETTLE:-0}" = 1 ]; then
		sleep 1
		heap_in_use $AGENT_PID "$d/agent.log"
		hidle=$HEAP_V
		ridle=$(status_kb $AGENT_PID VmRSS)
	fi
	port tp
	port rp
	sipp_bg "$d/target" $((s + 90)) -sf "$SCEN/target_answer.xml" \
		-p "$tp" -d "$HOLD_MS" -m "$n" -l $((r * 5 + 1000))
	tpid=$SIPP_PID
	wait_udp "$tp" || die "target sipp did not start: $(tail -n 5 "$d/target.out")"
	t0=$(now)
	cpu0=$(cpu_s $AGENT_PID)
	referer_bg "$d" referer $((s + 60)) "$rp" "$tp" "$r" "$n" $((r * 5 + 1000))
	rsp=$(sipp_of $SIPP_PID)
	tsp=$(sipp_of $tpid)
	# VmRSS every second (rss.txt: seconds kB) until the agent is gone,
	# and each sipp's CPU seconds (cpu.txt: referer target)
	rss_sampler "$d" $((s + 90 + SETTLE_S)) "$rsp $tsp"
	spid=$SAMPLER_PID
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
	if [ "${HEAP_SETTLE:-0}" = 1 ]; then
		# NTA keeps the last transactions for Timer J (32 s)
		log "heap: settling $SETTLE_S s after the last transfer"
		sleep "$SETTLE_S"
		heap_in_use $AGENT_PID "$d/agent.log"
		hset=$HEAP_V
		rset=$(status_kb $AGENT_PID VmRSS)
		echo "$hidle $hset $ridle $rset $HEAP_METHOD" >"$d/heap.txt"
	fi
	metrics_text >"$d/metrics.txt"
	stop_pid $AGENT_PID 15
	wait_gone $spid 30	# the sampler ends within 1 s of the agent
	stop_pid $spid 2
	rtp_note "$d"
	ok=$(sipp_stat "$d/referer.csv" 'SuccessfulCall(C)')
	fail=$(sipp_stat "$d/referer.csv" 'FailedCall(C)')
	tfail=$(sipp_stat "$d/target.csv" 'FailedCall(C)')
	retr=$(sipp_stat "$d/referer.csv" 'Retransmissions(C)')
	rtt=$(sipp_stat "$d/referer.csv" 'ResponseTimerefer(C)')
	ans=$(answer_stats "$d/referer.log" "$d/answers.txt")
	stats=$(notify_stats "$d/referer.log" "$d/late.txt" "$d/gaps.txt")
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
	LAST_LINE="$r $v $n $ok $fail $tfail $4 $retr $wall $rtt $5 $6 $(pct "$d/late.txt" 50) $(pct "$d/late.txt" 99) $(pct "$d/late.txt" 100) $cpu ${hwm:-0} ${rcpu:--} ${tcpu:--} $(field "$ans" 3)"
	echo "$LAST_LINE" >"$d/summary.txt"
	log "$SUT $r/s x $s s: $v (ok $ok/$n, failed $fail, target failed $tfail, finals 200 $4, 503 $(field "$ans" 3), retrans $retr, wall $wall s, sipp rc $rrc, agent CPU $cpu %, sipp CPU referer ${rcpu:--} % target ${tcpu:--} %, peak RSS $hwm kB)"
}
# rtp_note DIR: a warning when the agent in DIR found no free RTP port
# (media.rtp_ports as shipped is shared with every program on the host: a
# test suite running beside the bench can hold it).
rtp_note() {
	local k
	k=$(grep -c 'no RTP port free' "$1/agent.log" 2>/dev/null)
	[ "${k:-0}" -gt 0 ] &&
		log "WARNING: $k transfers in $1 found no free RTP port (media.rtp_ports held by another program?)"
	return 0
}
# rss_sampler DIR SECONDS "PIDS": in the background (SAMPLER_PID), every
# second while the agent lives (at most SECONDS): "second VmRSS_kB" of the
# agent to DIR/rss.txt and the CPU seconds of PIDS to DIR/cpu.txt.
rss_sampler() {
	(i=0; while [ $i -le "$2" ] && kill -0 $AGENT_PID 2>/dev/null; do
		echo "$i $(status_kb $AGENT_PID VmRSS)"
		if [ -n "$3" ]; then
			for q in $3; do printf '%s ' "$(cpu_s $q)"; done >>"$1/cpu.txt"
			echo >>"$1/cpu.txt"
		fi
		sleep 1
		i=$((i + 1))
	done) >"$1/rss.txt" 2>/dev/null </dev/null &
	SAMPLER_PID=$!
	track $SAMPLER_PID
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

# steady: STEADY_RATE/s for STEADY_S s, VmRSS every second; steady RSS =
# mean and max of the samples from STEADY_FROM s to the end of the load;
# heap per finished transfer = (heap SETTLE_S s after the last transfer -
# heap idle) / transfers.
STEADY_LINE= STEADY_DIR= STEADY_HEAP=
phase_steady() {
	wait_quiet steady
	mkdir -p "$OUT/steady"
	STEADY_DIR=$OUT/steady/r$STEADY_RATE-s$STEADY_S
	log "steady: $STEADY_RATE/s for $STEADY_S s, then heap after $SETTLE_S s"
	TRIAL_DIR=$STEADY_DIR
	HEAP_SETTLE=1
	agent_trial "$STEADY_RATE" "$STEADY_S"
	TRIAL_DIR=
	HEAP_SETTLE=0
	STEADY_LINE=$LAST_LINE
	STEADY_HEAP=$(cat "$STEADY_DIR/heap.txt" 2>/dev/null)
	log "steady: RSS from $STEADY_FROM s (mean max kB): $(steady_rss "$STEADY_DIR/rss.txt" "$STEADY_FROM" "$STEADY_S"); heap idle settled, RSS idle settled, method: $STEADY_HEAP"
}

# ---- overload --------------------------------------------------------------------
# overload_run FACTOR CAPACITY: FACTOR x CAPACITY REFERs/s for OVERLOAD_S s
# against a fresh agent, then at once a probe of PROBE_PCT % of CAPACITY
# for PROBE_S s (a second referer sipp, same target sipp).  Appends to
# OVERLOAD_LINES:
#   factor rate offered answered a202 a503 a503_no_retry_after retrans
#   rt_p50 rt_p99 rt_max late_503 completed_per_s peak_rss_kB
#   recovery_s probe_rate probe_calls probe_good failed probe_cpu_pct
# (rt: REFER sent -> first answer read by the referer, ms; late_503: 503s
# read 500 ms or more after their REFER was sent; completed_per_s: final
# NOTIFYs "200 OK" read from INTERVAL ms after the first REFER to INTERVAL
# ms after the last, / OVERLOAD_S; recovery_s: see probe_recovery;
# probe_cpu_pct: the agent's CPU from the drop to the probe's end, % of a
# core.)  The runs go in $OUT/overload/NAME (default xFACTOR); the line is
# also left in OVL_LINE.
OVERLOAD_LINES= OVERLOAD_CAP= OVERLOAD_CAP_FROM= OVL_LINE=
overload_run() {
	local f=$1 cap=$2 r=$(($1 * $2)) secs=$OVERLOAD_S n d tp rp qp tpid rpid
	local qpid spid t0 tdrop pr pn hwm offered ans retr done rec fail line
	local cpu0 cpu1 tend
	n=$((r * secs))
	pr=$((cap * PROBE_PCT / 100))
	[ $pr -ge 1 ] || pr=1
	pn=$((pr * PROBE_S))
	d=$OUT/overload/${3:-x$f}
	rm -rf "$d"
	mkdir -p "$d"
	agent_start "$d"
	port tp
	port rp
	port qp
	# no -m: it answers what comes, stopped by PID at the end
	sipp_bg "$d/target" $((secs + PROBE_S + 150)) \
		-sf "$SCEN/target_answer.xml" -p "$tp" -d "$HOLD_MS" \
		-l $((n + pn + 1000))
	tpid=$SIPP_PID
	wait_udp "$tp" || die "target sipp did not start: $(tail -n 5 "$d/target.out")"
	log "overload x$f: $r REFERs/s for $secs s, then a probe at $pr/s for $PROBE_S s"
	t0=$(now)
	# -l far above what a collapsing agent leaves open: the referer keeps
	# offering the rate instead of waiting for calls to end
	referer_bg "$d" referer $((secs + 90)) "$rp" "$tp" "$r" "$n" $((n + 1000))
	rpid=$SIPP_PID
	rss_sampler "$d" $((secs + PROBE_S + 150)) ""
	spid=$SAMPLER_PID
	sleep "$(awk -v a="$t0" -v b="$(now)" -v s="$secs" \
		'BEGIN { d = a + s - b; printf "%.2f", (d > 0) ? d : 0 }')"
	tdrop=$(now)
	cpu0=$(cpu_s $AGENT_PID)
	referer_bg "$d" probe $((PROBE_S + 90)) "$qp" "$tp" "$pr" "$pn" $((pn + 1000))
	qpid=$SIPP_PID
	wait_pid $rpid
	wait_pid $qpid
	cpu1=$(cpu_s $AGENT_PID)
	tend=$(now)
	hwm=$(status_kb $AGENT_PID VmHWM)
	stop_pid $tpid 5
	metrics_text >"$d/metrics.txt"
	stop_pid $AGENT_PID 15
	wait_gone $spid 30
	stop_pid $spid 2
	echo "$t0 $tdrop" >"$d/times.txt"
	rtp_note "$d"
	offered=$(sipp_stat "$d/referer.csv" 'OutgoingCall(C)')
	fail=$(sipp_stat "$d/referer.csv" 'FailedCall(C)')
	retr=$(sipp_stat "$d/referer.csv" 'Retransmissions(C)')
	ans=$(answer_stats "$d/referer.log" "$d/answers.txt")
	done=$(awk -F "$LOG_FS" -v a="$t0" -v s="$secs" -v iv="$INTERVAL" '
		$1 == "N" && NF == 7 && $5 == "terminated" && $6 == "200" {
			if ($2 in seen) next
			t = $3 + $4 / 1e6 - a - iv / 1000
			if (t >= 0 && t <= s) { seen[$2] = 1; n++ } }
		END { printf "%.0f", n / s }' "$d/referer.log" 2>/dev/null)
	rec=$(probe_recovery "$d/probe.log" "$tdrop" "$pn")
	line="$f $r ${offered:-0} $(field "$ans" 1) $(field "$ans" 2) $(field "$ans" 3) $(field "$ans" 4) ${retr:-0} $(pct "$d/answers.txt" 50 2) $(pct "$d/answers.txt" 99 2) $(pct "$d/answers.txt" 100 2) $(awk '$1 == 503 && $2 >= 500 { n++ } END { print n + 0 }' "$d/answers.txt" 2>/dev/null) ${done:-0} ${hwm:-0} $rec ${fail:-0} $(awk -v a="$cpu0" -v b="$cpu1" -v s="$(elapsed "$tdrop" "$tend")" \
		'BEGIN { if (a == "" || b == "" || s <= 0) print "-"; else printf "%.0f", 100 * (b - a) / s }')"
	echo "$line" >"$d/summary.txt"
	OVL_LINE=$line
	log "overload ${3:-x$f}: $line"
}
# probe_recovery LOG TDROP CALLS: "recovery_s probe_rate probe_calls
# probe_good" from the probe referer's A and N lines.  A probe call is good
# when its REFER got 202 and its final NOTIFY "200 OK" came within
# PROBE_OK_MS of the REFER; recovery_s = when (after TDROP, the end of the
# overload) the first REFER was sent of the unbroken run of good calls that
# lasts to the probe's last call; "never" when the last call is not good.
probe_recovery() {
	awk -F "$LOG_FS" -v t0="$2" -v n="$3" -v okms="$PROBE_OK_MS" -v pr="$(($3 / PROBE_S))" '
	$1 == "A" && NF == 8 && !($2 in code) { code[$2] = $7; sent[$2] = $3 + $4 / 1e6 }
	$1 == "N" && NF == 7 && $5 == "terminated" && $6 == "200" && !($2 in fin) {
		fin[$2] = $3 + $4 / 1e6 }
	END {
		good = 0; first = 0
		for (c = 1; c <= n; c++) {
			g = (code[c] == "202") && (c in fin) &&
			    (fin[c] - sent[c]) * 1000 <= okms
			if (g) { good++; if (!first) first = c } else first = 0
		}
		if (!first) r = "never"
		else r = sprintf("%.1f", sent[first] - t0 < 0 ? 0 : sent[first] - t0)
		printf "%s %d %d %d\n", r, pr, n, good
	}' "$1" 2>/dev/null || echo "never 0 $3 0"
}
phase_overload() {
	local f
	wait_quiet overload
	mkdir -p "$OUT/overload"
	overload_capacity
	log "overload: capacity $OVERLOAD_CAP/s ($OVERLOAD_CAP_FROM)"
	for f in $OVERLOAD_FACTORS; do
		overload_run "$f" "$OVERLOAD_CAP"
		OVERLOAD_LINES="$OVERLOAD_LINES$OVL_LINE
"
	done
}
# The capacity the overload phases multiply (OVERLOAD_CAP, OVERLOAD_CAP_FROM).
overload_capacity() {
	if [ -n "$CAPACITY" ]; then
		OVERLOAD_CAP=$CAPACITY OVERLOAD_CAP_FROM="BENCH_CAPACITY"
	elif [ "$CONFIRMED" != - ]; then
		OVERLOAD_CAP=$CONFIRMED OVERLOAD_CAP_FROM="the confirmed throughput"
	else
		OVERLOAD_CAP=$GOAL_RATE OVERLOAD_CAP_FROM="the goal rate (no capacity confirmed, no BENCH_CAPACITY)"
	fi
}

# ---- allocator -------------------------------------------------------------------
# ALLOC_LINES: "allocator run" + an overload_run line, per run.
ALLOC_LINES= ALLOC_LIBC=
phase_allocator() {
	local i=0 wrapper probe_s built
	wrapper=$AGENT_WRAPPER probe_s=$PROBE_S
	wait_quiet allocator
	mkdir -p "$OUT/overload"
	ALLOC_LIBC=$(ldd "$AGENT" 2>/dev/null | awk '$1 == "libc.so.6" { print $3; exit }')
	if [ -z "$ALLOC_LIBC" ]; then
		log "allocator: no libc.so.6 in ldd $AGENT: phase not run"
		return
	fi
	built=$("$AGENT" --version 2>/dev/null | sed -n 's/^allocator: \([^ ]*\).*/\1/p')
	[ "${OVERLOAD_CAP:-}" ] || overload_capacity
	PROBE_S=$ALLOC_PROBE_S
	log "allocator: capacity $OVERLOAD_CAP/s ($OVERLOAD_CAP_FROM), x2, probe $PROBE_S s; ${built:-as built} against glibc (LD_PRELOAD=$ALLOC_LIBC), $ALLOC_RUNS runs each"
	while [ $i -lt "$ALLOC_RUNS" ]; do
		i=$((i + 1))
		AGENT_WRAPPER=
		overload_run 2 "$OVERLOAD_CAP" "alloc-built-$i"
		ALLOC_LINES="$ALLOC_LINES${built:-built} $i $OVL_LINE
"
		AGENT_WRAPPER="env LD_PRELOAD=$ALLOC_LIBC"
		overload_run 2 "$OVERLOAD_CAP" "alloc-glibc-$i"
		ALLOC_LINES="${ALLOC_LINES}glibc $i $OVL_LINE
"
	done
	AGENT_WRAPPER=$wrapper PROBE_S=$probe_s
}

# scale_step N MAX: N ringing transfers against a fresh agent.
SCALE_LINES=
MEDIA_LINES=
scale_step() {
	local n=$1 d tp rp tpid rpid secs t0 lim i=0 c ns ramp idle hidle
	local rss hwm heap rss2=- heap2=- rss3=- fail retr line fds
	d=$OUT/scale/n$n
	rm -rf "$d"
	mkdir -p "$d"
	agent_start "$d"
	sleep 1
	idle=$(status_kb $AGENT_PID VmRSS)
	heap_in_use $AGENT_PID "$d/agent.log"
	hidle=$HEAP_V
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
	fds=$(ls /proc/$AGENT_PID/fd | wc -l)
	heap_in_use $AGENT_PID "$d/agent.log"
	heap=$HEAP_V
	if [ "$n" -eq "$2" ] && [ "$SETTLE_S" -gt 0 ]; then
		log "scale $n: settling $SETTLE_S s (NTA Timer J)"
		sleep "$SETTLE_S"
		rss2=$(status_kb $AGENT_PID VmRSS)
		heap_in_use $AGENT_PID "$d/agent.log"
		heap2=$HEAP_V
		# what returning free heap pages to the kernel would give
		if command -v gdb >/dev/null 2>&1; then
			idle_call $AGENT_PID '(int)allocator_release_freed()'
			rss3=$(status_kb $AGENT_PID VmRSS)
		fi
	fi
	fail=$(sipp_stat "$d/referer.csv" 'FailedCall(C)')
	retr=$(sipp_stat "$d/referer.csv" 'Retransmissions(C)')
	metrics_text >"$d/metrics.txt"
	stop_pid $rpid 5
	stop_pid $tpid 5
	stop_pid $AGENT_PID 20
	line="$n ${c:-0} $idle $rss $hwm $hidle $heap $rss2 $heap2 $ramp $fail $retr $rss3"
	echo "$line" >"$d/summary.txt"
	SCALE_LINES="$SCALE_LINES$line
"
	log "scale $n: calling ${c:-?}, $fds fds, VmRSS idle $idle kB -> $rss kB (peak $hwm kB), heap in use $hidle -> $heap B, settled: RSS $rss2 kB, heap $heap2 B, RSS after the allocator's release $rss3 kB; ramp $ramp s"
}

phase_scale() {
	local n max=0
	wait_quiet scale
	# the targets ring for longer than the shipped invite_timeout
	CONF_INVITE_TIMEOUT=600
	mkdir -p "$OUT/scale"
	for n in $SCALE; do [ "$n" -gt $max ] && max=$n; done
	for n in $SCALE; do scale_step "$n" $max; done
	CONF_INVITE_TIMEOUT=
}

# batch NAME DIR [N]: N (CG_N) transfers at CG_RATE/s against the running
# agent (targets as in the throughput runs); waits until every transfer is
# over.  Sets BATCH_OK (successful referer calls) and BATCH_S (seconds).
batch() {
	local d=$2 n=${3:-$CG_N} tp rp tpid t0 secs i=0
	port tp
	port rp
	secs=$((n / CG_RATE + 120))
	sipp_bg "$d/$1-target" $secs -sf "$SCEN/target_answer.xml" -p "$tp" \
		-d "$HOLD_MS" -m "$n"
	tpid=$SIPP_PID
	wait_udp "$tp" || die "target sipp did not start"
	t0=$(now)
	sipp_bg "$d/$1-referer" $secs -sf "$SCEN/referer.xml" \
		"127.0.0.1:$AGENT_PORT" -p "$rp" -key target_port "$tp" \
		-r "$CG_RATE" -m "$n" -recv_timeout 60000
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

# cg_sofia ANNOTATE N: "Ir_per_transfer function" of the Sofia-SIP
# functions Debian names (exported ones; static ones are bare addresses)
# in callgrind_annotate --inclusive=yes output ANNOTATE, for N transfers,
# most first; the event loop's entry points (su_root_*, su_base_port_*:
# the whole batch) left out.
cg_sofia() {
	awk -v n="$2" 'n > 0 && /libsofia-sip-ua/ {
		f = ""
		for (i = 2; i <= NF; i++) if ($i ~ /^\?\?\?:/) f = substr($i, 5)
		if (f == "" || f ~ /^0x/ || f ~ /^su_(root|base_port)_/) next
		ir = $1; gsub(/,/, "", ir)
		printf "%.0f %s\n", ir / n, f
	}' "$1" 2>/dev/null
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
	# one second of transfers first: under valgrind the first requests
	# meet a cold agent (its loop late by JIT work, so the overload
	# control shed some), which a batch should not count; and their
	# transactions' end (Timer J) before the counters start
	batch warmup "$d" "$CG_RATE"
	sleep "$SETTLE_S"
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
	callgrind_annotate --inclusive=yes "$d/batch.callgrind" >"$d/inclusive.txt" 2>&1
	cg_sofia "$d/inclusive.txt" "$BATCH_OK" >"$d/sofia.txt"
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

# ---- figures ---------------------------------------------------------------------
ok_if() { if awk "BEGIN { exit !($1) }" 2>/dev/null; then echo met; else echo "NOT met"; fi; }
mb() { awk -v k="$1" 'BEGIN { if (k == "-" || k == "") print "-"; else printf "%.1f", k * 1024 / 1e6 }'; }
# per_n A B N: (A - B) / N rounded, "-" unless A and B are numbers.
per_n() {
	awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {
		if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && n > 0) printf "%.0f", (a - b) / n; else print "-" }'
}
# scale_figures: the largest scale step's BIG_N, BIG_RSS, BIG_HWM,
# BIG_SET (RSS settled; MB), BIG_PER (RSS B per ringing transfer), and heap
# B per transfer: BIG_HEAP_PER ringing, BIG_HEAP_SET_PER settled,
# BIG_HEAP_J what the settling freed (the transactions NTA keeps for
# Timer J and K).
scale_figures() {
	BIG_N=- BIG_RSS=- BIG_PER=- BIG_HWM=- BIG_SET=-
	BIG_HEAP_PER=- BIG_HEAP_SET_PER=- BIG_HEAP_J=-
	[ -n "$SCALE_LINES" ] || return 0
	set -- $(echo "$SCALE_LINES" | sort -n | tail -n 1)
	BIG_N=$1
	BIG_RSS=$(mb "$4")
	BIG_HWM=$(mb "$5")
	BIG_SET=$(mb "$8")
	BIG_PER=$(((($4 - $3) * 1024) / $1))
	BIG_HEAP_PER=$(per_n "$7" "$6" "$1")
	BIG_HEAP_SET_PER=$(per_n "$9" "$6" "$1")
	BIG_HEAP_J=$(per_n "$7" "$9" "$1")
}
# steady_figures: steady STEADY_RATE/s: S_MEAN, S_MAX (RSS from
# STEADY_FROM s, MB), S_VERDICT, S_OK, S_HEAP_PER, S_RSS_PER (per finished
# transfer), S_METHOD.
steady_figures() {
	S_MEAN=- S_MAX=- S_HEAP_PER=- S_RSS_PER=- S_METHOD=- S_VERDICT=- S_OK=-
	[ -n "$STEADY_LINE" ] || return 0
	set -- $(steady_rss "$STEADY_DIR/rss.txt" "$STEADY_FROM" "$STEADY_S")
	S_MEAN=$(mb "$1")
	S_MAX=$(mb "$2")
	S_VERDICT=$(field "$STEADY_LINE" 2)
	S_OK=$(field "$STEADY_LINE" 4)
	[ -n "$STEADY_HEAP" ] || return 0
	set -- $STEADY_HEAP
	S_HEAP_PER=$(per_n "$2" "$1" "$S_OK")
	S_RSS_PER=$(awk -v i="$3" -v h="$4" -v n="$S_OK" 'BEGIN {
		if (i + 0 > 0 && h + 0 > 0 && n > 0) printf "%.0f", (h - i) * 1024 / n; else print "-" }')
	shift 4
	S_METHOD=$*
}

# ---- the bare NTA floor --------------------------------------------------------
# phase_floor: the phases of FLOOR_PARTS again, the same way, against
# bench/nta_floor instead of the agent (SUT=floor; the scale phase at its
# largest step only), in a subshell with OUT=$OUT/floor so that the
# agent's figures stay; the floor's come back as FLOOR_<name> for each
# name in FLOOR_VARS, through $OUT/floor/figures.sh.
FLOOR_VARS="CG_PER THROUGHPUT CONFIRMED BIG_N BIG_RSS BIG_HWM BIG_SET BIG_PER
	BIG_HEAP_PER BIG_HEAP_SET_PER BIG_HEAP_J S_MEAN S_MAX S_VERDICT S_HEAP_PER"
for _v in $FLOOR_VARS; do eval "FLOOR_$_v=-"; done
phase_floor() {
	local f=$OUT/floor/figures.sh max=0 n part v val
	for part in $FLOOR_PARTS; do
		case $part in
		cost | scale | steady | throughput) ;;
		*) die "unknown floor part $part (cost scale steady throughput)" ;;
		esac
	done
	wait_quiet floor
	[ -x "$FLOOR" ] || die "$FLOOR not built (make bench builds it)"
	mkdir -p "$OUT/floor"
	for n in $SCALE; do [ "$n" -gt $max ] && max=$n; done
	log "floor: $FLOOR_PARTS against $FLOOR"
	(
		set_traps
		PIDS=
		SUT=floor
		OUT=$OUT/floor
		SCALE=$max
		# nothing of the agent's may pass for the floor's
		SCALE_LINES= STEADY_LINE= STEADY_HEAP= CONFIRM_LINE= FAIL_LINE=
		CG_PER=- THROUGHPUT=- CONFIRMED=-
		for part in $FLOOR_PARTS; do "phase_$part"; done
		scale_figures
		steady_figures
		for v in $FLOOR_VARS; do
			eval "val=\$$v"
			printf "FLOOR_%s='%s'\n" "$v" "$val"
		done >"$f"
	) || die "floor: a phase could not run"
	. "$f"
}

# ---- run ---------------------------------------------------------------------------
START_DATE=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
RESULTS_STAMP=$OUT/.started	# plots newer than it are this run's
: >"$RESULTS_STAMP"
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
	local alloc
	alloc=$("$AGENT" --version 2>/dev/null | sed -n 's/^allocator: //p')
	echo "$AGENT, built $(date -u -r "$AGENT" '+%Y-%m-%d %H:%M:%S UTC'), sha256 $(sha256sum "$AGENT" | cut -c1-16), allocator ${alloc:-not reported}"
}
AGENT_ID="$(agent_id)${AGENT_WRAPPER:+, run under: $AGENT_WRAPPER}"
for _p in $PHASES; do
	case $_p in
	ceiling | throughput | overload | allocator | steady | scale | cost | media | floor) "phase_$_p" ;;
	*) die "unknown phase $_p (ceiling throughput overload allocator steady scale cost media floor)" ;;
	esac
done

# ---- plots -------------------------------------------------------------------------
# make_plots: SVGs beside RESULTS (gnuplot), and the Markdown that shows
# them; without gnuplot a note saying so (no plots, the bench goes on).
PLOT_DIR=$(dirname "$RESULTS")
make_plots() {
	local d=$OUT/plots rss= f title
	if ! command -v gnuplot >/dev/null 2>&1; then
		log "gnuplot not found (Debian package gnuplot-nox): no plots"
		echo "gnuplot not found (Debian package gnuplot-nox): no plots."
		return
	fi
	mkdir -p "$d"
	# throughput steps: trial, rate tried, completed/s, pass
	cat "$OUT/throughput/search.txt" "$OUT/throughput/confirm.txt" 2>/dev/null |
		awk 'NF >= 17 { s = $3 / $1; printf "%d %s %.1f %d %d\n", ++i, $1, $7 / s, $2 == "pass", s }' \
		>"$d/steps.dat"
	if [ -s "$d/steps.dat" ]; then
		gnuplot >"$d/steps.out" 2>&1 <<EOF
set terminal svg size 900,450 dynamic
set output "$PLOT_DIR/throughput.svg"
set title "throughput trials: rate tried and transfers completed (green pass, red FAIL)"
set xlabel "trial (in order; long runs are the last ones, see RESULTS.md)"
set ylabel "transfers/s"
set key top left
set grid
set linetype 1 lc rgb "#c00000"
set linetype 2 lc rgb "#008000"
plot "$d/steps.dat" using 1:2 with steps lc rgb "#808080" title "rate tried", \
     "$d/steps.dat" using 1:3:(\$4 + 1) with points pt 7 ps 1 lc variable title "completed/s", \
     $GOAL_RATE with lines dt 2 lc rgb "#0000c0" title "goal $GOAL_RATE/s"
EOF
	fi
	# RSS over time: confirm, steady, overload runs
	for f in "${CONFIRM_DIR:-}" "${STEADY_DIR:-}" $(ls -d "$OUT"/overload/x* 2>/dev/null); do
		[ -n "$f" ] && [ -s "$f/rss.txt" ] || continue
		case $f in
		*/overload/x*) title="overload ${f##*/}" ;;
		"${STEADY_DIR:-}") title="steady ${STEADY_RATE}/s" ;;
		*) title="confirm ${f##*/r}" ;;
		esac
		rss="$rss${rss:+, }\"$f/rss.txt\" using 1:(\$2 * 1024 / 1e6) with lines lw 2 title \"$title\""
	done
	if [ -n "$rss" ]; then
		gnuplot >"$d/rss.out" 2>&1 <<EOF
set terminal svg size 900,450 dynamic
set output "$PLOT_DIR/rss.svg"
set title "agent VmRSS, every second from the start of the load"
set xlabel "s"
set ylabel "MB"
set key top left
set grid
plot $rss, 300 with lines dt 2 lc rgb "#0000c0" title "300 MB"
EOF
	fi
	# NOTIFY gaps of the confirm run, 1 ms bins; the far tail clipped
	if [ -n "${CONFIRM_DIR:-}" ] && [ -s "$CONFIRM_DIR/gaps.txt" ]; then
		gnuplot >"$d/gaps.out" 2>&1 <<EOF
set terminal svg size 900,450 dynamic
set output "$PLOT_DIR/gaps.svg"
set title "NOTIFY gaps within a subscription (${CONFIRM_DIR##*/r}), 1 ms bins"
set xlabel "gap, ms"
set ylabel "NOTIFYs"
set logscale y
set grid
set style fill solid 0.6
set xrange [$((INTERVAL - 20)):$(pct "$CONFIRM_DIR/gaps.txt" 99.9 | awk '{ printf "%d", $1 + 10 }')]
set arrow from $INTERVAL, graph 0 to $INTERVAL, graph 1 nohead dt 2 lc rgb "#c00000"
plot "$CONFIRM_DIR/gaps.txt" using (floor(\$1) + 0.5):(1) smooth frequency with boxes lc rgb "#406080" title "gaps (line: $INTERVAL ms)"
EOF
	fi
	for f in throughput rss gaps; do
		[ -s "$PLOT_DIR/$f.svg" ] && [ "$PLOT_DIR/$f.svg" -nt "$RESULTS_STAMP" ] &&
			echo "![$f]($f.svg)"
	done
	echo
	echo "throughput.svg: the rate of each throughput trial and its completed transfers/s; rss.svg: the agent's VmRSS over the confirm, steady and overload runs; gaps.svg: histogram of the NOTIFY gaps of the confirm run (gaps beyond the 99.9th percentile + 10 ms not drawn)."
}

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
C_RTT=-
if [ -n "${CONFIRM_DIR:-}" ] && [ -s "$CONFIRM_DIR/answers.txt" ]; then
	awk '$1 == 202 { print $2 }' "$CONFIRM_DIR/answers.txt" >"$CONFIRM_DIR/answers202.txt"
	C_RTT="$(pct "$CONFIRM_DIR/answers202.txt" 50) / $(pct "$CONFIRM_DIR/answers202.txt" 99) / $(pct "$CONFIRM_DIR/answers202.txt" 100)"
fi
C_RETR=$(field "$CONFIRM_LINE" 8)
C_CPU=$(field "$CONFIRM_LINE" 16)
C_RCPU=$(field "$CONFIRM_LINE" 18)
C_TCPU=$(field "$CONFIRM_LINE" 19)
C_RSS_LINE=-
if [ -n "${CONFIRM_DIR:-}" ] && [ -s "$CONFIRM_DIR/rss.txt" ]; then
	C_RSS_LINE=$(awk 'NF == 2 && $1 % 5 == 0 { printf "%s%d s: %.0f", sep, $1, $2 * 1024 / 1e6; sep = ", " }
		END { print " MB" }' "$CONFIRM_DIR/rss.txt")
fi
C_HWM=$(mb "$(field "$CONFIRM_LINE" 17)")
RATIO=-
if [ "$CEILING" != - ] && [ "$CEILING" -gt 0 ] 2>/dev/null && [ "$CONFIRMED" != - ]; then
	RATIO=$(awk -v a="$CONFIRMED" -v b="$CEILING" 'BEGIN { printf "%.3f", a / b }')
fi
scale_figures
steady_figures
# media: silence per call, and what one core carries at that cost
M_PER=- M_MAX=-
M_SIL=$(echo "$MEDIA_LINES" | awk '$1 == "silence"')
if [ -n "$M_SIL" ]; then
	M_PER=$(field "$M_SIL" 6)
	M_MAX=$(awk -v p="$M_PER" 'BEGIN { if (p + 0 > 0) printf "%d", 100 / p; else print "-" }')
fi

if [ "$CONFIRMED" != - ]; then
	V_RATE=$(ok_if "$CONFIRMED >= $GOAL_RATE")
else
	V_RATE="NOT met (no rate confirmed)"
fi
[ "$C_BELOW" != - ] && V_GAP=$(ok_if "$C_BELOW == 0") || V_GAP=-
[ "$C_P99" != - ] && V_P99=$(ok_if "$C_P99 <= 20") || V_P99=-
[ "$BIG_N" = 20000 ] && V_MEM=$(ok_if "$BIG_HWM <= 300") || V_MEM=-
[ "$S_MAX" != - ] && V_STEADY=$(ok_if "$S_MAX <= 300 && \"$S_VERDICT\" == \"pass\"") || V_STEADY=-
[ "$S_HEAP_PER" != - ] && V_HEAP=$(ok_if "$S_HEAP_PER <= 4096") || V_HEAP=-
[ "$CG_PER" != - ] && V_CG=$(ok_if "$CG_PER <= 250000") || V_CG=-

# overload: three goal rows and two reported rows per factor
OVL_ROWS=$(echo "$OVERLOAD_LINES" | awk -v cap="$OVERLOAD_CAP" -v ps="$PROBE_S" -v pp="$PROBE_PCT" '
	function v(c) { return c ? "met" : "NOT met" }
	NF >= 19 {
		unans = $3 - $4
		printf "| 4 | x%s (%s REFERs/s, %s offered): REFERs answered, 202 / 503 (503 without Retry-After) | %s (%s unanswered): %s / %s (%s) | every REFER: 202, or 503 with Retry-After | %s |\n",
		    $1, $2, $3, $4, unans, $5, $6, $7, v(unans == 0 && $7 == 0 && $3 > 0)
		printf "| 4 | x%s: REFER retransmissions; answer time p50 / p99 / max; 503s at >= 500 ms | %s; %s / %s / %s ms; %s | 0; before the first retransmission (500 ms) | %s |\n",
		    $1, $8, $9, $10, $11, $12, v($8 == 0 && $11 != "-" && $11 < 500)
		printf "| 4 | x%s: completed transfers/s during the overload | %s /s | >= 90 %% of %s = %d /s | %s |\n",
		    $1, $13, cap, cap * 0.9 + 0.5, v($13 >= cap * 0.9)
		printf "| 4 | x%s: agent peak RSS | %.1f MB | (reported) | |\n", $1, $14 * 1024 / 1e6
		printf "| 4 | x%s: back to full service after the load drops (probe %s /s for %s s: %d of %d good) | %s s | within 5 s | %s |\n",
		    $1, $16, ps, $18, $17, $15, v($15 != "never" && $15 <= 5)
	}')
[ -n "$OVL_ROWS" ] || OVL_ROWS="| 4 | overload (phase not run) | - | see below | - |"

TABLE=$(cat <<EOF
| goal | figure | value | goal | verdict |
|---|---|---|---|---|
| 1 | complete transfers/s sustained ${CONFIRM_S} s, 0 failed (shipped config) | $CONFIRMED /s | >= $GOAL_RATE /s | $V_RATE |
| 1 | NOTIFY gaps below ${INTERVAL} ms ($PACING_NOTE) | $C_BELOW | 0 | $V_GAP |
| 1 | final NOTIFY lateness after its window, p99 ($PACING_NOTE) | $C_P99 ms | <= 20 ms | $V_P99 |
| 2 | VmRSS with $BIG_N ringing transfers | $BIG_RSS MB (peak $BIG_HWM MB) | <= 300 MB at 20,000 | $V_MEM |
| 2 | steady VmRSS at $STEADY_RATE/s (${STEADY_S} s run: $S_VERDICT), mean / max from ${STEADY_FROM} s | $S_MEAN / $S_MAX MB | <= 300 MB | $V_STEADY |
| 2 | heap per finished transfer, ${SETTLE_S} s after the last ($S_METHOD) | $S_HEAP_PER B | <= 4096 B | $V_HEAP |
| 3 | instructions per complete transfer (callgrind, $CG_N at $CG_RATE/s) | $CG_PER | <= 250,000 | $V_CG |
$OVL_ROWS
EOF
)
# floor_row GOAL FIGURE AGENT FLOOR GOALTEXT COND: a row of the agent vs
# floor table; COND (awk, on x = the floor's figure) says whether the
# floor alone stays within the goal.
floor_row() {
	local ratio fv
	ratio=$(awk -v a="$3" -v f="$4" 'BEGIN {
		if (a + 0 > 0 && f + 0 > 0) printf "%.2f", a / f; else print "-" }')
	if [ "$4" = - ] || [ -z "$6" ]; then
		fv=-
	elif awk -v x="$4" "BEGIN { exit !($6) }"; then
		fv="within the goal"
	else
		fv="OUTSIDE the goal"
	fi
	echo "| $1 | $2 | $3 | $4 | $ratio | $5 | $fv |"
}
# the floor's rate: the confirmed one (judged against the goal), else (no
# long run passed or ran) the short trials' (not judged)
FLOOR_RATE=$FLOOR_CONFIRMED FLOOR_RATE_COND="x >= $GOAL_RATE"
[ "$FLOOR_RATE" = - ] && FLOOR_RATE=$FLOOR_THROUGHPUT FLOOR_RATE_COND=
FLOOR_TABLE=$(cat <<EOF
| goal | figure | agent | bare NTA floor | agent / floor | goal | the floor |
|---|---|---|---|---|---|---|
$(floor_row 1 "complete transfers/s, 0 failed, ${CONFIRM_S} s run (else short trials)" "$CONFIRMED" "$FLOOR_RATE" ">= $GOAL_RATE /s" "$FLOOR_RATE_COND")
$(floor_row 1 "complete transfers/s, 0 failed, ${TRIAL_S} s trials" "$THROUGHPUT" "$FLOOR_THROUGHPUT" "(reported)" "")
$(floor_row 2 "peak VmRSS MB with $BIG_N / $FLOOR_BIG_N ringing transfers" "$BIG_HWM" "$FLOOR_BIG_HWM" "<= 300 MB at 20,000" "$([ "$FLOOR_BIG_N" = 20000 ] && echo "x <= 300")")
$(floor_row 2 "VmRSS MB of those, ${SETTLE_S} s later" "$BIG_SET" "$FLOOR_BIG_SET" "(reported)" "")
$(floor_row 2 "steady VmRSS MB at $STEADY_RATE/s, max from ${STEADY_FROM} s" "$S_MAX" "$FLOOR_S_MAX" "<= 300 MB" "x <= 300")
$(floor_row 3 "instructions per complete transfer (callgrind)" "$CG_PER" "$FLOOR_CG_PER" "<= 250,000" "x <= 250000")
EOF
)
# FLOOR_COST: the floor's named Sofia-SIP functions by inclusive Ir per
# transfer (top 15), the agent's figure beside.
FLOOR_COST=$(awk -v af="$OUT/cost/sofia.txt" '
	BEGIN { while ((getline l < af) > 0) { split(l, w, " "); a[w[2]] = w[1] } }
	n < 15 { n++; printf "| %s | %s | %s |\n", $2, $1, ($2 in a) ? a[$2] : "-" }' \
	"$OUT/floor/cost/sofia.txt" 2>/dev/null)
[ -n "$FLOOR_COST" ] || FLOOR_COST="| (the floor's cost phase did not run) | - | - |"
OTHER_TABLE=$(cat <<EOF
| figure | value | note |
|---|---|---|
| sipp ceiling, REFER -> 202/s (sipp UAS, 0 failed) | $CEILING | the harness's own limit |
| agent throughput, short trials (${TRIAL_S} s, 0 failed) | $THROUGHPUT /s | |
| ratio agent / sipp ceiling | $RATIO | |
| REFER -> 202 p50 / p99 / max (confirm run) | $C_RTT ms | sent -> read by the referer |
| REFER retransmissions by the referer (confirm run) | $C_RETR | |
| agent CPU during the confirm run (100 % = one core) | $C_CPU % | |
| referer sipp / target sipp CPU during the confirm run | $C_RCPU % / $C_TCPU % | same $(nproc) CPUs |
| agent peak RSS during the confirm run | $C_HWM MB | |
| agent VmRSS during the confirm run, every 5 s | $C_RSS_LINE | |
| smallest NOTIFY gap, all subscriptions (confirm run) | $C_MIN ms | >= $INTERVAL ms |
| final NOTIFY lateness after its window, p50 / max | $C_P50 / $C_MAX ms | SPEC: max 50 ms |
| bytes per ringing transfer ((RSS_N - RSS_idle) / N, N = $BIG_N) | $BIG_PER | |
| VmRSS per finished transfer, steady run ((settled - idle) / N) | $S_RSS_PER B | allocator keeps freed pages |
| agent CPU per held call, media.mode silence (50 RTP packets/s) | $M_PER % of a core | |
| held calls with media one core carries (extrapolated) | $M_MAX | |
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
	awk 'NF >= 17 { printf "| %s | %s | %s | %s/%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %s | %s |\n",
	    $1, $3 / $1, $2, $4, $3, $5, $6, $7, ($20 == "") ? "-" : $20, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 * 1024 / 1e6, ($18 == "") ? "-" : $18, ($19 == "") ? "-" : $19 }')
OVL_TABLE=$(echo "$OVERLOAD_LINES" | awk 'NF >= 19 {
	printf "| x%s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s | %s | %s | %.1f | %s | %s/%s | %s |\n",
	    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 * 1024 / 1e6, $15, $18, $17, ($20 == "") ? "-" : $20 }')
ALLOC_TABLE=$(echo "$ALLOC_LINES" | awk 'NF >= 22 {
	printf "| %s | %s | %s | %s | %s | %.1f | %s | %s/%s | %s |\n",
	    $1, $2, $7, $8, $15, $16 * 1024 / 1e6, $17, $20, $19, $22 }')
if [ -n "$ALLOC_TABLE" ]; then
	ALLOC_SECTION=$(cat <<EOF
The x2 overload run above with a probe of $ALLOC_PROBE_S s (past the
Timer J, 32 s, of the transactions the overload left), in alternation for
the agent as built and for the same binary on glibc's malloc (run under
LD_PRELOAD=$ALLOC_LIBC, which puts glibc's malloc before the linked one;
the linked allocator still starts, unused, and the agent still names it).
Agent CPU = its CPU time from the drop to the probe's end, % of one core.
No BENCH_AGENT_WRAPPER in these runs.

| allocator | run | 202 | 503 | completed/s | peak RSS MB | full service after s | probe good/calls | agent CPU over the probe % |
|---|---|---|---|---|---|---|---|---|
$ALLOC_TABLE
EOF
)
else
	ALLOC_SECTION="(phase not run; BENCH_PHASES=allocator runs it)"
fi
# the config of the run the goals 1 rows come from (else of any agent)
CONF_DIR=${CONFIRM_DIR:-$LAST_AGENT_DIR}
if [ -n "$CONF_DIR" ] && [ -f "$CONF_DIR/agent.conf" ]; then
	CONF_DIFF=$(cd "$top_srcdir" && diff -u --label conf/sip-transfer-agent.conf \
		--label "bench/out/${CONF_DIR#"$OUT"/}/agent.conf" \
		conf/sip-transfer-agent.conf "$CONF_DIR/agent.conf")
	CONF_LEVEL=$(awk '$1 == "level" && $2 == "=" { gsub(/[";]/, "", $3); print $3; exit }' "$CONF_DIR/agent.conf")
else
	CONF_DIFF="(no agent ran)"
	CONF_LEVEL=-
fi
PLOTS=$(make_plots)
CEIL_TABLE=$(awk 'NF >= 9 { printf "| %s | %s | %s/%s | %s | %s | %s |\n", $1, $2, $4, $3, $5, $8, $9 }' \
	"$OUT/ceiling/search.txt" 2>/dev/null)

{
	cat <<EOF
# sip-transfer-agent benchmark results

Written by \`bench/run.sh\` (\`make bench\`); raw files of each run in
\`bench/out/\`.  Loopback only, UDP.  Every agent runs the shipped
\`conf/sip-transfer-agent.conf\` (so \`log.level\` = "$CONF_LEVEL",
\`transfer.notify_interval\` = $INTERVAL ms) with only the changes shown
under "Agent configuration".  sipp -buff_size $BUFF.

## Machine

- date: $START_DATE
- nproc: $(nproc), CPU: $CPU
- kernel: $(uname -r)
- agent commit: $COMMIT; binary $AGENT_ID
- sipp: $SIPPV
- load (1-minute, at the start of each phase; goal < $QUIET_LOAD): $LOADS

The agent, the referer sipp and the target sipp share these $(nproc) CPUs
(other engineers' runs too when the load above is not quiet).

## Figures vs goals (issue #15)

$TABLE

Goal 1 is met only when its three rows are; the rate row is the highest
rate whose ${CONFIRM_S} s run had 0 failed transfers and no backlog (see
"Throughput trials").

## Agent vs bare NTA floor (same run)

$FLOOR_TABLE

The floor is \`bench/nta_floor\` (bench/nta_floor.c): one su_root and one
nta_agent with the agent's NTA and transport settings (UA mode, T1 500 ms
and 64*T1, a 1500-byte preload per message, 4 MB UDP buffers; messages
built from the same header objects), and nothing else: no config, policy,
logging, metrics, media or control socket.  Per REFER it puts on the wire
what the agent does in these runs (202 with the subscription dialog as an
nta_leg, NOTIFY 100 at once, INVITE with conf/offer.sdp, NOTIFYs
$INTERVAL + $GUARD ms apart, the final NOTIFY, ACK, 200 to the target's
BYE), and the same sipp scenarios pass against it.  The bench measures it
with the same functions as the agent (cost, scale at its largest step
only, steady, throughput; raw files in bench/out/floor/), so its figures
are what any agent built on NTA pays for this flow on this machine: a goal
the floor is OUTSIDE of cannot be met by changing the agent alone, only
by changing Sofia-SIP (or not keeping NTA's parsed messages and
transactions).  The bench reads the floor's counters from a file it
rewrites every 100 ms (in the callgrind idle figure, so subtracted).

Where the floor's instructions go: named Sofia-SIP functions by inclusive
Ir per complete transfer (callbacks included: tport_recv_event holds all
that a received message causes; Debian names only exported functions):

| function | floor Ir / transfer | agent Ir / transfer |
|---|---|---|
$FLOOR_COST

Heap held per ringing transfer ($HEAP_METHOD; scale phase): floor
$FLOOR_BIG_HEAP_PER B at $FLOOR_BIG_N, of which $FLOOR_BIG_HEAP_J B are gone ${SETTLE_S} s later (the answered REFER's
server transaction, request + 202, kept for Timer J = 64*T1 = 32 s, and
completed NOTIFY transactions, Timer K) and $FLOOR_BIG_HEAP_SET_PER B stay
with the live call (two nta_legs, the INVITE client transaction with its
request and 180); the agent: $BIG_HEAP_PER B, $BIG_HEAP_J B and
$BIG_HEAP_SET_PER B.

What would lower the floor is a change in Sofia-SIP itself: NTA keeps
every completed server transaction whole, the parsed request and the
response each in its own msg_t, for Timer J (64*T1; client ones for
Timer K), where matching a retransmission needs only the transaction key
and the encoded response; and it parses every
received message in full (msg_extract, one su_home of many small blocks
per message) and builds every sent one from tags (sip_add_tagis,
msg_header_dup_as, msg_prepare).

## Other figures

$OTHER_TABLE

## Agent configuration

The shipped config with listen on free loopback ports, \`sdp_file\` =
conf/offer.sdp, \`limits.max_active\` and \`limits.per_source_rate\` raised
for one load source (every REFER comes from 127.0.0.1), metrics on (the
bench reads them) and a control socket of each agent's own; the scale
phase also raises \`transfer.invite_timeout\` (its targets ring on) and the
media phase sets \`media.mode\`.  As used by ${CONF_DIR##*/out/}:

\`\`\`diff
$CONF_DIFF
\`\`\`

## Plots

$PLOTS

## Throughput trials (agent)

Each trial: a fresh agent, \`bench/sipp/referer.xml\` at the rate for the
duration, targets \`bench/sipp/target_answer.xml\` (180 and 200 at once,
BYE $HOLD_MS ms after the ACK).  Pass = sipp exit 0, 0 failed
calls in both sipps, every call successful and every final NOTIFY
\`SIP/2.0 200 OK\`, and no backlog: the referer done within $LAG_S s
after its last REFER (wall <= duration + $LAG_S s; a call lasts about 1 s).
Column 503: REFERs the agent refused (overload control; a trial with any
fails).  Gaps and lateness are measured on the referer
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

| rate/s | s | verdict | ok/calls | failed | target failed | finals 200 | 503 | REFER retrans | wall s | REFER->202 ms (mean) | gaps < ${INTERVAL} ms | min gap ms | late p50 ms | late p99 ms | late max ms | agent CPU % | agent peak RSS MB | referer sipp CPU % | target sipp CPU % |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$THR_TABLE

## sipp ceiling trials (sipp REFER -> sipp UAS 202, ${CEIL_TRIAL_S} s each)

| rate/s | verdict | ok/calls | failed | retrans | wall s |
|---|---|---|---|---|---|
$CEIL_TABLE

## Steady: memory at $STEADY_RATE transfers/s

One fresh agent, $STEADY_RATE REFERs/s for $STEADY_S s (as a throughput
trial: \`$(field "$STEADY_LINE" 4)\` of \`$(field "$STEADY_LINE" 3)\` transfers
ok, $(field "$STEADY_LINE" 5) failed, verdict $S_VERDICT); VmRSS every second
(\`rss.svg\`), steady = mean and max of the samples from $STEADY_FROM s (after
NTA's Timer J, 32 s, began dropping the first transactions) to the end
of the load.  Heap: the agent's allocated bytes idle before the load and
$SETTLE_S s after the last transfer ended, read by: $S_METHOD.
Heap per finished transfer = (settled - idle) / transfers =
**$S_HEAP_PER B**; VmRSS per finished transfer the same way: $S_RSS_PER B
(the allocator keeps or returns freed pages at its own pace, so RSS is an
upper bound).  Idle / settled heap B, idle / settled RSS kB, method:
\`${STEADY_HEAP:--}\`.

## Overload: capacity x (${OVERLOAD_FACTORS})

Capacity $OVERLOAD_CAP/s (${OVERLOAD_CAP_FROM:--}).  Per factor a fresh agent;
\`bench/sipp/referer.xml\` (202 and 503 both valid outcomes) offers factor
x capacity REFERs/s for $OVERLOAD_S s (no call limit: the referer does not
slow down when the agent does); right when it stops a second referer, the
probe, offers $PROBE_PCT % of capacity for $PROBE_S s.  Answer time = the
REFER's first transmission -> the referer reading its first answer
(gettimeofday in the scenario); retransmissions are the referer's REFER
retransmissions (500 ms, then doubling).  Completed/s = final NOTIFYs
"200 OK" read from $INTERVAL ms after the first REFER to $INTERVAL ms after
the last, / $OVERLOAD_S s.  A probe transfer is good when it got 202 and
its final NOTIFY "200 OK" within $PROBE_OK_MS ms of its REFER; back to full
service = when (after the load dropped) the first REFER was sent of the
unbroken run of good probe transfers that lasts to the probe's end
("never": the probe's last transfer was not good).

| factor | rate/s | offered | answered | 202 | 503 | 503 w/o Retry-After | REFER retrans | answer ms p50 / p99 / max | 503 at >= 500 ms | completed/s | peak RSS MB | full service after s | probe good/calls | agent CPU over the probe % |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$OVL_TABLE

## Allocator: the agent's allocator against glibc's malloc, overload x2

$ALLOC_SECTION

## Scale: ringing transfers (target answers 180, never a final)

Ramp at $SCALE_RATE REFER/s, one fresh agent per step; memory read 2 s
after all N are calling and both NOTIFYs (100, 180) of each were sent.
Heap = the agent's allocated bytes ($HEAP_METHOD; - without gdb);
"settled" = again $SETTLE_S s later (largest step only), once NTA has
dropped the answered REFER transactions (Timer J, 32 s) and completed
NOTIFY transactions; the allocator keeps freed pages, so RSS stays near the peak
until the allocator's release (\`allocator_release_freed()\` of
src/allocator.c, called through gdb, last column: jemalloc's purge of every
arena, or glibc's \`malloc_trim(0)\`) returns them.

| N | calling | RSS idle MB | RSS MB | peak MB | RSS B/transfer | heap B/transfer | RSS settled MB | heap settled B/transfer | RSS settled + release MB | ramp s | failed | retrans |
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
echo "$TABLE" | awk -F'|' 'NR != 2 { printf "%-2s %-90s %-30s %-44s %s\n", $2, $3, $4, $5, $6 }'
echo
echo "agent vs bare NTA floor:"
echo "$FLOOR_TABLE" | awk -F'|' 'NR != 2 { printf "%-2s %-70s %-10s %-10s %-8s %-22s %s\n", $2, $3, $4, $5, $6, $7, $8 }'
echo
echo "top functions (callgrind, self Ir):"
echo "$CG_TOP"
echo
echo "top functions under load (perf cpu-clock, confirm run):"
echo "$PERF_TOP"
echo
echo "load: $LOADS"
echo "written: $RESULTS (raw files: $OUT)"
