#!/usr/bin/env python3
"""overload_peer.py - a referer that overloads the agent cheaply: it stops
the agent (SIGSTOP, by the PID the test gives), queues a backlog of
out-of-dialog REFERs in the agent's UDP socket, resumes it (SIGCONT), then
sends a trickle of REFERs at a modest rate.  It answers every NOTIFY 200
and records, with time.monotonic(), when each REFER was sent and
answered and each transfer's final sipfrag.  It never retransmits: every
REFER must be answered once, on time.

It owns its one UDP socket on 127.0.0.1; every wait is bounded, and the
agent is resumed whatever happens.
Usage:
  overload_peer.py AGENT_PORT AGENT_PID TARGET_PORT BACKLOG TRICKLE RATE
      TRICKLE REFERs at RATE/s start 1 s after the resume.
Prints key=value lines (times in ms):
  sent, backlog, trickle, answered, a202, a503, a503_retry_after (503s
  with a Retry-After), other, backlog_late_ms (largest answer time of a
  backlog REFER after the resume), trickle_late_ms (largest answer time
  of a trickle REFER after its sending), trickle_202, finals_200 (202'd
  transfers whose last NOTIFY carried SIP/2.0 200 OK), finals_other.
"""
import os
import signal
import socket
import sys
import time

from sip_wire import first, parse, token

HOST = "127.0.0.1"


class Referer:
    def __init__(self, agent_port, target_port):
        self.agent = (HOST, agent_port)
        self.target_port = target_port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]
        self.sent = {}		# Call-ID -> (kind, monotonic send time)
        self.answer = {}	# Call-ID -> (status, retry_after, time)
        self.final = {}		# Call-ID -> sipfrag of the terminated NOTIFY

    def refer(self, n, kind):
        call_id = "ovl-%d-%s" % (n, token())
        msg = ("REFER sip:agent@%s:%d SIP/2.0\r\n" % self.agent +
               "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s\r\n" % (
                   HOST, self.port, token()) +
               "Max-Forwards: 70\r\n"
               "From: <sip:referer@%s:%d>;tag=%s\r\n" % (HOST, self.port,
                                                         token()) +
               "To: <sip:agent@%s:%d>\r\n" % self.agent +
               "Call-ID: %s\r\nCSeq: 1 REFER\r\n" % call_id +
               "Contact: <sip:referer@%s:%d>\r\n" % (HOST, self.port) +
               "Refer-To: <sip:t%d@%s:%d>\r\n" % (n, HOST, self.target_port) +
               "Content-Length: 0\r\n\r\n")
        self.sock.sendto(msg.encode(), self.agent)
        self.sent[call_id] = (kind, time.monotonic())

    def reply_200(self, data, addr):
        text = data.decode("utf-8", "replace").split("\r\n\r\n", 1)[0]
        keep = [l for l in text.split("\r\n")[1:]
                if l.split(":", 1)[0].strip().lower() in
                ("via", "from", "to", "call-id", "cseq")]
        msg = "SIP/2.0 200 OK\r\n%s\r\nContent-Length: 0\r\n\r\n" % (
            "\r\n".join(keep))
        self.sock.sendto(msg.encode(), addr)

    def receive(self, until):
        """Read and handle what arrives until monotonic time UNTIL."""
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                return
            now = time.monotonic()
            start, hdrs, body = parse(data)
            call_id = first(hdrs, "call-id")
            if start.startswith("SIP/2.0 "):
                status = int(start.split()[1])
                if (status >= 200 and call_id in self.sent and
                        call_id not in self.answer and
                        first(hdrs, "cseq").endswith("REFER")):
                    self.answer[call_id] = (status,
                                            first(hdrs, "retry-after"), now)
                continue
            self.reply_200(data, addr)
            if (start.startswith("NOTIFY ") and
                    first(hdrs, "subscription-state").startswith("terminated")):
                self.final[call_id] = body.strip()

    def done(self):
        if len(self.answer) < len(self.sent):
            return False
        return all(c in self.final for c, a in self.answer.items()
                   if a[0] == 202)


def wait_stopped(pid):
    """Until /proc/PID/stat shows the process stopped (at most 2 s)."""
    end = time.monotonic() + 2
    while time.monotonic() < end:
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] in ("T", "t"):
                return
        time.sleep(0.01)


def main(argv):
    agent_port, pid, target_port, backlog, trickle = map(int, argv[1:6])
    rate = float(argv[6])
    r = Referer(agent_port, target_port)
    os.kill(pid, signal.SIGSTOP)
    try:
        wait_stopped(pid)
        for n in range(backlog):
            r.refer(n, "backlog")
    finally:
        resumed = time.monotonic()
        os.kill(pid, signal.SIGCONT)
    r.receive(resumed + 1.0)
    for n in range(trickle):
        r.refer(backlog + n, "trickle")
        r.receive(time.monotonic() + 1.0 / rate)
    end = time.monotonic() + 15
    while not r.done() and time.monotonic() < end:
        r.receive(min(end, time.monotonic() + 0.2))

    kinds = {c: k for c, (k, _) in r.sent.items()}
    ans = r.answer
    codes = [a[0] for a in ans.values()]
    late_backlog = [a[2] - resumed for c, a in ans.items()
                    if kinds[c] == "backlog"]
    late_trickle = [a[2] - r.sent[c][1] for c, a in ans.items()
                    if kinds[c] == "trickle"]
    finals = [r.final.get(c) for c, a in ans.items() if a[0] == 202]
    out = {
        "sent": len(r.sent),
        "backlog": backlog,
        "trickle": trickle,
        "answered": len(ans),
        "a202": codes.count(202),
        "a503": codes.count(503),
        "a503_retry_after": sum(1 for a in ans.values()
                                if a[0] == 503 and a[1].isdigit()),
        "other": sum(1 for c in codes if c not in (202, 503)),
        "backlog_late_ms": int(1000 * max(late_backlog, default=0)),
        "trickle_late_ms": int(1000 * max(late_trickle, default=0)),
        "trickle_202": sum(1 for c, a in ans.items()
                           if kinds[c] == "trickle" and a[0] == 202),
        "finals_200": finals.count("SIP/2.0 200 OK"),
        "finals_other": len(finals) - finals.count("SIP/2.0 200 OK"),
    }
    for k, v in out.items():
        print("%s=%s" % (k, v), flush=True)


if __name__ == "__main__":
    main(sys.argv)
