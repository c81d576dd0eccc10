# tests/integration/lib.sh - shared by the sipp integration tests (POSIX sh).
#
# A test does:
#     . "${top_srcdir:-.}/tests/integration/lib.sh"
#     AGENT_PORT=$(sta_port)
#     sta_config agent "$AGENT_PORT" transfer.invite_timeout=2
#     sta_start_agent agent
#     sta_target carol target_busy.xml "$(sta_port)"
#     sta_referer alice "$AGENT_PORT" -key code 202 ...
#     sta_wait alice; sta_check "referer sees ..." test $? -eq 0
#     sta_finish
#
# Environment (set by `make check`, guessed from $0 otherwise): top_srcdir,
# top_builddir, SIPP.  Exit status: 0 pass, 1 fail, 77 skip (no sipp),
# 99 hard error (missing build output, nothing listening).
#
# Everything a test starts runs in the background with its PID recorded; the
# EXIT trap stops those PIDs (never by name) and waits for them.  Files go to
# $top_builddir/tests/integration/<test>.out/: NAME.conf and NAME.log for an
# agent (its stderr); NAME.out (sipp's screen), NAME.err (-error_file),
# NAME.msg (-message_file) and NAME.log (<log> actions) for a sipp.  The
# directory is removed when the test passes and kept, with the tail of every
# file printed, when it fails.

STA_TEST=$(basename "$0" .test)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
STA_OUT=$top_builddir/tests/integration/$STA_TEST.out
STA_SCENARIOS=$top_srcdir/tests/sipp
STA_AGENT_BIN=$top_builddir/src/sip-transfer-agent
STA_FREEPORT=$top_builddir/tests/freeport
STA_PIDS=
STA_FAILED=0
STA_CHECKS=0

sta_log() { printf '%s: %s\n' "$STA_TEST" "$*"; }

sta_skip() { sta_log "SKIP: $*"; exit 77; }

sta_hard_error() { sta_log "ERROR: $*"; exit 99; }

# ---- prerequisites -------------------------------------------------------
if [ -z "${SIPP:-}" ]; then
	SIPP=$(command -v sipp 2>/dev/null || true)
fi
if [ -z "$SIPP" ] || ! command -v "$SIPP" >/dev/null 2>&1; then
	sta_skip "sipp not found (set SIPP or install sipp, Debian package sip-tester)"
fi
[ -x "$STA_AGENT_BIN" ] || sta_hard_error "$STA_AGENT_BIN not built (run make)"
[ -x "$STA_FREEPORT" ] || sta_hard_error "$STA_FREEPORT not built (run make check)"
command -v timeout >/dev/null 2>&1 || sta_skip "timeout(1) not found"

rm -rf "$STA_OUT"
mkdir -p "$STA_OUT" || sta_hard_error "cannot create $STA_OUT"

# ---- cleanup ---------------------------------------------------------------
sta_show_tails() {
	for f in "$STA_OUT"/*; do
		[ -f "$f" ] || continue
		case $f in *.conf) n=60 ;; *.msg) n=120 ;; *) n=40 ;; esac
		echo "----- tail -n $n $f"
		tail -n "$n" "$f"
	done
}

sta_cleanup() {
	rc=$?
	trap - EXIT HUP INT TERM
	for pid in $STA_PIDS; do
		kill "$pid" 2>/dev/null
	done
	# Bounded: whatever ignores SIGTERM for 10 s gets SIGKILL.
	i=0
	while [ $i -lt 100 ]; do
		alive=
		for pid in $STA_PIDS; do
			kill -0 "$pid" 2>/dev/null && alive="$alive $pid"
		done
		[ -z "$alive" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	for pid in $alive; do
		sta_log "pid $pid ignored SIGTERM for 10 s: SIGKILL"
		kill -9 "$pid" 2>/dev/null
	done
	for pid in $STA_PIDS; do
		wait "$pid" 2>/dev/null
	done
	# Under STA_WRAPPER=valgrind: lost bytes or any error fail the test.
	for _vg in "$STA_OUT"/valgrind.*.log; do
		[ -n "${STA_WRAPPER:-}" ] && [ -f "$_vg" ] || continue
		_sum=$(grep -E 'definitely lost:|indirectly lost:|ERROR SUMMARY:' "$_vg" |
			sed 's/^==[0-9]*== *//' | tr '\n' ' ')
		sta_log "valgrind ${_vg##*/}: ${_sum:-no summary (agent killed?)}"
		if grep -Eq 'definitely lost: [1-9]|indirectly lost: [1-9]|ERROR SUMMARY: [1-9]' "$_vg" &&
			[ "$rc" -ne 77 ]; then
			[ "$rc" -eq 0 ] && rc=1
			sta_log "FAIL: valgrind found errors or leaks: see $_vg"
		fi
	done
	if [ "$rc" -eq 0 ]; then
		rm -rf "$STA_OUT"
	elif [ "$rc" -ne 77 ] && [ -d "$STA_OUT" ]; then
		sta_show_tails
		sta_log "files kept in $STA_OUT"
	fi
	exit "$rc"
}
trap sta_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- ports -----------------------------------------------------------------
# sta_port: print a port of 127.0.0.1 free for both UDP and TCP.
sta_port() {
	"$STA_FREEPORT" || sta_hard_error "freeport failed"
}

# ---- config ----------------------------------------------------------------
# sta_config NAME PORT [group.key=value ...]
# Write $STA_OUT/NAME.conf: SPEC section 8 with the defaults below (listen on
# 127.0.0.1:PORT for UDP and TCP), each group.key=value replacing one
# setting (the value is written as it is: quote strings, bracket lists).
# control.socket defaults to $STA_OUT/NAME.sock.
sta_config() {
	_name=$1 _port=$2
	shift 2
	c_transfer_notify_interval=1000
	c_transfer_subscription_expires=120
	c_transfer_invite_timeout=60
	c_transfer_max_redirects=0
	c_transfer_max_call_duration=14400
	c_limits_max_active=10000
	c_limits_per_source_rate=50
	c_limits_max_rate=0
	c_limits_max_calls=1000
	c_limits_max_connections=1024
	# limits.overload_control: false unless a test sets it.  The shedding
	# answers 503 whenever the event loop runs 100 ms late, which a loaded
	# CI machine (the ASan pass at -j3) does to any agent now and then:
	# a test of another rule must not get that 503 instead of the answer it
	# checks (notify_hop.test once did).  overload.test sets it.
	c_limits_overload_control=false
	c_policy_allow_from='[ "127.0.0.0/8", "::1/128" ]'
	c_policy_targets='[ "*@127.0.0.1:*" ]'
	c_policy_tel_domain=
	if [ -f "$top_srcdir/conf/offer.sdp" ]; then
		c_media_sdp_file="\"$top_srcdir/conf/offer.sdp\""
	else
		printf 'v=0\r\no=sta-test 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' \
			>"$STA_OUT/offer.sdp"
		c_media_sdp_file="\"$STA_OUT/offer.sdp\""
	fi
	c_media_mode='"silence"'
	# media.audio_file and media.rtp_ports: written only when set (the
	# agent's default range is 20000-29999)
	c_media_audio_file=
	c_media_rtp_ports=
	c_shutdown_grace=1
	# sip.*: written only when set (the agent's defaults: udp_buffer
	# 4194304, tcp_idle_timeout 60, t1 500), so that a test can append a
	# sip group of its own
	c_sip_udp_buffer=
	c_sip_resolv_conf=
	c_sip_tcp_idle_timeout=
	c_sip_t1=
	c_log_level='"debug"'
	c_control_socket="\"$STA_OUT/$_name.sock\""
	for _kv in "$@"; do
		_k=${_kv%%=*}
		_v=${_kv#*=}
		case $_k in
		transfer.notify_interval | transfer.subscription_expires | \
		transfer.invite_timeout | transfer.max_redirects | \
		transfer.max_call_duration | limits.max_active | \
		limits.per_source_rate | limits.max_rate | limits.max_calls | \
		limits.max_connections | limits.overload_control | \
		policy.allow_from | policy.targets | \
		policy.tel_domain | media.sdp_file | media.mode | \
		media.audio_file | media.rtp_ports | shutdown.grace | log.level | \
		sip.udp_buffer | sip.resolv_conf | sip.tcp_idle_timeout | \
		sip.t1 | control.socket)
			_var=c_$(echo "$_k" | tr . _)
			eval "$_var=\$_v"
			;;
		*)
			sta_hard_error "sta_config: unknown setting $_k"
			;;
		esac
	done
	_overload=
	[ -n "$c_limits_overload_control" ] &&
		_overload="overload_control = $c_limits_overload_control; "
	_tel=
	[ -n "$c_policy_tel_domain" ] && _tel="tel_domain = $c_policy_tel_domain; "
	_sip=
	[ -n "$c_sip_udp_buffer" ] && _sip="udp_buffer = $c_sip_udp_buffer; "
	[ -n "$c_sip_resolv_conf" ] && _sip="${_sip}resolv_conf = $c_sip_resolv_conf; "
	[ -n "$c_sip_tcp_idle_timeout" ] &&
		_sip="${_sip}tcp_idle_timeout = $c_sip_tcp_idle_timeout; "
	[ -n "$c_sip_t1" ] && _sip="${_sip}t1 = $c_sip_t1; "
	[ -n "$_sip" ] && _sip="sip = { $_sip};"
	# media.sdp_file= (empty) and the other media keys at their defaults:
	# no media group (the built-in offer, RTP silence)
	_media=
	[ -n "$c_media_sdp_file" ] && _media="sdp_file = $c_media_sdp_file; "
	[ "$c_media_mode" != '"silence"' ] && _media="${_media}mode = $c_media_mode; "
	[ -n "$c_media_audio_file" ] && _media="${_media}audio_file = $c_media_audio_file; "
	[ -n "$c_media_rtp_ports" ] && _media="${_media}rtp_ports = $c_media_rtp_ports; "
	[ -n "$_media" ] && _media="media = { $_media};"
	cat >"$STA_OUT/$_name.conf" <<EOF
# written by tests/integration/lib.sh for $STA_TEST
listen = [ "sip:127.0.0.1:$_port;transport=udp",
           "sip:127.0.0.1:$_port;transport=tcp" ];
transfer = { notify_interval = $c_transfer_notify_interval;
             subscription_expires = $c_transfer_subscription_expires;
             invite_timeout = $c_transfer_invite_timeout;
             max_redirects = $c_transfer_max_redirects;
             max_call_duration = $c_transfer_max_call_duration; };
limits = { max_active = $c_limits_max_active;
           per_source_rate = $c_limits_per_source_rate;
           max_rate = $c_limits_max_rate;
           max_calls = $c_limits_max_calls;
           max_connections = $c_limits_max_connections; $_overload};
policy = { allow_from = $c_policy_allow_from;
           targets = $c_policy_targets; $_tel};
$_media
shutdown = { grace = $c_shutdown_grace; };
log = { level = $c_log_level; };
control = { socket = $c_control_socket; };
$_sip
EOF
}

# ---- processes -------------------------------------------------------------
sta_register_pid() {
	case $2 in
	*[!A-Za-z0-9_]*) sta_hard_error "process name '$2': letters, digits, _ only" ;;
	esac
	STA_PIDS="$STA_PIDS $1"
	eval "STA_PID_$2=$1"
}

# sta_start_agent NAME: run the agent on $STA_OUT/NAME.conf, stderr in
# $STA_OUT/NAME.log, and wait up to 10 s for its "ready" line.
# STA_WRAPPER, when set, is a command line the agent runs under (make
# check-valgrind: valgrind, logging to $STA_OUT/valgrind.PID.log through
# --log-file=%q{STA_OUT}/...; sta_cleanup judges those logs).
sta_start_agent() {
	export STA_OUT
	# shellcheck disable=SC2086 # STA_WRAPPER is a command and its words
	${STA_WRAPPER:-} "$STA_AGENT_BIN" -c "$STA_OUT/$1.conf" >"$STA_OUT/$1.stdout" 2>"$STA_OUT/$1.log" &
	_pid=$!
	sta_register_pid "$_pid" "$1"
	_i=0
	while ! grep -qw ready "$STA_OUT/$1.log" 2>/dev/null; do
		if ! kill -0 "$_pid" 2>/dev/null; then
			wait "$_pid"
			_rc=$?
			sta_log "agent $1 exited with status $_rc before it was ready"
			exit 99
		fi
		_i=$((_i + 1))
		[ $_i -ge 100 ] && sta_hard_error "agent $1 not ready after 10 s"
		sleep 0.1
	done
	sta_log "agent $1 ready (pid $_pid): $(grep -w ready "$STA_OUT/$1.log" | head -n 1)"
}

# sta_stop_agent NAME: SIGTERM, wait (bounded), print and return its status.
sta_stop_agent() {
	eval "_pid=\${STA_PID_$1:-}"
	[ -n "$_pid" ] || return 99
	kill "$_pid" 2>/dev/null
	_i=0
	while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 150 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -0 "$_pid" 2>/dev/null && kill -9 "$_pid"
	wait "$_pid"
	_rc=$?
	sta_log "agent $1 exited with status $_rc"
	return $_rc
}

# sta_sipp NAME SCENARIO [sipp arguments]: start sipp in the background on
# tests/sipp/SCENARIO, bounded by timeout(1), logging to $STA_OUT/NAME.*.
# Defaults (-m 1, -recv_timeout 20 s) can be overridden: the later wins.
sta_sipp() {
	_name=$1 _scen=$2
	shift 2
	timeout 60 "$SIPP" -sf "$STA_SCENARIOS/$_scen" -i 127.0.0.1 -t u1 \
		-nostdin -m 1 -recv_timeout 20000 \
		-trace_err -error_file "$STA_OUT/$_name.err" \
		-trace_msg -message_file "$STA_OUT/$_name.msg" \
		-trace_logs -log_file "$STA_OUT/$_name.log" \
		"$@" >"$STA_OUT/$_name.out" 2>&1 </dev/null &
	sta_register_pid $! "$_name"
}

# sta_target NAME SCENARIO PORT [sipp arguments]: a target (UAS) on PORT.
sta_target() {
	_tname=$1 _tscen=$2 _tport=$3
	shift 3
	sta_sipp "$_tname" "$_tscen" -p "$_tport" "$@"
	sta_wait_port "$_tport"
}

# sta_wait_port PORT: wait (up to 5 s) until something listens on UDP PORT.
sta_wait_port() {
	_i=0
	while [ $_i -lt 50 ]; do
		if command -v ss >/dev/null 2>&1; then
			ss -Hlnu "sport = :$1" 2>/dev/null | grep -q . && return 0
		else
			sleep 0.3
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	sta_hard_error "nothing listens on UDP port $1 after 5 s"
}

# sta_referer NAME AGENT_PORT [sipp arguments]: tests/sipp/referer.xml to the
# agent.  Pass -key NAME VALUE to replace a default below (the first -key of
# a name wins, and yours come first).  REFER_CSEQ is the CSeq of its REFERs.
REFER_CSEQ=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 9000 + 1000))
sta_referer() {
	_rname=$1 _aport=$2
	shift 2
	sta_sipp "$_rname" referer.xml "127.0.0.1:$_aport" -p "$(sta_port)" "$@" \
		-key refer_to_hdr 'X-No-Refer-To: 1' \
		-key refer_to_hdr2 'X-Filler: 1' \
		-key referred_by_hdr 'X-No-Referred-By: 1' \
		-key refer_cseq "$REFER_CSEQ" \
		-key code 202 -key code2 202 -key retry none \
		-key final 'SIP/2.0 200 OK'
}

# sta_wait NAME: wait for the sipp NAME; print and return its exit status
# (0 every call passed, 1 a call failed, 124 killed by timeout(1), 255 an
# <error> of the scenario fired).
sta_wait() {
	eval "_pid=\${STA_PID_$1:-}"
	[ -n "$_pid" ] || sta_hard_error "sta_wait: no process $1"
	wait "$_pid"
	_rc=$?
	sta_log "sipp $1 exited with status $_rc"
	if [ $_rc -ne 0 ]; then
		grep -v '^[[:space:]]*$' "$STA_OUT/$1.err" 2>/dev/null | head -n 20 |
			sed "s/^/    $1.err: /"
	fi
	return $_rc
}

# sta_peer NAME ARGS...: tests/sip_peer.py ARGS in the background (bounded
# by timeout(1)), its output in $STA_OUT/NAME.out; sta_wait NAME waits.
sta_peer() {
	_pname=$1
	shift
	timeout 60 python3 "$top_srcdir/tests/sip_peer.py" "$@" \
		>"$STA_OUT/$_pname.out" 2>&1 </dev/null &
	sta_register_pid $! "$_pname"
}

# sta_stop NAME...: end peers that would otherwise wait out their own
# bound (a target that has seen all it will see): SIGTERM by PID, wait.
sta_stop() {
	for _s in "$@"; do
		eval "_pid=\${STA_PID_$_s:-}"
		[ -n "$_pid" ] || continue
		kill "$_pid" 2>/dev/null
		wait "$_pid" 2>/dev/null
	done
	return 0
}

# sta_count NAME ERE: lines of $STA_OUT/NAME.msg matching ERE (e.g. the
# requests a target received: '^INVITE ').
sta_count() {
	grep -Ec "$2" "$STA_OUT/$1.msg" 2>/dev/null || true
}

# ---- verdicts --------------------------------------------------------------
# sta_check DESCRIPTION COMMAND...: run COMMAND, print PASS/FAIL DESCRIPTION.
sta_check() {
	_desc=$1
	shift
	STA_CHECKS=$((STA_CHECKS + 1))
	if "$@"; then
		echo "PASS: $_desc"
	else
		echo "FAIL: $_desc"
		STA_FAILED=1
	fi
}

# sta_finish: exit 0 when every check passed, else 1.
sta_finish() {
	if [ "$STA_FAILED" -ne 0 ]; then
		sta_log "FAILED"
		exit 1
	fi
	sta_log "all $STA_CHECKS checks passed"
	exit 0
}

# ---- the NOTIFY gap checker -------------------------------------------------
# check_notify_gaps LOGFILE INTERVAL_MS
# LOGFILE holds referer.xml's lines
#   NOTIFY call=<n> sec=<s> usec=<us> state=... event=... ctype=... frag=<line>
# (receive times taken by sipp's gettimeofday).  Prints every gap between
# two consecutive NOTIFYs of one call, and fails when the log has no NOTIFY
# or a gap is shorter than INTERVAL_MS (microsecond resolution) - with one
# exception, the receiver's own jitter: sipp stamps a NOTIFY when it gets
# round to reading it, and one read late makes the next gap look short (a
# run saw 996 ms for two NOTIFYs the agent logged 1013 ms apart).  A gap
# short by less than STA_RECV_JITTER_MS (20) passes only when the send
# times the agents logged themselves ($STA_OUT/*.log, see
# check_agent_notify_gaps) hold no gap below INTERVAL_MS: the agent's
# pacing is still checked exactly, on its side.
STA_RECV_JITTER_MS=${STA_RECV_JITTER_MS:-20}
check_notify_gaps() {
	_rc=0
	notify_gaps_seen "$1" "$2" || _rc=$?
	[ "$_rc" -ne 2 ] && return "$_rc"
	# only short by the receiver's jitter: the agents' own send times decide
	_agent_logs=$(grep -l ' transfer [0-9]*: NOTIFY ' "$STA_OUT"/*.log 2>/dev/null)
	if [ -z "$_agent_logs" ]; then
		echo "no agent log with its NOTIFY send times: the short gap stands"
		return 1
	fi
	# shellcheck disable=SC2086
	check_agent_notify_gaps "$2" $_agent_logs >"$STA_OUT/agent_send_gaps.txt"
	_rc=$?
	echo "short only at the receiver; the agents' send times ($(echo $_agent_logs)): $(grep -c ' ms' "$STA_OUT/agent_send_gaps.txt") gaps, $(grep -c 'TOO CLOSE' "$STA_OUT/agent_send_gaps.txt") below $2 ms"
	grep -e 'TOO CLOSE' -e '^no ' "$STA_OUT/agent_send_gaps.txt"
	return "$_rc"
}

# notify_gaps_seen LOGFILE INTERVAL_MS: the gaps as the receiver saw them;
# exit 0 when none is short, 2 when the short ones are short by less than
# STA_RECV_JITTER_MS, 1 otherwise (or no NOTIFY, or an unparsable line).
notify_gaps_seen() {
	awk -v iv="$2" -v jitter="$STA_RECV_JITTER_MS" '
	$1 == "NOTIFY" {
		call = ""; sec = ""; usec = ""; frag = ""
		for (i = 2; i <= NF; i++) {
			if ($i ~ /^call=/) call = substr($i, 6)
			else if ($i ~ /^sec=/) sec = substr($i, 5)
			else if ($i ~ /^usec=/) usec = substr($i, 6)
		}
		p = index($0, " frag=")
		if (p) frag = substr($0, p + 6)
		if (call == "" || sec == "" || usec == "") {
			print "unparsable line: " $0; bad++; next
		}
		# integer microseconds (below 2^53: exact in awk doubles)
		t = int(sec) * 1000000 + int(usec)
		seen++
		num[call]++
		if (call in last) {
			gap = t - last[call]
			flag = ""
			if (gap < (iv - jitter) * 1000) { flag = "   < " iv " ms: TOO CLOSE"; bad++ }
			else if (gap < iv * 1000) { flag = "   < " iv " ms: TOO CLOSE at the receiver"; soft++ }
			printf "call %s: NOTIFY %d -> %d: %.3f ms (%s -> %s)%s\n", \
			    call, num[call] - 1, num[call], gap / 1000.0, \
			    lastfrag[call], frag, flag
		} else {
			printf "call %s: NOTIFY 1: %s\n", call, frag
		}
		last[call] = t
		lastfrag[call] = frag
	}
	END {
		if (!seen) { print "no NOTIFY logged"; exit 1 }
		exit bad ? 1 : soft ? 2 : 0
	}' "$1"
}

# check_agent_notify_gaps INTERVAL LOG...: the same, from the agents' own
# logs ("TIME info: transfer N: NOTIFY ..." lines, millisecond timestamps
# of the local clock), per agent log and transfer.  For tests where a proxy
# sits between the agent and the referer: the proxy forwards each NOTIFY
# with its own delay, so the gaps the referer sees carry the proxy's jitter
# on top of what the agent did.
check_agent_notify_gaps() {
	_iv=$1
	shift
	awk -v iv="$_iv" '
	FNR == 1 { f++ }
	$3 == "transfer" && $5 == "NOTIFY" && $6 != "answered" {
		split(substr($1, 12), hms, ":")
		t = ((hms[1] * 60 + hms[2]) * 60) * 1000 + int(hms[3] * 1000 + 0.5)
		key = f ":" $4
		seen++
		if (key in last) {
			if (t < last[key]) t += 86400000	# midnight
			gap = t - last[key]
			flag = ""
			if (gap < iv) { flag = "   < " iv " ms: TOO CLOSE"; bad++ }
			printf "%s transfer %s NOTIFY -> %s: %d ms%s\n", \
			    FILENAME, $4, $6 " " $7 " " $8, gap, flag
		}
		last[key] = t
	}
	END {
		if (!seen) { print "no NOTIFY logged"; exit 1 }
		exit bad ? 1 : 0
	}' "$@"
}

# sta_notify_count LOGFILE [CALL]: NOTIFYs referer.xml logged (for CALL).
sta_notify_count() {
	if [ -n "${2:-}" ]; then
		grep -c "^NOTIFY call=$2 " "$1" 2>/dev/null || true
	else
		grep -c '^NOTIFY ' "$1" 2>/dev/null || true
	fi
}

# ---- raw request rules -------------------------------------------------------
# sta_rules NAME HOST AGENT_PORT COMMAND: tests/sip_rules.py (bounded by
# timeout(1)) in the foreground, its "case=answer" lines in $STA_OUT/NAME.out;
# sta_rule NAME CASE prints the answer of CASE.
sta_rules() {
	timeout 60 python3 "$top_srcdir/tests/sip_rules.py" "$2" "$3" "$4" \
		>"$STA_OUT/$1.out" 2>&1 </dev/null
	sta_log "sip_rules.py $4: $(tr '\n' ' ' <"$STA_OUT/$1.out")"
}

sta_rule() {
	sed -n "s/^$2=//p" "$STA_OUT/$1.out" | head -n 1
}

# sta_expect NAME CASE WANT DESCRIPTION: a check that CASE answered WANT.
sta_expect() {
	sta_check "$4: $2 answered $3 (got $(sta_rule "$1" "$2"))" \
		test "$(sta_rule "$1" "$2")" = "$3"
}
