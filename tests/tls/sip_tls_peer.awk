# sip_tls_peer.awk - the SIP side of a TLS referer made of openssl s_client
# (tls.test).  Reads what s_client prints (SIP messages from the agent),
# writes one summary line per message on stdout, and answers every NOTIFY
# with 200 OK by writing to the file (a FIFO feeding s_client's stdin) named
# by -v out=FILE.  It closes OUT, so that s_client sees the end of its input
# and closes the connection, once it has what -v until=WHAT asks for:
#   until=response    the first final response (>= 200);
#   until=terminated  a NOTIFY with Subscription-State terminated, answered.
# Run mawk with -W interactive (else it waits for a full input buffer).
#   RESPONSE <status line> cseq=<CSeq> contact=<Contact>
#   NOTIFY state=<Subscription-State> event=<Event> ctype=<Content-Type> frag=<body line> via=<Via>
# mawk and gawk; lines end in CR LF on the wire.
function hdr(name,   v) {
	v = h[tolower(name)]
	return v
}
function answer() {
	if (closed)
		return
	printf "SIP/2.0 200 OK\r\n" > out
	printf "%s\r\n", "Via: " hdr("via") > out
	printf "%s\r\n", "From: " hdr("from") > out
	printf "%s\r\n", "To: " hdr("to") > out
	printf "%s\r\n", "Call-ID: " hdr("call-id") > out
	printf "%s\r\n", "CSeq: " hdr("cseq") > out
	printf "Content-Length: 0\r\n\r\n" > out
	fflush(out)
}
function done_message() {
	if (start ~ /^SIP\/2\.0 /) {
		printf "RESPONSE %s cseq=%s contact=%s\n", start, hdr("cseq"), hdr("contact")
		if (until == "response" && start !~ /^SIP\/2\.0 1/ && !closed) {
			close(out)
			closed = 1
		}
	} else if (start ~ /^NOTIFY /) {
		printf "NOTIFY state=%s event=%s ctype=%s frag=%s via=%s\n", \
		    hdr("subscription-state"), hdr("event"), hdr("content-type"), \
		    body, hdr("via")
		answer()
		if (until == "terminated" && !closed &&
		    hdr("subscription-state") ~ /^terminated/) {
			close(out)
			closed = 1
		}
	} else if (start != "") {
		printf "REQUEST %s\n", start
	}
	fflush()
	start = ""; body = ""; split("", h); state = 0
}
BEGIN {
	# open the FIFO now: its reader (cat) waits for a writer
	printf "" > out
	fflush(out)
	state = 0	# 0: before a start line, 1: headers, 2: body
}
{
	sub(/\r$/, "")
}
state == 0 {
	if ($0 == "") next
	start = $0; state = 1; clen = 0
	next
}
state == 1 {
	if ($0 == "") {
		clen = hdr("content-length") + 0
		if (clen > 0) { state = 2; got = 0 } else done_message()
		next
	}
	p = index($0, ":")
	if (p) {
		name = tolower(substr($0, 1, p - 1))
		sub(/[ \t]+$/, "", name)
		v = substr($0, p + 1)
		sub(/^[ \t]+/, "", v)
		if (!(name in h)) h[name] = v
	}
	next
}
state == 2 {
	body = body (body == "" ? "" : "|") $0
	got += length($0) + 2
	if (got >= clen) done_message()
	next
}
END {
	if (state) done_message()
	if (!closed) close(out)
}
