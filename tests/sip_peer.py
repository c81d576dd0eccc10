#!/usr/bin/env python3
"""tests/sip_peer.py - raw SIP and DNS peers for the wire tests (loopback).

What sipp scenarios cannot say briefly: REFERs whose Contact, Record-Route
or source address point somewhere else, a target that records every
request and answers with a chosen Contact, and a DNS server that answers
from a table, logs every question and never answers some names.

    sip_peer.py refer AGENT_PORT REFER_TO [--bind IP] [--contact URI]
        [--record-route URI] [--seconds S]
        prints "STATUS code phrase", then "NOTIFY sipfrag-line" for each
        NOTIFY (answered 200) until the final one or S seconds.
    sip_peer.py options AGENT_PORT [--bind IP] [--method M] [--contact URI]
        [--via-maddr HOST] [--port P]
        sends M (default OPTIONS, no body) and prints "STATUS code ms"
        (the final answer and the time it took).
    sip_peer.py uas IP PORT [--code C] [--contact URI] [--fork-contact URI]
        [--refer REFER_TO] [--seconds S]
        prints "REQUEST METHOD R-URI" for every request (and "RESPONSE
        code phrase" for any response that reaches it); answers INVITE
        with C (a 2xx or 3xx carries --contact), then, with --fork-contact,
        with a second 200 of another To tag naming that Contact (a fork);
        BYE and the rest 200.  With --refer, right after its 2xx it sends
        a REFER to REFER_TO in that call (to the INVITE's Contact, with
        --contact as its own); its answer prints as a RESPONSE line.
    sip_peer.py transferee AGENT_PORT [--refer-code C] [--refer-sub-false]
        [--notify 100,200] [--delay S] [--gap S] [--seconds S]
        calls the agent (INVITE, 200, ACK) and prints "CALL call-id
        its-tag agent-tag"; for a REFER in that call prints "REFER
        <Refer-To> <Referred-By>", answers it C (default 202), then sends
        one NOTIFY per listed status (the first --delay after the REFER,
        the others --gap apart, the last one terminated),
        printing "NOTIFY-ANSWER code" for each; answers a BYE 200 and
        prints "REQUEST BYE".
    sip_peer.py dns IP PORT --log FILE [--map NAME=IP ...] [--hang NAME]
        [--seconds S]
        A records from the map, nothing for AAAA, no answer at all for a
        --hang name; each question is logged as "QUERY name type".

Every peer stops by itself after --seconds (default 20).  Only loopback
addresses are accepted.
"""
import argparse
import socket
import struct
import sys
import time

from sip_wire import first, parse, say, tag_of, token


def loopback(ip):
    if not (ip.startswith("127.") or ip == "::1"):
        sys.exit("sip_peer.py: %s is not a loopback address" % ip)
    return ip








def reply(sock, addr, start, headers, code, phrase, extra=""):
    out = ["SIP/2.0 %d %s" % (code, phrase)]
    for name in ("via", "from", "to", "call-id", "cseq"):
        for value in headers.get(name, []):
            if name == "to" and "tag=" not in value:
                value += ";tag=" + token()
            out.append("%s: %s" % (name.title(), value))
    out.append(extra + "Content-Length: 0")
    sock.sendto(("\r\n".join(out) + "\r\n\r\n").encode(), addr)


def udp(bind_ip, port=0):
    family = socket.AF_INET6 if ":" in bind_ip else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((loopback(bind_ip), port))
    return sock


def request(sock, agent_port, method, ruri, extra_headers, via_params=""):
    ip, port = sock.getsockname()[:2]
    msg = ("%s %s SIP/2.0\r\n"
           "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s;rport%s\r\n"
           "Max-Forwards: 70\r\n"
           "From: <sip:peer@%s:%d>;tag=%s\r\n"
           "To: <%s>\r\n"
           "Call-ID: %s@sip-peer\r\n"
           "CSeq: 1 %s\r\n"
           "%s"
           "Content-Length: 0\r\n\r\n") % (
        method, ruri, ip, port, token(), via_params, ip, port, token(), ruri,
        token(), method, "".join(h + "\r\n" for h in extra_headers))
    sock.sendto(msg.encode(), ("127.0.0.1", agent_port))


def datagrams(sock, deadline):
    """Yield (data, address) of what arrives until DEADLINE (time.time)."""
    while time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            yield sock.recvfrom(65536)
        except socket.timeout:
            return


def final_response(sock, deadline):
    for data, _ in datagrams(sock, deadline):
        start, _, _ = parse(data)
        if start.startswith("SIP/2.0 ") and int(start.split()[1]) >= 200:
            return start
    return None


def cmd_refer(a):
    sock = udp(a.bind)
    ip, port = sock.getsockname()[:2]
    contact = a.contact or "<sip:referer@%s:%d>" % (ip, port)
    extra = ["Contact: " + contact, "Refer-To: <%s>" % a.refer_to]
    if a.record_route:
        extra.append("Record-Route: <%s>" % a.record_route)
    deadline = time.time() + a.seconds
    request(sock, a.agent_port, "REFER",
            "sip:agent@127.0.0.1:%d" % a.agent_port, extra)
    for data, addr in datagrams(sock, deadline):
        start, headers, body = parse(data)
        if start.startswith("SIP/2.0 "):
            if int(start.split()[1]) >= 200:
                say("STATUS " + start[8:])
                if not start.startswith("SIP/2.0 2"):
                    return
            continue
        if start.startswith("NOTIFY "):
            reply(sock, addr, start, headers, 200, "OK")
            say("NOTIFY " + body.split("\r\n")[0])
            if "terminated" in headers.get("subscription-state", [""])[0]:
                return


def cmd_options(a):
    sock = udp(a.bind, a.port)
    start = time.time()
    extra = ["Contact: " + a.contact] if a.contact else []
    request(sock, a.agent_port, a.method,
            "sip:agent@127.0.0.1:%d" % a.agent_port, extra,
            ";maddr=" + a.via_maddr if a.via_maddr else "")
    line = final_response(sock, start + a.seconds)
    code = line.split()[1] if line else "none"
    say("STATUS %s %d" % (code, int((time.time() - start) * 1000)))


def cmd_uas(a):
    sock = udp(a.ip, a.port)
    for data, addr in datagrams(sock, time.time() + a.seconds):
        start, headers, _ = parse(data)
        if start.startswith("SIP/2.0"):
            say("RESPONSE " + start[8:])
            continue
        method, ruri = start.split()[:2]
        say("REQUEST %s %s" % (method, ruri))
        if method == "ACK":
            continue
        if method == "INVITE":
            extra = ""
            if a.contact and 200 <= a.code < 400:
                extra = "Contact: <%s>\r\n" % a.contact
            if tag_of(headers["to"][0]) is None:
                headers["to"] = [headers["to"][0] + ";tag=" + token()]
            reply(sock, addr, start, headers, a.code, "Answer", extra)
            if a.refer and 200 <= a.code < 300:
                refer_in_call(sock, addr, headers, a)
            if a.fork_contact:
                headers["to"] = [headers["to"][0].split(";tag=")[0]]
                reply(sock, addr, start, headers, 200, "Fork",
                      "Contact: <%s>\r\n" % a.fork_contact)
        else:
            reply(sock, addr, start, headers, 200, "OK")


def refer_in_call(sock, addr, invite, a):
    """A REFER to A.refer in the call INVITE set up (the agent placed it):
    From and To swapped, to the INVITE's Contact, CSeq 1 of this side."""
    ip, port = sock.getsockname()[:2]
    contact = a.contact or "sip:target@%s:%d" % (ip, port)
    msg = ("REFER %s SIP/2.0\r\n"
           "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s;rport\r\n"
           "Max-Forwards: 70\r\n"
           "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 REFER\r\n"
           "Contact: <%s>\r\nRefer-To: <%s>\r\n"
           "Content-Length: 0\r\n\r\n") % (
        first(invite, "contact").strip("<>"), ip, port, token(),
        first(invite, "to"), first(invite, "from"), first(invite, "call-id"),
        contact, a.refer)
    sock.sendto(msg.encode(), addr)


class Call:
    """The transferee's side of one call with the agent."""

    def __init__(self, sock, agent_port):
        self.sock, self.agent_port = sock, agent_port
        self.ip, self.port = sock.getsockname()[:2]
        self.call_id = token() + "@sip-peer"
        self.tag, self.cseq = token(), 1
        self.agent_tag, self.target = None, None

    def send(self, method, extra=(), body="", cseq=None):
        to = "<sip:agent@127.0.0.1:%d>" % self.agent_port
        if self.agent_tag:
            to += ";tag=" + self.agent_tag
        msg = ("%s %s SIP/2.0\r\n"
               "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s;rport\r\n"
               "Max-Forwards: 70\r\n"
               "From: <sip:bob@%s:%d>;tag=%s\r\n"
               "To: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n"
               "Contact: <sip:bob@%s:%d>\r\n%s"
               "Content-Length: %d\r\n\r\n%s") % (
            method, self.target or "sip:agent@127.0.0.1:%d" %
            self.agent_port, self.ip, self.port, token(), self.ip,
            self.port, self.tag, to, self.call_id, cseq or self.cseq,
            method, self.ip, self.port,
            "".join(h + "\r\n" for h in extra), len(body), body)
        self.sock.sendto(msg.encode(), ("127.0.0.1", self.agent_port))

    def establish(self, deadline):
        sdp = ("v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
               "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n")
        self.send("INVITE", ["Content-Type: application/sdp"], sdp)
        for data, _ in datagrams(self.sock, deadline):
            start, headers, _ = parse(data)
            if start.startswith("SIP/2.0 2"):
                self.agent_tag = first(headers, "to").split("tag=")[1]
                self.target = first(headers, "contact").strip("<>")
                self.send("ACK", cseq=1)
                say("CALL %s %s %s" % (self.call_id, self.tag,
                                       self.agent_tag))
                return True
        return False

    def notify(self, event, status, final):
        self.cseq += 1
        state = "terminated;reason=noresource" if final else \
            "active;expires=60"
        self.send("NOTIFY", ["Event: " + event,
                             "Subscription-State: " + state,
                             "Content-Type: message/sipfrag;version=2.0"],
                  "SIP/2.0 %s\r\n" % status)


PHRASES = {100: "Trying", 180: "Ringing", 200: "OK", 486: "Busy Here"}


def cmd_transferee(a):
    sock = udp("127.0.0.1")
    deadline = time.time() + a.seconds
    call = Call(sock, a.agent_port)
    if not call.establish(deadline):
        return
    pending = []
    event, next_at = None, 0
    while time.time() < deadline:
        wait = deadline - time.time()
        if pending:
            wait = min(wait, next_at - time.time())
        sock.settimeout(max(0.01, wait))
        try:
            data, addr = sock.recvfrom(65536)
        except socket.timeout:
            data = None
        if data:
            got = transferee_handle(a, sock, call, data, addr)
            if got:
                pending, event = got
                next_at = time.time() + a.delay
        while pending and time.time() >= next_at:
            code = pending.pop(0)
            call.notify(event, "%d %s" % (code, PHRASES.get(code, "X")),
                        not pending)
            next_at = time.time() + a.gap


def transferee_handle(a, sock, call, data, addr):
    """Answer one message; returns (NOTIFY statuses, Event) for a REFER."""
    start, headers, _ = parse(data)
    if start.startswith("SIP/2.0 "):
        if "NOTIFY" in first(headers, "cseq"):
            say("NOTIFY-ANSWER " + start.split()[1])
    elif start.startswith("REFER "):
        say("REFER %s %s" % (first(headers, "refer-to"),
                             first(headers, "referred-by")))
        extra = "Refer-Sub: false\r\n" if a.refer_sub_false else ""
        phrase = "Accepted" if a.refer_code < 300 else "Decline"
        reply(sock, addr, start, headers, a.refer_code, phrase, extra)
        if a.refer_code < 300 and not a.refer_sub_false and a.notify:
            return ([int(c) for c in a.notify.split(",")],
                    "refer;id=" + first(headers, "cseq").split()[0])
    elif start.startswith("BYE "):
        say("REQUEST BYE")
        reply(sock, addr, start, headers, 200, "OK")
    elif not start.startswith("ACK "):
        reply(sock, addr, start, headers, 200, "OK")
    return None


def dns_name(packet, pos):
    labels = []
    while packet[pos]:
        n = packet[pos]
        labels.append(packet[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += n + 1
    return ".".join(labels).lower(), pos + 1


def cmd_dns(a):
    table = dict(m.lower().split("=", 1) for m in a.map)
    hang = {h.lower() for h in a.hang}
    sock = udp(a.ip, a.port)
    with open(a.log, "a") as log:
        for packet, addr in datagrams(sock, time.time() + a.seconds):
            qid, = struct.unpack("!H", packet[:2])
            name, pos = dns_name(packet, 12)
            qtype, = struct.unpack("!H", packet[pos:pos + 2])
            log.write("QUERY %s %d\n" % (name, qtype))
            log.flush()
            if name in hang:
                continue
            question = packet[12:pos + 4]
            answer = b""
            rcode = 0 if name in table else 3
            if name in table and qtype == 1:
                answer = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) +
                          socket.inet_aton(table[name]))
            head = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1,
                               1 if answer else 0, 0, 0)
            sock.sendto(head + question + answer, addr)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("refer")
    r.add_argument("agent_port", type=int)
    r.add_argument("refer_to")
    r.add_argument("--bind", default="127.0.0.1")
    r.add_argument("--contact")
    r.add_argument("--record-route")
    r.add_argument("--seconds", type=float, default=20)
    o = sub.add_parser("options")
    o.add_argument("agent_port", type=int)
    o.add_argument("--bind", default="127.0.0.1")
    o.add_argument("--method", default="OPTIONS")
    o.add_argument("--contact")
    o.add_argument("--via-maddr")
    o.add_argument("--port", type=int, default=0)
    o.add_argument("--seconds", type=float, default=10)
    u = sub.add_parser("uas")
    u.add_argument("ip")
    u.add_argument("port", type=int)
    u.add_argument("--code", type=int, default=486)
    u.add_argument("--contact")
    u.add_argument("--fork-contact")
    u.add_argument("--refer")
    u.add_argument("--seconds", type=float, default=20)
    t = sub.add_parser("transferee")
    t.add_argument("agent_port", type=int)
    t.add_argument("--refer-code", type=int, default=202)
    t.add_argument("--refer-sub-false", action="store_true")
    t.add_argument("--notify", default="")
    t.add_argument("--gap", type=float, default=0.3)
    t.add_argument("--delay", type=float, default=0.1)
    t.add_argument("--seconds", type=float, default=20)
    d = sub.add_parser("dns")
    d.add_argument("ip")
    d.add_argument("port", type=int)
    d.add_argument("--log", required=True)
    d.add_argument("--map", action="append", default=[])
    d.add_argument("--hang", action="append", default=[])
    d.add_argument("--seconds", type=float, default=20)
    a = p.parse_args()
    {"refer": cmd_refer, "options": cmd_options, "uas": cmd_uas,
     "transferee": cmd_transferee, "dns": cmd_dns}[a.cmd](a)


if __name__ == "__main__":
    main()
