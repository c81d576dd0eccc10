#!/usr/bin/env python3
"""tests/rtp_peer.py - a SIP phone's media side, for the media tests (loopback).

    rtp_peer.py hold AGENT_PORT [--seconds S]
        calls the agent (UDP) offering PCMU, PCMA and telephone-event on its
        own RTP port, ACKs, measures the agent's RTP for S seconds (default
        3), holds (re-INVITE sendonly), checks that no RTP comes for 1 s,
        resumes (sendrecv) and measures again, repeats the resume offer
        unchanged, offers audio + video, and hangs up.  Prints one
        "KEY value ..." line per finding (see the test for the keys).
    rtp_peer.py calls AGENT_PORT N
        N calls one after the other, each until RTP from the agent arrives,
        then BYE; prints "CALL i code=C port=P rtp=N" for each.
    rtp_peer.py pair AGENT_PORT
        two calls up at once, each with its own RTP port: prints "PAIR
        first=C1 second=C2 port1=P1 port2=P2 ssrc1=S1 ssrc2=S2" (the
        ports answered, the SSRCs seen: "x" for more than one), a STREAM1
        and STREAM2 line of each one's RTP for 1.5 s (as RTP1 of hold),
        then ends the first call and prints "AFTER first_bye=C rtp1=N"
        (the first's RTP 0.5 s after) and a STREAM2_AFTER line of the
        second's RTP for 1.5 s, "missing" counted from before the BYE.
    rtp_peer.py taken AGENT_PORT RTP_PORT
        holds RTP_PORT and the port above on 127.0.0.1 and calls the
        agent; prints "TAKEN code=C retry_after=R".
    rtp_peer.py payload AGENT_PORT PT
        calls the agent offering only payload type PT (0, 8 or 13), takes
        its RTP for 1 s and prints "PAYLOAD code=C pt=P n=N sizes=S
        distinct=D first=HEX" (D: how many different payload bytes).
    rtp_peer.py freepair
        prints an even UDP port P such that P and P+1 are free on 127.0.0.1.

Only loopback; every wait is bounded.
"""
import re
import select
import socket
import struct
import sys
import time

from sip_wire import say, token

HOST = "127.0.0.1"






def free_pair():
    for _ in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((HOST, 0))
        p = s.getsockname()[1]
        if p % 2 or p > 65000:
            s.close()
            continue
        t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            t.bind((HOST, p + 1))
        except OSError:
            s.close()
            t.close()
            continue
        return s, t
    sys.exit("rtp_peer.py: no free even port pair")


def sdp(port, version, direction="sendrecv", video=False, only=None):
    lines = ["v=0", "o=peer 4711 %d IN IP4 %s" % (version, HOST), "s=-",
             "c=IN IP4 %s" % HOST, "t=0 0"]
    if only is None:
        lines += ["m=audio %d RTP/AVP 0 8 101" % port, "a=rtpmap:0 PCMU/8000",
                  "a=rtpmap:8 PCMA/8000",
                  "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16"]
    else:
        lines += ["m=audio %d RTP/AVP %d" % (port, only)]
    lines += ["a=" + direction]
    if video:
        lines += ["m=video %d RTP/AVP 96" % (port + 10),
                  "a=rtpmap:96 H264/90000"]
    return "\r\n".join(lines) + "\r\n"


class Call:
    def __init__(self, agent_port, rtp_port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]
        self.agent = (HOST, agent_port)
        self.rtp_port = rtp_port
        self.call_id = token() + "@rtp-peer"
        self.tag = token()
        self.to_tag = None
        self.cseq = 0

    def send(self, method, body="", branch=None):
        if method != "ACK":
            self.cseq += 1
        branch = branch or "z9hG4bK" + token()
        to = "<sip:agent@%s:%d>" % self.agent
        if self.to_tag:
            to += ";tag=" + self.to_tag
        msg = ("%s sip:agent@%s:%d SIP/2.0\r\n"
               "Via: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n"
               "Max-Forwards: 70\r\nFrom: <sip:peer@%s:%d>;tag=%s\r\n"
               "To: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n"
               "Contact: <sip:peer@%s:%d>\r\n"
               % (method, self.agent[0], self.agent[1], HOST, self.port,
                  branch, HOST, self.port, self.tag, to, self.call_id,
                  self.cseq, method, HOST, self.port))
        if body:
            msg += "Content-Type: application/sdp\r\n"
        msg += "Content-Length: %d\r\n\r\n%s" % (len(body), body)
        self.sock.sendto(msg.encode(), self.agent)
        return branch

    def final(self, timeout=5.0):
        """The final response to the last request: (code, headers, body)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                data, _ = self.sock.recvfrom(65535)
            except socket.timeout:
                break
            text = data.decode("utf-8", "replace")
            head, _, body = text.partition("\r\n\r\n")
            first = head.split("\r\n")[0]
            if not first.startswith("SIP/2.0 "):
                continue
            code = int(first.split()[1])
            if code < 200 or ("CSeq: %d " % self.cseq) not in head:
                continue
            m = re.search(r"^To:.*;tag=([^;\s>]+)", head, re.M | re.I)
            if m and not self.to_tag:
                self.to_tag = m.group(1)
            return code, head, body
        return 0, "", ""

    def invite(self, body):
        self.send("INVITE", body)
        code, head, answer = self.final()
        self.last_head = head
        if code >= 200:
            self.send("ACK")
        return code, answer

    def bye(self):
        self.send("BYE")
        return self.final()[0]


def answer_facts(answer):
    o = re.search(r"^o=\S+ (\d+) (\d+) IN IP4 (\S+)", answer, re.M)
    c = re.search(r"^c=IN IP4 (\S+)", answer, re.M)
    ms = re.findall(r"^m=(\w+) (\d+) \S+ ([\d ]+)", answer, re.M)
    dirs = re.findall(r"^a=(sendrecv|sendonly|recvonly|inactive)", answer,
                      re.M)
    return {
        "version": int(o.group(2)) if o else -1,
        "o_addr": o.group(3) if o else "",
        "c_addr": c.group(1) if c else "",
        "mlines": ["%s:%s" % (k, p) for k, p, _ in ms],
        "audio_port": int(ms[0][1]) if ms else 0,
        "pt": int(ms[0][2].split()[0]) if ms else -1,
        "te": "telephone-event/8000" in answer,
        "dir": dirs[0] if dirs else "sendrecv",
    }


def receive(rtp, seconds, payloads=None):
    """RTP packets for SECONDS: (arrival, seq, ts, pt, marker, size); their
    payloads appended to PAYLOADS when given."""
    out = []
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return out
        rtp.settimeout(left)
        try:
            data = rtp.recv(2048)
        except socket.timeout:
            return out
        if len(data) >= 12:
            b1, seq, ts = data[1], *struct.unpack("!HI", data[2:8])
            out.append((time.monotonic(), seq, ts, b1 & 0x7f, b1 >> 7,
                        len(data) - 12))
            if payloads is not None:
                payloads.append(data[12:])


def stats(name, pkts):
    """One line on PKTS: intervals within 20 +- 5 ms, sequence and
    timestamp steps, payload types."""
    gaps = [(b[0] - a[0]) * 1000 for a, b in zip(pkts, pkts[1:])]
    within = sum(1 for g in gaps if 15 <= g <= 25)
    missing = sum(((b[1] - a[1]) % 65536) - 1 for a, b in zip(pkts, pkts[1:]))
    bad_ts = sum(1 for a, b in zip(pkts, pkts[1:])
                 if (b[2] - a[2]) % (1 << 32) != 160)
    pts = sorted({p[3] for p in pkts})
    sizes = sorted({p[5] for p in pkts})
    pct = 100.0 * within / len(gaps) if gaps else 0.0
    mean = sum(gaps) / len(gaps) if gaps else 0.0
    say("%s n=%d within_pct=%.1f mean_ms=%.2f min_ms=%.2f max_ms=%.2f "
        "missing=%d bad_ts=%d pts=%s sizes=%s"
        % (name, len(pkts), pct, mean, min(gaps) if gaps else 0,
           max(gaps) if gaps else 0, missing, bad_ts,
           ",".join(map(str, pts)), ",".join(map(str, sizes))))
    return pkts


def drain(sock):
    """Read what waits on SOCK; the sequence number of the last RTP packet
    among it, or None."""
    last = None
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(2048)
            if len(data) >= 12:
                last = struct.unpack("!H", data[2:4])[0]
    except OSError:
        pass
    return last


def cmd_hold(agent_port, seconds):
    rtp, rtcp = free_pair()
    port = rtp.getsockname()[1]
    call = Call(agent_port, port)
    code, answer = call.invite(sdp(port, 1))
    f = answer_facts(answer)
    say("ANSWER1 code=%d version=%d dir=%s te=%d pt=%d port=%d o=%s c=%s"
        % (code, f["version"], f["dir"], f["te"], f["pt"], f["audio_port"],
           f["o_addr"], f["c_addr"]))
    if code != 200:
        return
    v1 = f["version"]
    first = stats("RTP1", receive(rtp, seconds))
    code, answer = call.invite(sdp(port, 2, "sendonly"))
    f = answer_facts(answer)
    say("HOLD code=%d version=%d dir=%s te=%d port=%d"
        % (code, f["version"] - v1, f["dir"], f["te"], f["audio_port"]))
    time.sleep(0.1)                       # what was on the way
    last_seq = drain(rtp)
    if last_seq is None and first:
        last_seq = first[-1][1]
    say("HELD rtp=%d" % len(receive(rtp, 1.0)))
    code, answer = call.invite(sdp(port, 3, "sendrecv"))
    f = answer_facts(answer)
    say("RESUME code=%d version=%d dir=%s te=%d"
        % (code, f["version"] - v1, f["dir"], f["te"]))
    again = stats("RTP2", receive(rtp, 1.5))
    if last_seq is not None and again:
        say("CONTINUITY seq_step=%d marker=%d"
            % ((again[0][1] - last_seq) % 65536, again[0][4]))
    code, answer = call.invite(sdp(port, 3, "sendrecv"))
    f = answer_facts(answer)
    say("SAME code=%d version=%d" % (code, f["version"] - v1))
    code, answer = call.invite(sdp(port, 4, "sendrecv", video=True))
    f = answer_facts(answer)
    say("VIDEO code=%d mlines=%s" % (code, ",".join(f["mlines"])))
    rtcp.settimeout(6.0)                  # the first report: 5 s into the call
    try:
        data = rtcp.recv(2048)
        say("RTCP pt=%d len=%d" % (data[1], len(data)))
    except socket.timeout:
        say("RTCP none")
    say("BYE code=%d" % call.bye())
    time.sleep(0.1)
    drain(rtp)
    say("AFTER_BYE rtp=%d" % len(receive(rtp, 0.5)))


def cmd_calls(agent_port, n):
    rtp, _rtcp = free_pair()
    port = rtp.getsockname()[1]
    for i in range(1, n + 1):
        call = Call(agent_port, port)
        code, answer = call.invite(sdp(port, 1))
        f = answer_facts(answer)
        got = len(receive(rtp, 0.5)) if code == 200 else 0
        bye = call.bye() if code == 200 else 0
        say("CALL %d code=%d port=%d rtp=%d bye=%d"
            % (i, code, f["audio_port"], got, bye))
        time.sleep(0.1)
        drain(rtp)


def cmd_payload(agent_port, pt):
    rtp, _rtcp = free_pair()
    port = rtp.getsockname()[1]
    call = Call(agent_port, port)
    code, answer = call.invite(sdp(port, 1, only=pt))
    payloads = []
    pkts = receive(rtp, 1.0, payloads) if code == 200 else []
    data = b"".join(payloads)
    say("PAYLOAD code=%d pt=%s n=%d sizes=%s distinct=%d first=%s"
        % (code, ",".join(sorted({str(p[3]) for p in pkts})) or "-",
           len(pkts), ",".join(sorted({str(p[5]) for p in pkts})) or "-",
           len(set(data)), data[:4].hex() or "-"))
    if code == 200:
        call.bye()


def receive_ssrc(socks, seconds):
    """RTP packets on each of SOCKS for SECONDS, as receive() gives them,
    and the set of SSRCs seen on each."""
    pkts = [[] for _ in socks]
    ssrcs = [set() for _ in socks]
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return pkts, ssrcs
        ready, _, _ = select.select(socks, [], [], left)
        for k, sock in enumerate(socks):
            if sock not in ready:
                continue
            data = sock.recv(2048)
            if len(data) >= 12:
                b1, seq, ts, ssrc = data[1], *struct.unpack("!HII", data[2:12])
                pkts[k].append((time.monotonic(), seq, ts, b1 & 0x7f,
                                b1 >> 7, len(data) - 12))
                ssrcs[k].add(ssrc)


def cmd_pair(agent_port):
    rtp1, _rtcp1 = free_pair()
    rtp2, _rtcp2 = free_pair()
    port1, port2 = rtp1.getsockname()[1], rtp2.getsockname()[1]
    first, second = Call(agent_port, port1), Call(agent_port, port2)
    c1, a1 = first.invite(sdp(port1, 1))
    c2, a2 = second.invite(sdp(port2, 1))
    if c1 == 200 and c2 == 200:
        time.sleep(0.1)                   # both streams under way
        drain(rtp1)
        drain(rtp2)
    (p1, p2), (s1, s2) = receive_ssrc([rtp1, rtp2], 1.5)
    one = lambda ssrcs: "%08x" % next(iter(ssrcs)) if len(ssrcs) == 1 else "x"
    say("PAIR first=%d second=%d port1=%d port2=%d ssrc1=%s ssrc2=%s"
        % (c1, c2, answer_facts(a1)["audio_port"],
           answer_facts(a2)["audio_port"], one(s1), one(s2)))
    stats("STREAM1", p1)
    stats("STREAM2", p2)
    if c1 != 200 or c2 != 200:
        return
    bye = first.bye()
    time.sleep(0.1)
    drain(rtp1)
    (q1, q2), (_t1, t2) = receive_ssrc([rtp1, rtp2], 1.5)
    say("AFTER first_bye=%d rtp1=%d ssrc2=%s"
        % (bye, len(q1), one(s2 | t2)))
    stats("STREAM2_AFTER", p2[-1:] + q2)
    second.bye()


def cmd_taken(agent_port, rtp_port):
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind((HOST, rtp_port))
    rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtcp.bind((HOST, rtp_port + 1))
    port = free_pair()[0].getsockname()[1]
    call = Call(agent_port, port)
    code, _ = call.invite(sdp(port, 1))
    m = re.search(r"^Retry-After:\s*(\d+)", call.last_head, re.M | re.I)
    say("TAKEN code=%d retry_after=%s" % (code, m.group(1) if m else "-"))
    if code == 200:
        call.bye()


def main(argv):
    if len(argv) >= 2 and argv[1] == "freepair":
        s, _t = free_pair()
        say(str(s.getsockname()[1]))
    elif len(argv) >= 3 and argv[1] == "hold":
        seconds = float(argv[4]) if len(argv) >= 5 and argv[3] == "--seconds" else 3.0
        cmd_hold(int(argv[2]), seconds)
    elif len(argv) == 4 and argv[1] == "payload":
        cmd_payload(int(argv[2]), int(argv[3]))
    elif len(argv) == 3 and argv[1] == "pair":
        cmd_pair(int(argv[2]))
    elif len(argv) == 4 and argv[1] == "taken":
        cmd_taken(int(argv[2]), int(argv[3]))
    elif len(argv) == 4 and argv[1] == "calls":
        cmd_calls(int(argv[2]), int(argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
