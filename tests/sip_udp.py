#!/usr/bin/env python3
"""sip_udp.py - raw SIP over loopback UDP for the wire cases sipp cannot
express (the same request on two Via branches, bursts of calls whose
answers are counted, tens of thousands of stray ACKs).

It owns nothing but its own sockets on 127.0.0.1; every wait is bounded.
Usage (prints key=value lines the test scripts check):
  sip_udp.py merge AGENT_PORT TARGET_PORT
      one REFER to TARGET_PORT, then the same REFER (From tag, Call-ID,
      CSeq) on a new branch; counts the INVITEs reaching TARGET_PORT.
  sip_udp.py invites AGENT_PORT N
      N INVITEs at once (distinct calls); counts the answers.
  sip_udp.py subscribes AGENT_PORT N
      N SUBSCRIBEs (Event: refer) outside any dialog at once; counts the
      answers.
  sip_udp.py calls AGENT_PORT N
      N INVITEs one after the other, then a BYE of the first call, then
      one more INVITE; prints every answer in order.
  sip_udp.py ackflood AGENT_PORT N
      a call (INVITE, 200, ACK), N ACKs in its dialog that match no
      INVITE (over one TCP connection), then OPTIONS.
"""
import socket
import sys
import time

import sip_wire
from sip_wire import tag_of, token


def parse(data):
    """(first line, {lower-case header name: first value}) of a message."""
    start, hdrs, _ = sip_wire.parse(data)
    return start, {name: values[0] for name, values in hdrs.items()}

HOST = "127.0.0.1"
SDP = ("v=0\r\no=probe 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")








class Peer:
    """One UDP socket on loopback that sends requests and reads answers."""

    def __init__(self, agent_port, port=0):
        self.agent = (HOST, agent_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, port))
        self.port = self.sock.getsockname()[1]
        self.from_tag = token()

    def request(self, method, call_id, cseq, branch=None, to_tag=None,
                extra="", body="", cseq_method=None):
        branch = branch or "z9hG4bK" + token()
        msg = self.format(method, call_id, cseq, branch, to_tag, extra, body,
                          cseq_method)
        self.sock.sendto(msg.encode(), self.agent)
        return branch

    def format(self, method, call_id, cseq, branch, to_tag=None, extra="",
               body="", cseq_method=None, transport="UDP"):
        """The request's text, as request() sends it."""
        to = "<sip:agent@%s:%d>" % self.agent
        if to_tag:
            to += ";tag=" + to_tag
        msg = ("%s sip:agent@%s:%d SIP/2.0\r\n" % ((method,) + self.agent) +
               "Via: SIP/2.0/%s %s:%d;branch=%s\r\n" % (transport, HOST,
                                                       self.port, branch) +
               "Max-Forwards: 70\r\n"
               "From: <sip:probe@%s:%d>;tag=%s\r\n" % (HOST, self.port,
                                                      self.from_tag) +
               "To: %s\r\nCall-ID: %s\r\n" % (to, call_id) +
               "CSeq: %d %s\r\n" % (cseq, cseq_method or method) +
               "Contact: <sip:probe@%s:%d>\r\n" % (HOST, self.port) + extra)
        if body:
            msg += "Content-Type: application/sdp\r\n"
        return msg + "Content-Length: %d\r\n\r\n%s" % (len(body), body)

    def answer(self, data, status="200 OK"):
        """Answer request DATA (a NOTIFY, a BYE) with STATUS."""
        text = data.decode("utf-8", "replace").split("\r\n\r\n", 1)[0]
        keep = [l for l in text.split("\r\n")[1:]
                if l.split(":", 1)[0].strip().lower() in
                ("via", "from", "to", "call-id", "cseq")]
        msg = "SIP/2.0 %s\r\n%s\r\nContent-Length: 0\r\n\r\n" % (
            status, "\r\n".join(keep))
        self.sock.sendto(msg.encode(), self.agent)

    def finals(self, want, timeout):
        """Final answers {Call-ID: (status, headers)} until WANT arrived or
        TIMEOUT; requests from the agent are answered 200 meanwhile."""
        got = {}
        end = time.monotonic() + timeout
        while len(got) < want and time.monotonic() < end:
            self.sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                data = self.sock.recv(65535)
            except socket.timeout:
                break
            first, hdrs = parse(data)
            if not first.startswith("SIP/2.0 "):
                self.answer(data)
                continue
            status = int(first.split()[1])
            if status >= 200:
                got.setdefault(hdrs.get("call-id"), (status, hdrs))
        return got

    def call(self, call_id, cseq=1, timeout=5.0):
        """INVITE CALL_ID; ACK its final.  Returns (status, headers)."""
        branch = self.request("INVITE", call_id, cseq, body=SDP)
        ans = self.finals(1, timeout).get(call_id)
        if ans:
            self.ack(call_id, cseq, ans, branch)
        return ans

    def ack(self, call_id, cseq, ans, branch):
        status, hdrs = ans
        to_tag = tag_of(hdrs.get("to", ""))
        self.request("ACK", call_id, cseq, to_tag=to_tag,
                     branch=None if status < 300 else branch)


def code(ans):
    """An answer as "STATUS", or "STATUS_raN" when it has Retry-After: N."""
    if not ans:
        return "none"
    status, hdrs = ans
    if "retry-after" in hdrs:
        return "%d_ra%s" % (status, hdrs["retry-after"].split(";")[0].strip())
    return "%d" % status


def summary(answers):
    counts = {}
    for ans in answers:
        counts[code(ans)] = counts.get(code(ans), 0) + 1
    return " ".join("%s=%d" % kv for kv in sorted(counts.items()))


def cmd_merge(agent_port, target_port):
    peer = Peer(agent_port)
    target = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    target.bind((HOST, target_port))
    call_id = token() + "@merge"
    refer_to = "Refer-To: <sip:carol@%s:%d>\r\n" % (HOST, target_port)
    answers = []
    for _ in range(2):
        peer.request("REFER", call_id, 7, extra=refer_to)
        got = peer.finals(1, 5.0).get(call_id)
        answers.append(got[0] if got else 0)
    invites = set()
    end = time.monotonic() + 3.0
    while time.monotonic() < end:
        target.settimeout(max(0.01, end - time.monotonic()))
        try:
            data = target.recv(65535)
        except socket.timeout:
            break
        first, hdrs = parse(data)
        if first.startswith("INVITE "):
            invites.add(hdrs.get("call-id"))
    print("first=%d second=%d invites=%d" % (answers[0], answers[1],
                                             len(invites)))


def cmd_invites(agent_port, n):
    peer = Peer(agent_port)
    calls = {}
    for i in range(n):
        call_id = "%s-%d@burst" % (token(), i)
        calls[call_id] = peer.request("INVITE", call_id, 1, body=SDP)
    got = peer.finals(n, 10.0)
    for call_id, ans in got.items():
        peer.ack(call_id, 1, ans, calls[call_id])
    print("answered=%d %s" % (len(got), summary(got.values())))


def cmd_subscribes(agent_port, n):
    peer = Peer(agent_port)
    for i in range(n):
        peer.request("SUBSCRIBE", "%s-%d@sub" % (token(), i), 1,
                     extra="Event: refer\r\nExpires: 60\r\n")
    got = peer.finals(n, 10.0)
    print("answered=%d %s" % (len(got), summary(got.values())))


def cmd_calls(agent_port, n):
    peer = Peer(agent_port)
    ids = ["%s-%d@calls" % (token(), i) for i in range(n)]
    out = []
    first_ans = None
    for call_id in ids:
        ans = peer.call(call_id)
        first_ans = first_ans or ans
        out.append(code(ans))
    to_tag = tag_of(first_ans[1].get("to", "")) if first_ans else None
    peer.request("BYE", ids[0], 2, to_tag=to_tag)
    bye = peer.finals(1, 5.0).get(ids[0])
    out.append("bye=%d" % (bye[0] if bye else 0))
    ans = peer.call(token() + "@after-bye")
    out.append(code(ans))
    print("answers=" + ",".join(out))


def cmd_ackflood(agent_port, n):
    peer = Peer(agent_port)
    call_id = token() + "@ackflood"
    ans = peer.call(call_id)
    if not ans or ans[0] != 200:
        print("call=%s" % (ans[0] if ans else 0))
        return
    to_tag = tag_of(ans[1].get("to", ""))
    # Over TCP: NTA frees a reliable transport's ACK transaction at once
    # (no Timer J), so what stays allocated after the flood is a leak.
    with socket.create_connection(peer.agent) as tcp:
        for i in range(n):
            tcp.sendall(peer.format("ACK", call_id, 100 + i,
                                    "z9hG4bK" + token(), to_tag,
                                    transport="TCP").encode())
        time.sleep(1.0)
    print("call=200 options=%d" % options_once_caught_up(peer, 30.0))


def options_once_caught_up(peer, timeout):
    """The final answer to an OPTIONS, asked again after each 503's
    Retry-After (the agent sheds new requests while it works through a
    flood; under a sanitizer that takes seconds) until TIMEOUT: 200 once
    it has caught up, the last 503 if it never does, 0 for silence."""
    end = time.monotonic() + timeout
    status = 0
    while time.monotonic() < end:
        peer.request("OPTIONS", token() + "@options", 1)
        got = peer.finals(1, end - time.monotonic())
        if not got:
            return 0
        status, hdrs = list(got.values())[0]
        retry = hdrs.get("retry-after", "").split(";")[0].strip()
        if status != 503 or not retry.isdigit():
            return status
        time.sleep(min(int(retry), max(0.0, end - time.monotonic())))
    return status


def main(argv):
    cmds = {"merge": cmd_merge, "invites": cmd_invites, "calls": cmd_calls,
            "subscribes": cmd_subscribes, "ackflood": cmd_ackflood}
    if len(argv) != 4 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    cmds[argv[1]](int(argv[2]), int(argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
