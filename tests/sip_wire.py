"""tests/sip_wire.py - what every raw SIP peer of the tests shares.

The python3 peers (sip_peer.py, sip_rules.py, sip_udp.py, rtp_peer.py)
import these: random tokens for tags, branches and Call-IDs, reading a
message into its first line, headers and body, and a header's tag.
"""
import random


def token():
    """A random hex token (tags, branches, Call-IDs)."""
    return "%x" % random.getrandbits(48)


def say(line):
    """Print LINE at once: tests read peers' output while they run."""
    print(line, flush=True)


def parse(data):
    """(first line, {lower-case header name: [values]}, body) of a
    message."""
    text = data.decode("utf-8", "replace")
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    hdrs = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        hdrs.setdefault(name.strip().lower(), []).append(value.strip())
    return lines[0], hdrs, body


def first(hdrs, name):
    """The first value of header NAME (lower case), or ""."""
    return hdrs.get(name, [""])[0]


def tag_of(value):
    """The tag parameter of a From or To value, or None."""
    for part in value.split(";")[1:]:
        if part.strip().lower().startswith("tag="):
            return part.strip()[4:]
    return None
