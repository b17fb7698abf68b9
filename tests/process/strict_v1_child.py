#!/usr/bin/env python3
"""A child written to the first published text of protocol version 1, and
strict about it: every request must be exactly one of that text's, and any
word it does not know is a protocol error. tests/process keeps it green over
the corpus, so that nothing added to the protocol later reaches a child that
did not announce it (docs/protocol.md, "Versions and compatibility").

The first text's requests:
    restab-protocol 1
    reset instances N types K... limit L max_lends M      (exactly these four pairs)
    new|lower_own|lower_borrow R REP, rep|drop|lift_own|lift_borrow R HANDLE,
    enter, exit
    state, check                                          (when announced)
    quit

    strict_v1_child.py [state] [check]     the capabilities it announces

The tables themselves are examples/python/restab_child.py's.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "examples", "python"))
import restab_child  # noqa: E402  (the tables of the example child)


class Rejected(Exception):
    pass


def number(word):
    if not word.isdigit() or len(word) > 10 or int(word) > 0xFFFFFFFF:
        raise Rejected("'%s' is not a uint32" % word)
    return int(word)


def expect(words, i, word):
    if i >= len(words) or words[i] != word:
        got = words[i] if i < len(words) else "(end of line)"
        raise Rejected("unknown word '%s' where '%s' belongs" % (got, word))


def parse_reset(words):
    """reset instances N types K... limit L max_lends M, nothing else."""
    expect(words, 1, "instances")
    instances = number(words[2]) if len(words) > 2 else number("")
    expect(words, 3, "types")
    i = 4
    types = []
    while i < len(words) and words[i].isdigit():
        types.append(number(words[i]))
        i += 1
    expect(words, i, "limit")
    limit = number(words[i + 1]) if i + 1 < len(words) else number("")
    expect(words, i + 2, "max_lends")
    max_lends = number(words[i + 3]) if i + 3 < len(words) else number("")
    if len(words) != i + 4:
        raise Rejected("reset: unknown word '%s'" % words[i + 4])
    return restab_child.Tables(instances, types, limit, max_lends, set())


OPERATIONS = ("new", "lower_own", "lower_borrow", "rep", "drop", "lift_own",
              "lift_borrow")


def main():
    caps = sys.argv[1:]
    for c in caps:
        if c not in ("state", "check"):
            sys.exit("strict_v1_child.py: the first text knows only the "
                     "capabilities state and check, not '%s'" % c)
    hello = "ok restab-protocol 1" + "".join(" " + c for c in caps) + "\n"
    tables = None
    shook = False

    def request(line):
        nonlocal tables, shook
        words = line.split(" ")
        w = words[0]
        if not shook:
            if words != ["restab-protocol", "1"]:
                raise Rejected("expected the handshake, got '%s'" % line)
            shook = True
            return hello
        if w == "reset":
            tables = parse_reset(words)
            return "ok\n"
        if tables is None:
            raise Rejected("'%s' before the first reset" % w)
        if w in OPERATIONS:
            if len(words) != 3:
                raise Rejected("'%s' takes a resource and a number" % w)
            r = tables.resources.get(words[1].encode())
            if r is None:
                raise Rejected("unknown resource '%s'" % words[1])
            name = "new" if w == "lower_own" else w
            return getattr(tables, name)(r[0], r[1], number(words[2])).decode()
        if w in ("enter", "exit") and len(words) == 1:
            return getattr(tables, w)().decode()
        if w == "state" and "state" in caps and len(words) == 1:
            return tables.state().decode()
        if w == "check" and "check" in caps and len(words) == 1:
            msg = tables.check()
            return "ok\n" if msg is None else "error %s\n" % msg
        raise Rejected("unknown word '%s'" % w)

    pending = b""
    while True:
        chunk = os.read(0, 1 << 20)
        if not chunk:
            return 0
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        out = []
        for raw in lines:
            line = raw.decode("ascii", errors="replace").rstrip("\r")
            if line == "quit":
                os.write(1, "".join(out).encode())
                return 0
            try:
                out.append(request(line))
            except Rejected as e:
                sys.stderr.write("strict_v1_child.py: rejected `%s`: %s\n" % (line, e))
                out.append("error protocol %s\n" % e)
        os.write(1, "".join(out).encode())


if __name__ == "__main__":
    sys.exit(main())
