"""tcp_limits_client.py - raw TCP peers for tcp_limits.test.

Usage: python3 tcp_limits_client.py SILENT_PORT IDLE_PORT MAX_PORT ALLOW_PORT

Runs the six cases of tcp_limits.test at once (one thread each) against
four agents on 127.0.0.1 and prints one line per fact measured, e.g.
"a closed_after=10.41" or "d sixth_bytes=0"; a connection still open when
its bound runs out reads "closed_after=none".  Loopback only; every wait
is bounded, so the whole run ends within about 20 s.
"""
import re
import socket
import sys
import threading
import time

OUT = []
LOCK = threading.Lock()


def say(case, key, value):
    with LOCK:
        OUT.append("%s %s=%s" % (case, key, value))


def options(port, tag):
    return ("OPTIONS sip:transfer-agent@127.0.0.1:%d SIP/2.0\r\n"
            "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-%s;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:probe@127.0.0.1>;tag=%s\r\n"
            "To: <sip:transfer-agent@127.0.0.1:%d>\r\n"
            "Call-ID: %s@127.0.0.1\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n" % (port, tag, tag, port, tag)
            ).encode()


def half_refer(port):
    return ("REFER sip:transfer-agent@127.0.0.1:%d SIP/2.0\r\n"
            "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-half;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:alice@127.0.0.1>;tag=half\r\n"
            "To: <sip:transfer-agent@127.0.0.1:%d>\r\n"
            "Call-ID: half@127.0.0.1\r\n" % (port, port)).encode()


SDP = ("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
       "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
       "a=rtpmap:0 PCMU/8000\r\n")


def in_call(method, port, cseq, to_tag="", body=""):
    """A request of the call case (f): INVITE, ACK or BYE."""
    to = "<sip:transfer-agent@127.0.0.1:%d>" % port
    if to_tag:
        to += ";tag=" + to_tag
    return ("%s sip:transfer-agent@127.0.0.1:%d;transport=tcp SIP/2.0\r\n"
            "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-call%d%s;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:bob@127.0.0.1>;tag=callf\r\n"
            "To: %s\r\n"
            "Call-ID: callf@127.0.0.1\r\n"
            "CSeq: %d %s\r\n"
            "Contact: <sip:bob@127.0.0.1:9;transport=tcp>\r\n"
            "%s"
            "Content-Length: %d\r\n\r\n%s"
            % (method, port, cseq, method.lower(), to, cseq, method,
               "Content-Type: application/sdp\r\n" if body else "",
               len(body), body)).encode()


def connect(port, source="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s


def send(s, data):
    """Send DATA; False when the agent already closed the connection."""
    try:
        s.sendall(data)
        return True
    except OSError:
        return False


def wait_closed(s, bound):
    """Read until the agent closes S or BOUND seconds pass.  Returns
    (seconds until closed or None, bytes read)."""
    start = time.monotonic()
    got = b""
    while True:
        left = bound - (time.monotonic() - start)
        if left <= 0:
            return None, got
        s.settimeout(left)
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            return None, got
        except OSError:
            return time.monotonic() - start, got
        if not chunk:
            return time.monotonic() - start, got
        got += chunk


def read_response(s, bound=5, whole=None):
    """The first status line read from S within BOUND s, or "none"; the
    bytes read are appended to the list WHOLE when given."""
    end = time.monotonic() + bound
    got = b""
    while b"\r\n" not in got and time.monotonic() < end:
        s.settimeout(max(end - time.monotonic(), 0.01))
        try:
            chunk = s.recv(4096)
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    # the rest of the response (no body: Content-Length 0)
    while b"\r\n\r\n" not in got and time.monotonic() < end:
        try:
            chunk = s.recv(4096)
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    if whole is not None:
        whole.append(got.decode(errors="replace"))
    line = got.split(b"\r\n", 1)[0].decode(errors="replace")
    return line.replace(" ", "_") if line else "none"


def fmt(t):
    return "none" if t is None else "%.2f" % t


def case_a(port):
    s = connect(port)
    t, got = wait_closed(s, 14)
    say("a", "closed_after", fmt(t))
    say("a", "bytes", len(got))
    s.close()


def case_b(port):
    s = connect(port)
    send(s, half_refer(port))
    t, _ = wait_closed(s, 14)
    say("b", "closed_after", fmt(t))
    s.close()


def case_c(port):
    s = connect(port)
    send(s, options(port, "idle"))
    say("c", "answer", read_response(s))
    t, _ = wait_closed(s, 12)
    say("c", "closed_after", fmt(t))
    s.close()


def case_f(port):
    with connect(port) as s:
        send(s, in_call("INVITE", port, 1, body=SDP))
        got = []
        answer = read_response(s, whole=got)
        while answer.startswith("SIP/2.0_1"):
            answer = read_response(s, whole=got)
        say("f", "invite_answer", answer)
        tag = re.search(r"^To:.*;tag=([^;\s]+)", got[-1], re.M | re.I)
        if not tag:
            return
        send(s, in_call("ACK", port, 1, tag.group(1)))
        t, _ = wait_closed(s, 6)
        say("f", "closed_during_call", fmt(t))
        if t is not None:
            return
        send(s, in_call("BYE", port, 2, tag.group(1)))
        say("f", "bye_answer", read_response(s))
        t, _ = wait_closed(s, 12)
        say("f", "closed_after_bye", fmt(t))


def case_d(port):
    five = [connect(port) for _ in range(5)]
    for i, s in enumerate(five):
        send(s, options(port, "max%d" % i))
    answers = [read_response(s) for s in five]
    say("d", "first_answers", ",".join(answers))
    sixth = connect(port)
    send(sixth, options(port, "max6"))
    t, got = wait_closed(sixth, 5)
    say("d", "sixth_closed_after", fmt(t))
    say("d", "sixth_bytes", len(got))
    sixth.close()
    for i, s in enumerate(five):
        send(s, options(port, "again%d" % i))
    answers = [read_response(s) for s in five]
    say("d", "again_answers", ",".join(answers))
    for s in five:
        s.close()


def case_e(port):
    s = connect(port, "127.0.0.2")
    send(s, options(port, "denied"))
    t, got = wait_closed(s, 5)
    say("e", "denied_closed_after", fmt(t))
    say("e", "denied_bytes", len(got))
    s.close()
    s = connect(port)
    send(s, options(port, "allowed"))
    say("e", "allowed_answer", read_response(s))
    s.close()


def run(case, port):
    try:
        case(port)
    except OSError as e:
        say(case.__name__[-1], "error", str(e).replace(" ", "_"))


def main():
    silent, idle, most, allow = (int(p) for p in sys.argv[1:5])
    jobs = [(case_a, silent), (case_b, silent), (case_c, idle),
            (case_d, most), (case_e, allow), (case_f, idle)]
    threads = [threading.Thread(target=run, args=j) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for line in sorted(OUT):
        print(line)


main()
