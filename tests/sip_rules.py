#!/usr/bin/env python3
"""tests/sip_rules.py - raw SIP over loopback UDP (IPv4 or IPv6) for the
request rules of SPEC sections 2 and 6: Request-URI, Require, requests in
dialogs that ended or never existed, CSeq order, Replaces, the agent's SDP.

It owns its own sockets on HOST (127.0.0.1 or ::1) and nothing else; every
wait is bounded.  Each command prints "case=answer" lines the test scripts
check (answer: the final status, "none" when nothing came in time):

  sip_rules.py HOST AGENT_PORT ruri
      REFERs whose Request-URI is not-a-uri, mailto:x@y, http://..., tel:.
  sip_rules.py HOST AGENT_PORT require
      REFER, INVITE, OPTIONS, SUBSCRIBE with Require: no-such-ext outside
      any dialog, OPTIONS and REFER with it inside a call, and Require:
      replaces (supported); the 420s' Unsupported values.
  sip_rules.py HOST AGENT_PORT dialog
      OPTIONS/SUBSCRIBE with a To tag of no dialog; two REFERs with one
      CSeq in a dialog, a lower CSeq; a REFER after the referer's BYE.
  sip_rules.py HOST AGENT_PORT replaces
      INVITE with Replaces;early-only naming a confirmed call, Replaces
      naming no dialog, then one naming a call that has ended.
  sip_rules.py HOST AGENT_PORT sdp
      an INVITE without SDP; prints the agent's offer, one line a field.
  sip_rules.py HOST AGENT_PORT transfer
      a REFER to a target on HOST (played here, it answers 200 with SDP):
      the 202, the target's INVITE (Request-URI, its SDP lines), the
      agent's Contact and the NOTIFYs' sipfrags.
  sip_rules.py HOST AGENT_PORT loop
      a REFER whose target is the agent's own address (482).
"""
import socket
import sys
import time

from sip_wire import first, parse, tag_of, token

SDP_V4 = ("v=0\r\no=probe 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
          "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"
          "a=rtpmap:0 PCMU/8000\r\n")




def hostport(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)








class Peer:
    """A UDP socket on HOST that sends requests to the agent, answers the
    agent's requests (NOTIFY, BYE: 200; INVITE to the target: 200 + SDP)
    and collects final responses."""

    def __init__(self, host, agent_port):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.host = host
        self.agent = (host, agent_port)
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.me = hostport(host, self.port)
        self.from_tag = token()
        self.seen = []		# requests from the agent: (start, hdrs, body)
        self.finals = {}	# (Call-ID, CSeq) -> (status, hdrs, body)

    def send(self, text, addr=None):
        self.sock.sendto(text.encode(), addr or self.agent)

    def request(self, method, call_id, cseq, ruri=None, to_tag=None,
                extra="", body=""):
        ruri = ruri or "sip:agent@" + hostport(*self.agent)
        to = "<sip:agent@%s>" % hostport(*self.agent)
        if to_tag:
            to += ";tag=" + to_tag
        msg = ("%s %s SIP/2.0\r\n" % (method, ruri) +
               "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\n" % (
                   self.me, token()) +
               "Max-Forwards: 70\r\n"
               "From: <sip:probe@%s>;tag=%s\r\n" % (self.me, self.from_tag) +
               "To: %s\r\nCall-ID: %s\r\n" % (to, call_id) +
               "CSeq: %d %s\r\n" % (cseq, method) +
               "Contact: <sip:probe@%s>\r\n" % self.me + extra)
        if body:
            msg += "Content-Type: application/sdp\r\n"
        msg += "Content-Length: %d\r\n\r\n%s" % (len(body.encode()), body)
        self.send(msg)

    def answer(self, start, hdrs, addr, status="200 OK", extra="", body=""):
        out = ["SIP/2.0 " + status]
        for name in ("via", "from", "to", "call-id", "cseq"):
            for value in hdrs.get(name, []):
                if name == "to" and "tag=" not in value:
                    value += ";tag=" + token()
                out.append("%s: %s" % (name.title(), value))
        if body:
            out.append("Content-Type: application/sdp")
        out.append(extra + "Content-Length: %d" % len(body.encode()))
        self.send("\r\n".join(out) + "\r\n\r\n" + body, addr)

    def pump(self, until, seconds):
        """Read until UNTIL() holds or SECONDS pass."""
        end = time.monotonic() + seconds
        while not until() and time.monotonic() < end:
            self.sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                break
            start, hdrs, body = parse(data)
            if start.startswith("SIP/2.0 "):
                status = int(start.split()[1])
                if status >= 200:
                    key = (first(hdrs, "call-id"),
                           int(first(hdrs, "cseq").split()[0]))
                    self.finals.setdefault(key, (status, hdrs, body))
                continue
            self.seen.append((start, hdrs, body))
            method = start.split()[0]
            if method == "INVITE":
                self.answer(start, hdrs, addr, extra="Contact: <sip:target@"
                            "%s>\r\n" % self.me, body=sdp_of(self.host))
            elif method != "ACK":
                self.answer(start, hdrs, addr)

    def ask(self, method, call_id, cseq, seconds=5.0, **kw):
        """Send a request and wait for its final: (status, hdrs, body)."""
        key = (call_id, cseq)
        self.finals.pop(key, None)
        self.request(method, call_id, cseq, **kw)
        self.pump(lambda: key in self.finals, seconds)
        return self.finals.get(key, (None, {}, ""))

    def call(self, call_id, extra="", body=SDP_V4):
        """INVITE, ACK: the final answer and the agent's To tag."""
        status, hdrs, body = self.ask("INVITE", call_id, 1, extra=extra,
                                      body=body)
        tag = tag_of(first(hdrs, "to"))
        if status:
            self.request("ACK", call_id, 1, to_tag=tag)
        return status, tag, body


def sdp_of(host):
    if ":" in host:
        return SDP_V4.replace("IP4 127.0.0.1", "IP6 " + host)
    return SDP_V4


def code(status):
    return "none" if status is None else str(status)


def say(case, value):
    print("%s=%s" % (case, value), flush=True)


def refer_to(peer):
    return "Refer-To: <sip:carol@%s>\r\n" % peer.me


def cmd_ruri(peer):
    for case, ruri in (("not_a_uri", "not-a-uri"), ("mailto", "mailto:x@y"),
                       ("http", "http://example.com/x"),
                       ("tel", "tel:+15551234567")):
        say(case, code(peer.ask("REFER", token(), 1, ruri=ruri,
                                extra=refer_to(peer) +
                                "Refer-Sub: false\r\n")[0]))


def cmd_require(peer):
    req = "Require: no-such-ext\r\n"
    for method, extra in (("REFER", refer_to(peer) + "Refer-Sub: false\r\n"),
                          ("INVITE", ""), ("OPTIONS", ""),
                          ("SUBSCRIBE", "Event: refer\r\n")):
        status, hdrs, _ = peer.ask(method, token(), 1, extra=extra + req)
        say(method.lower(), code(status))
        if method == "REFER":
            say("unsupported", first(hdrs, "unsupported"))
    status, hdrs, _ = peer.ask("OPTIONS", token(), 1,
                               extra="Require: replaces, x-a\r\n"
                               "Require: X-B, norefersub\r\n")
    say("options_two", "%s:%s" % (code(status), first(hdrs, "unsupported")))
    say("options_supported", code(peer.ask(
        "OPTIONS", token(), 1, extra="Require: replaces\r\n")[0]))
    call_id = token()
    status, tag, _ = peer.call(call_id)
    say("call", code(status))
    say("in_dialog_options", code(peer.ask(
        "OPTIONS", call_id, 2, to_tag=tag, extra=req)[0]))
    say("in_dialog_refer", code(peer.ask(
        "REFER", call_id, 3, to_tag=tag,
        extra=refer_to(peer) + "Refer-Sub: false\r\n" + req)[0]))
    say("bye", code(peer.ask("BYE", call_id, 4, to_tag=tag)[0]))


def cmd_dialog(peer):
    say("options_no_dialog", code(peer.ask(
        "OPTIONS", token(), 1, to_tag=token())[0]))
    say("subscribe_no_dialog", code(peer.ask(
        "SUBSCRIBE", token(), 1, to_tag=token(),
        extra="Event: refer;id=1\r\n")[0]))
    call_id = token()
    status, tag, _ = peer.call(call_id)
    say("call", code(status))
    refer = refer_to(peer)
    say("refer_5", code(peer.ask("REFER", call_id, 5, to_tag=tag,
                                 extra=refer)[0]))
    say("refer_5_again", code(peer.ask("REFER", call_id, 5, to_tag=tag,
                                       extra=refer)[0]))
    say("refer_4", code(peer.ask("REFER", call_id, 4, to_tag=tag,
                                 extra=refer)[0]))
    say("options_6", code(peer.ask("OPTIONS", call_id, 6, to_tag=tag)[0]))
    say("bye", code(peer.ask("BYE", call_id, 7, to_tag=tag)[0]))
    say("refer_after_bye", code(peer.ask("REFER", call_id, 8, to_tag=tag,
                                         extra=refer)[0]))
    say("options_after_bye", code(peer.ask("OPTIONS", call_id, 9,
                                           to_tag=tag)[0]))
    # a REFER's own dialog, kept alive by its subscription
    call_id = token()
    status, hdrs, _ = peer.ask("REFER", call_id, 1, extra=refer)
    say("refer", code(status))
    tag = tag_of(first(hdrs, "to"))
    say("bye_refer_dialog", code(peer.ask("BYE", call_id, 2,
                                          to_tag=tag)[0]))
    say("refer_after_bye_in_refer_dialog", code(peer.ask(
        "REFER", call_id, 3, to_tag=tag, extra=refer)[0]))


def replaces(call_id, to_tag, from_tag, params=""):
    return "Replaces: %s;to-tag=%s;from-tag=%s%s\r\n" % (
        call_id, to_tag, from_tag, params)


def cmd_replaces(peer):
    call_id = token()
    status, tag, _ = peer.call(call_id)
    say("call", code(status))
    other = Peer(peer.host, peer.agent[1])
    say("early_only", code(other.call(
        token(), extra=replaces(call_id, tag, peer.from_tag,
                                ";early-only"))[0]))
    say("old_call_options", code(peer.ask("OPTIONS", call_id, 2,
                                          to_tag=tag)[0]))
    say("no_match", code(other.call(
        token(), extra=replaces(token(), token(), token()))[0]))
    say("bye", code(peer.ask("BYE", call_id, 3, to_tag=tag)[0]))
    say("ended", code(other.call(
        token(), extra=replaces(call_id, tag, peer.from_tag))[0]))
    say("agent_bye", "%d" % sum(1 for s in peer.seen
                                if s[0].startswith("BYE ")))


def sdp_fields(body):
    return " ".join(l.replace(" ", "_") for l in body.split("\r\n") if l)


def cmd_sdp(peer):
    status, _, body = peer.call(token(), body="")
    say("call", code(status))
    say("offer", sdp_fields(body))


def cmd_transfer(peer):
    call_id = token()
    status, hdrs, _ = peer.ask("REFER", call_id, 1, extra=refer_to(peer))
    say("refer", code(status))
    say("contact", first(hdrs, "contact"))

    def final_notify():
        return any(s[0].startswith("NOTIFY ") and
                   "terminated" in first(s[1], "subscription-state")
                   for s in peer.seen)
    peer.pump(final_notify, 15.0)
    for start, hdrs, body in peer.seen:
        method = start.split()[0]
        if method == "INVITE":
            say("invite", start.split()[1])
            say("invite_via", first(hdrs, "via"))
            say("invite_contact", first(hdrs, "contact"))
            say("invite_sdp", sdp_fields(body))
        elif method == "NOTIFY":
            say("notify", body.split("\r\n")[0].replace(" ", "_"))


def cmd_loop(peer):
    say("loop", code(peer.ask(
        "REFER", token(), 1, extra="Refer-To: <sip:me@%s>\r\n"
        "Refer-Sub: false\r\n" % hostport(*peer.agent))[0]))


def main(argv):
    cmds = {"ruri": cmd_ruri, "require": cmd_require, "dialog": cmd_dialog,
            "replaces": cmd_replaces, "sdp": cmd_sdp,
            "transfer": cmd_transfer, "loop": cmd_loop}
    if len(argv) != 4 or argv[3] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    if argv[1] not in ("127.0.0.1", "::1"):
        sys.stderr.write("sip_rules.py: loopback only\n")
        return 2
    cmds[argv[3]](Peer(argv[1], int(argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
