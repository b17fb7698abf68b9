#!/usr/bin/env python3
"""Drives a process-protocol child (docs/protocol.md) with .ops scripts, with
no harness: each script becomes a handshake, a `reset ... semantics spec` and
its operation lines, and the replies are the result lines.

    drive.py golden CHILD DIR...    each DIR/NAME.ops must give NAME.expected;
                                    a configuration the child declines must be
                                    one of the spec's (max_lends), and is
                                    counted as declined
    drive.py selfcheck CHILD DIR... every .ops under the DIRs, run in the spec
                                    profile with RESTAB_SPEC_CHILD_VERIFY=1
                                    (the child checks its undo after every
                                    trap); the child must answer every line
                                    with a well-formed reply
    drive.py protocol CHILD         requests the harness never sends, and the
                                    replies docs/protocol.md asks for

CHILD is a command line (run with /bin/sh -c). Exit 0 when everything
matched, 1 otherwise, 2 on bad arguments or a malformed script.
"""

import os
import re
import subprocess
import sys

U32 = 0xFFFFFFFF
SPEC_LIMIT = 268435456
OPS = {"new", "lower_own", "lower_borrow", "rep", "drop", "lift_own",
       "lift_borrow", "enter", "exit"}
REPLY = re.compile(r"^(ok|ok \d+|ok none|error [a-z-]+|declined .+)$")


class Malformed(Exception):
    pass


def parse_script(path):
    """(reset line, operation lines) of a .ops script, in the spec profile."""
    instances, types, limit, max_lends = 2, [0, 0, 1], None, U32
    ops = []
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            words = raw.split("#", 1)[0].split()
            if not words:
                continue
            w = words[0]
            where = "%s:%d" % (path, n)
            if w in ("semantics", "swarm"):
                continue
            if w in ("fail_at", "corrupt"):
                raise Malformed("%s: '%s' belongs to another target" % (where, w))
            if w in ("instances", "limit", "max_lends"):
                if len(words) != 2 or not words[1].isdigit():
                    raise Malformed("%s: '%s' takes one number" % (where, w))
                v = int(words[1])
                if w == "instances":
                    instances = v
                elif w == "limit":
                    limit = v
                else:
                    max_lends = v
                continue
            if w == "types":
                types = [int(x) for x in words[1:]]
                continue
            count, same = 1, False
            if w in ("repeat", "again"):
                count, same = int(words[1]), w == "again"
                words = words[2:]
                w = words[0]
            if w not in OPS:
                raise Malformed("%s: unknown word '%s'" % (where, w))
            if w in ("enter", "exit"):
                ops.extend([w] * count)
                continue
            if len(words) != 3:
                raise Malformed("%s: '%s' takes a resource and a number" % (where, w))
            v = int(words[2])
            for r in range(count):
                ops.append("%s %s %d" % (w, words[1], v if same else (v + r) & U32))
    if limit is None:
        limit = SPEC_LIMIT
    reset = "reset instances %d types%s limit %d max_lends %d semantics spec" % (
        instances, "".join(" %d" % t for t in types), limit, max_lends)
    return reset, ops


def converse(child, requests, env=None, timeout=120):
    """Replies of the child to the handshake and requests (quit appended)."""
    text = "restab-protocol 1\n" + "".join(r + "\n" for r in requests) + "quit\n"
    p = subprocess.run(child, shell=True, input=text, capture_output=True,
                       text=True, timeout=timeout, env=env)
    if p.returncode != 0:
        raise RuntimeError("the child exited with status %d: %s"
                           % (p.returncode, p.stderr.strip()[-2000:]))
    return p.stdout.splitlines()


def results(child, script, env=None):
    """('ran', result lines) or ('declined', reason) for one script."""
    reset, ops = parse_script(script)
    replies = converse(child, [reset] + ops, env)
    hello = replies.pop(0)
    if not hello.startswith("ok restab-protocol 1") or "profile=spec" not in hello.split():
        raise RuntimeError("handshake reply `%s` does not announce profile=spec" % hello)
    if replies and replies[0].startswith("declined "):
        return "declined", replies[0][len("declined "):]
    if len(replies) != 1 + len(ops):
        raise RuntimeError("%d replies to %d requests" % (len(replies), 1 + len(ops)))
    for r in replies:
        if not REPLY.match(r):
            raise RuntimeError("reply `%s` is not a result line" % r)
    if replies[0] != "ok":
        raise RuntimeError("reset `%s` got `%s`" % (reset, replies[0]))
    out = replies[1:]
    # The harness ends an input at a declined operation (docs/protocol.md).
    for n, r in enumerate(out):
        if r.startswith("declined "):
            return "declined", "%s (at `%s`)" % (r[len("declined "):], ops[n])
    return "ran", out


def scripts_in(dirs, recursive):
    found = []
    for d in dirs:
        if not os.path.isdir(d):
            raise Malformed("%s: not a directory" % d)
        if recursive:
            for root, _, files in os.walk(d):
                found += [os.path.join(root, f) for f in files if f.endswith(".ops")]
        else:
            found += [os.path.join(d, f) for f in os.listdir(d) if f.endswith(".ops")]
    return sorted(found)


def golden(child, dirs):
    failed = ran = declined = 0
    for script in scripts_in(dirs, False):
        expected_path = script[:-4] + ".expected"
        with open(expected_path) as f:
            expected = f.read().splitlines()
        try:
            kind, got = results(child, script)
        except RuntimeError as e:
            raise RuntimeError("%s: %s" % (script, e))
        if kind == "declined":
            # The spec's lend counts are unbounded: a bound is declined.
            if got != "max_lends below 2^32-1":
                print("FAIL %s: declined (%s)" % (script, got))
                failed += 1
            else:
                print("declined %s: %s" % (script, got))
                declined += 1
            continue
        if got != expected:
            print("FAIL %s:" % script)
            for n in range(max(len(got), len(expected))):
                g = got[n] if n < len(got) else "(nothing)"
                e = expected[n] if n < len(expected) else "(nothing)"
                print("  %s %-24s expected %s" % ("  " if g == e else "!!", g, e))
            failed += 1
        else:
            ran += 1
    print("%d scripts gave their .expected, %d declined, %d failed" % (ran, declined, failed))
    if ran == 0:
        print("FAIL: no script ran")
        return 1
    return 1 if failed else 0


def selfcheck(child, dirs):
    env = dict(os.environ, RESTAB_SPEC_CHILD_VERIFY="1")
    failed = ran = 0
    declines = {}
    for script in scripts_in(dirs, True):
        try:
            kind, got = results(child, script, env)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            print("FAIL %s: %s" % (script, e))
            failed += 1
            continue
        if kind == "declined":
            reason = re.sub(r" \(at .*", "", got)
            declines[reason] = declines.get(reason, 0) + 1
        ran += 1
    print("%d scripts ran with the undo checked (%s), %d failed" % (
        ran, ", ".join("%d declined: %s" % (n, r) for r, n in sorted(declines.items()))
        or "none declined", failed))
    if ran == 0:
        print("FAIL: no script ran")
        return 1
    return 1 if failed else 0


# (requests after the handshake, the replies they must get)
PROTOCOL_CASES = [
    ("an operation before reset", ["new t0 1"],
     ["error protocol no table set (send reset first)"]),
    ("reset without semantics",
     ["reset instances 2 types 0 0 1 limit 268435456 max_lends 4294967295"],
     ["re:error protocol .*semantics.*"]),
    ("a profile not announced",
     ["reset instances 2 types 0 0 1 limit 268435456 max_lends 4294967295 semantics wasmtime35"],
     ["re:error protocol .*wasmtime35.*"]),
    ("a bound on lends is declined",
     ["reset instances 1 types 0 limit 268435456 max_lends 3 semantics spec",
      "new t0 1"],
     ["declined max_lends below 2^32-1", "declined max_lends below 2^32-1"]),
    ("a type in no instance",
     ["reset instances 1 types 0 1 limit 268435456 max_lends 4294967295 semantics spec"],
     ["error invalid-argument"]),
    ("the host table is declined, the next operation answered",
     ["reset instances 1 types 0 limit 268435456 max_lends 4294967295 semantics spec",
      "new host 1", "new t0 5", "rep host 1", "rep t0 1"],
     ["ok", "declined no host table", "ok 1", "declined no host table", "ok 5"]),
    ("malformed operations",
     ["reset instances 1 types 0 limit 268435456 max_lends 4294967295 semantics spec",
      "new t1 5", "new t0", "new t0 4294967296", "new t0 -1", "enter now", "bogus",
      "check", "new t0 4294967295"],
     ["ok", "re:error protocol unknown resource 't1'", "re:error protocol .*",
      "re:error protocol .*uint32.*", "re:error protocol .*uint32.*",
      "re:error protocol .*", "re:error protocol unknown request 'bogus'",
      "re:error protocol .*", "ok 1"]),
    ("limit 0 and 1 issue nothing, limit 2 one handle",
     ["reset instances 1 types 0 limit 0 max_lends 4294967295 semantics spec",
      "new t0 1",
      "reset instances 1 types 0 limit 1 max_lends 4294967295 semantics spec",
      "new t0 1", "enter", "lower_borrow t0 1", "exit",
      "reset instances 1 types 0 limit 2 max_lends 4294967295 semantics spec",
      "new t0 1", "new t0 2", "drop t0 1", "new t0 3"],
     ["ok", "error handle-overflow", "ok", "error handle-overflow", "ok",
      "error handle-overflow", "ok", "ok", "ok 1", "error handle-overflow",
      "ok 1", "ok 1"]),
    ("a large configuration, lazily",
     ["reset instances 65536 types %s limit 268435456 max_lends 4294967295 semantics spec"
      % " ".join(str(k) for k in range(65536)),
      "new t65535 9", "rep t65535 1", "summary"],
     ["ok", "ok 1", "ok 9", "tables 65537"] +
     ["table %d size %d next %d" % (t, 1 if t == 65535 else 0, 2 if t == 65535 else 1)
      for t in range(65537)] + ["scopes 0", "end"]),
]


def protocol(child):
    failed = 0
    for name, requests, want in PROTOCOL_CASES:
        try:
            got = converse(child, requests)[1:]
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            print("FAIL %s: %s" % (name, e))
            failed += 1
            continue
        ok = len(got) == len(want) and all(
            re.fullmatch(w[3:], g) if w.startswith("re:") else w == g
            for w, g in zip(want, got))
        if not ok:
            print("FAIL %s:\n  sent     %s\n  got      %s\n  expected %s"
                  % (name, requests[:6], got[:12], want[:12]))
            failed += 1
        else:
            print("ok   %s" % name)
    return 1 if failed else 0


def main(argv):
    if len(argv) < 3 or argv[1] not in ("golden", "selfcheck", "protocol"):
        sys.stderr.write("usage: drive.py golden|selfcheck|protocol CHILD [DIR...]\n")
        return 2
    try:
        if argv[1] == "golden":
            return golden(argv[2], argv[3:])
        if argv[1] == "selfcheck":
            return selfcheck(argv[2], argv[3:])
        return protocol(argv[2])
    except Malformed as e:
        sys.stderr.write("drive.py: %s\n" % e)
        return 2
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
