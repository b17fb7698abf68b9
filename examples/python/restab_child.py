#!/usr/bin/env python3
"""A child for restab's process bridge (docs/protocol.md), in Python 3.

It implements the resource tables of SEMANTICS.md (the wasmtime35 profile)
from the contract alone, and speaks protocol version 1 on stdin/stdout:

    RESTAB_IMPL_CMD='python3 examples/python/restab_child.py' \\
        build/dev/fuzz/process-replay --quiet corpus/restab_ops

Options (or the environment variable RESTAB_CHILD_CAPS):
    --no-state, --no-check   do not announce the capability (results-only mode;
                             --no-state drops summary too)
    RESTAB_CHILD_CAPS="state check summary profile=wasmtime35" (the default)
                      | "check" | "" ...

Planted bugs, for the harness's negative tests (RESTAB_CHILD_BUG, comma
separated):
    reuse-order   a new entry takes the oldest free slot, not the newest
    exit-lends    exit forgets to give the lends of its lender records back
    drop-order    drop of an own entry checks the type before the lends
    lend-leak     lift_borrow of an own entry with no scope counts a lend before
                  it fails with no-scope
"""

import os
import sys

U32 = 0xFFFFFFFF
HOST = -1

# Entries: own = [OWN, resource, rep, lends]; borrow = [BORROW, resource, rep,
# scope, lends]; a free slot is None. Resources: a type index, or HOST.
OWN, BORROW = 0, 1


class ProtocolError(Exception):
    pass


class Tables:
    def __init__(self, instances, type_instance, limit, max_lends, bugs):
        self.instances = instances
        self.type_instance = type_instance
        self.limit = limit
        self.max_lends = max_lends
        self.slots = [[] for _ in range(instances + 1)]  # per table
        self.free = [[] for _ in range(instances + 1)]   # freed handles, newest last
        self.scopes = []  # [borrow_count, [(table, handle), ...]]
        self.reuse_oldest = "reuse-order" in bugs
        self.exit_keeps_lends = "exit-lends" in bugs
        self.drop_type_first = "drop-order" in bugs
        self.leak_lend = "lend-leak" in bugs
        # operand word -> (table, resource)
        self.resources = {b"host": (instances, HOST)}
        for k, inst in enumerate(type_instance):
            self.resources[b"t%d" % k] = (inst, k)

    # -- helpers -----------------------------------------------------------
    def insert(self, table, entry):
        """Adds an entry; its handle, or None when the table is full."""
        free = self.free[table]
        slots = self.slots[table]
        if free:
            h = free.pop(0) if self.reuse_oldest else free.pop()
            slots[h - 1] = entry
            return h
        h = len(slots) + 1
        if h >= self.limit:
            return None
        slots.append(entry)
        return h

    def full(self, table):
        return not self.free[table] and len(self.slots[table]) + 1 >= self.limit

    def lookup(self, table, h):
        slots = self.slots[table]
        if h == 0 or h > len(slots):
            return None
        return slots[h - 1]

    def release(self, table, h):
        self.slots[table][h - 1] = None
        self.free[table].append(h)

    # -- operations: each returns the reply line ---------------------------
    def new(self, table, res, rep):
        h = self.insert(table, [OWN, res, rep, 0])
        return b"error handle-overflow\n" if h is None else b"ok %d\n" % h

    def lower_borrow(self, table, res, rep):
        if not self.scopes:
            return b"error no-scope\n"
        top = len(self.scopes) - 1
        h = self.insert(table, [BORROW, res, rep, top, 0])
        if h is None:
            return b"error handle-overflow\n"
        self.scopes[top][0] += 1
        return b"ok %d\n" % h

    def rep(self, table, res, h):
        e = self.lookup(table, h)
        if e is None:
            return b"error unknown-handle\n"
        if e[1] != res:
            return b"error wrong-type\n"
        return b"ok %d\n" % e[2]

    def drop(self, table, res, h):
        e = self.lookup(table, h)
        if e is None:
            return b"error unknown-handle\n"
        if e[0] == OWN:
            if self.drop_type_first and e[1] != res:
                return b"error wrong-type\n"
            if e[3] > 0:
                return b"error borrowed\n"
            if e[1] != res:
                return b"error wrong-type\n"
            self.release(table, h)
            return b"ok %d\n" % e[2]
        if e[1] != res:
            return b"error wrong-type\n"
        self.release(table, h)
        self.scopes[e[3]][0] -= 1
        return b"ok none\n"

    def lift_own(self, table, res, h):
        e = self.lookup(table, h)
        if e is None:
            return b"error unknown-handle\n"
        if e[0] == BORROW:
            return b"error not-own\n"
        if e[3] > 0:
            return b"error borrowed\n"
        if e[1] != res:
            return b"error wrong-type\n"
        self.release(table, h)
        return b"ok %d\n" % e[2]

    def lift_borrow(self, table, res, h):
        e = self.lookup(table, h)
        if e is None:
            return b"error unknown-handle\n"
        if e[1] != res:
            return b"error wrong-type\n"
        if e[0] == BORROW:
            return b"ok %d\n" % e[2]
        if e[3] >= self.max_lends:
            return b"error lend-overflow\n"
        if not self.scopes:
            if self.leak_lend:
                e[3] += 1
            return b"error no-scope\n"
        e[3] += 1
        self.scopes[-1][1].append((table, h))
        return b"ok %d\n" % e[2]

    def enter(self):
        self.scopes.append([0, []])
        return b"ok\n"

    def exit(self):
        if not self.scopes:
            return b"error no-scope\n"
        top = self.scopes[-1]
        if top[0] > 0:
            return b"error borrows-remain\n"
        if not self.exit_keeps_lends:
            for table, h in top[1]:
                self.slots[table][h - 1][3] -= 1
        self.scopes.pop()
        return b"ok\n"

    # -- state and check ---------------------------------------------------
    def state(self):
        out = [b"tables %d\n" % (self.instances + 1)]
        for t, slots in enumerate(self.slots):
            free = self.free[t]
            nxt = free[0 if self.reuse_oldest else -1] if free else len(slots) + 1
            out.append(b"table %d size %d next %d\n" % (t, len(slots), nxt))
            for h, e in enumerate(slots, 1):
                if e is None:
                    out.append(b"slot %d free\n" % h)
                    continue
                r = b"host" if e[1] == HOST else b"t%d" % e[1]
                if e[0] == OWN:
                    out.append(b"slot %d own %s rep %d lends %d\n" % (h, r, e[2], e[3]))
                else:
                    out.append(b"slot %d borrow %s rep %d scope %d lends %d\n"
                               % (h, r, e[2], e[3], e[4]))
        out.append(b"scopes %d\n" % len(self.scopes))
        for d, (borrows, lenders) in enumerate(self.scopes):
            out.append(b"scope %d borrows %d lenders %d\n" % (d, borrows, len(lenders)))
            for table, h in lenders:
                out.append(b"lender %d %d\n" % (table, h))
        out.append(b"end\n")
        return b"".join(out)

    def summary(self):
        out = [b"tables %d\n" % (self.instances + 1)]
        for t, slots in enumerate(self.slots):
            free = self.free[t]
            nxt = free[0 if self.reuse_oldest else -1] if free else len(slots) + 1
            out.append(b"table %d size %d next %d\n" % (t, len(slots), nxt))
        out.append(b"scopes %d\n" % len(self.scopes))
        if self.scopes:
            borrows, lenders = self.scopes[-1]
            out.append(b"scope %d borrows %d lenders %d\n"
                       % (len(self.scopes) - 1, borrows, len(lenders)))
            if lenders:
                out.append(b"lender %d %d\n" % lenders[-1])
        out.append(b"end\n")
        return b"".join(out)

    def check(self):
        """None, or a sentence naming the first broken invariant."""
        for t, slots in enumerate(self.slots):
            free = self.free[t]
            if len(set(free)) != len(free):
                return "invariant 1: table %d has a slot on its free list twice" % t
            holes = {h for h, e in enumerate(slots, 1) if e is None}
            if holes != set(free):
                return "invariant 1: table %d's free list is not its free slots" % t
        records = {}
        for table, h in (r for s in self.scopes for r in s[1]):
            records[(table, h)] = records.get((table, h), 0) + 1
        for t, slots in enumerate(self.slots):
            for h, e in enumerate(slots, 1):
                if e is not None and e[0] == OWN and e[3] != records.get((t, h), 0):
                    return ("invariant 2: table %d handle %d has lends %d but %d "
                            "lender records" % (t, h, e[3], records.get((t, h), 0)))
        counts = [0] * len(self.scopes)
        for t, slots in enumerate(self.slots):
            for h, e in enumerate(slots, 1):
                if e is not None and e[0] == BORROW:
                    if e[3] >= len(self.scopes):
                        return ("invariant 4: table %d handle %d is a borrow of "
                                "scope %d, which is gone" % (t, h, e[3]))
                    counts[e[3]] += 1
        for d, s in enumerate(self.scopes):
            if s[0] != counts[d]:
                return ("invariant 3: scope %d has borrow count %d but %d borrows"
                        % (d, s[0], counts[d]))
        for table, h in records:
            e = self.lookup(table, h)
            if e is None or e[0] != OWN:
                return "invariant 5: a lender record names table %d handle %d, not a live own" % (table, h)
        for t, slots in enumerate(self.slots):
            if len(slots) >= self.limit and len(slots) > 0:
                return "invariant 6: table %d holds handle %d, past the limit" % (t, len(slots))
            for h, e in enumerate(slots, 1):
                if e is not None and (e[1] == HOST) != (t == self.instances):
                    return "invariant 6: table %d handle %d is in the wrong table" % (t, h)
                if e is not None and e[1] != HOST and self.type_instance[e[1]] != t:
                    return "invariant 6: table %d handle %d is in the wrong table" % (t, h)
        return None


def number(word):
    if not word.isdigit() or len(word) > 10:
        raise ProtocolError("'%s' is not a uint32" % word.decode(errors="replace"))
    v = int(word)
    if v > U32:
        raise ProtocolError("'%s' is not a uint32" % word.decode())
    return v


def parse_reset(words, bugs, profiled):
    """reset instances N types K... limit L max_lends M [semantics S]

    `semantics S` comes exactly when the child announced profile= words."""
    pairs = "instances, types, limit, max_lends" + (", semantics" if profiled else "")
    try:
        i = words.index(b"types")
        j = words.index(b"limit")
    except ValueError:
        raise ProtocolError("reset needs " + pairs)
    if (words[1:2] != [b"instances"] or i != 3 or len(words) != j + (6 if profiled else 4)
            or words[j + 2] != b"max_lends" or (profiled and words[j + 4] != b"semantics")):
        raise ProtocolError("reset needs " + pairs)
    instances = number(words[2])
    type_instance = [number(w) for w in words[i + 1:j]]
    limit = number(words[j + 1])
    max_lends = number(words[j + 3])
    semantics = words[j + 5] if profiled else b"wasmtime35"
    if semantics not in (b"wasmtime35", b"spec"):
        raise ProtocolError("unknown semantics")
    if semantics != b"wasmtime35" or any(k >= instances for k in type_instance):
        return None
    return Tables(instances, type_instance, limit, max_lends, bugs)


def main():
    caps_env = os.environ.get("RESTAB_CHILD_CAPS")
    caps = (caps_env.split() if caps_env is not None
            else ["state", "check", "summary", "profile=wasmtime35"])
    if "--no-state" in sys.argv:
        caps = [c for c in caps if c not in ("state", "summary")]
    if "--no-check" in sys.argv:
        caps = [c for c in caps if c != "check"]
    bugs = set(filter(None, os.environ.get("RESTAB_CHILD_BUG", "").split(",")))
    hello = ("ok restab-protocol 1" + "".join(" " + c for c in caps) + "\n").encode()
    has_state, has_check = "state" in caps, "check" in caps
    has_summary = has_state and "summary" in caps
    profiled = any(c.startswith("profile=") for c in caps)

    tables = None
    ops = {}

    def bind(t):
        ops.clear()
        ops.update({
            b"new": t.new, b"lower_own": t.new, b"lower_borrow": t.lower_borrow,
            b"rep": t.rep, b"drop": t.drop, b"lift_own": t.lift_own,
            b"lift_borrow": t.lift_borrow,
        })

    def request(line):
        nonlocal tables
        words = line.split()
        if not words:
            raise ProtocolError("empty request")
        w = words[0]
        if tables is not None:
            f = ops.get(w)
            if f is not None:
                if len(words) != 3:
                    raise ProtocolError("'%s' takes a resource and a number" % w.decode())
                r = tables.resources.get(words[1])
                if r is None:
                    raise ProtocolError("unknown resource '%s'" % words[1].decode(errors="replace"))
                return f(r[0], r[1], number(words[2]))
            if w == b"enter" and len(words) == 1:
                return tables.enter()
            if w == b"exit" and len(words) == 1:
                return tables.exit()
            if w == b"state" and has_state and len(words) == 1:
                return tables.state()
            if w == b"summary" and has_summary and len(words) == 1:
                return tables.summary()
            if w == b"check" and has_check and len(words) == 1:
                msg = tables.check()
                return b"ok\n" if msg is None else ("error %s\n" % msg).encode()
        if w == b"reset":
            tables = parse_reset(words, bugs, profiled)
            if tables is None:
                return b"error invalid-argument\n"
            bind(tables)
            return b"ok\n"
        if w == b"restab-protocol" and words[1:] == [b"1"]:
            return hello
        if w in (b"new", b"lower_own", b"lower_borrow", b"rep", b"drop",
                 b"lift_own", b"lift_borrow", b"enter", b"exit", b"state", b"check",
                 b"summary"):
            if tables is None:
                raise ProtocolError("no table set (send reset first)")
        raise ProtocolError("unknown request '%s'" % line.decode(errors="replace")[:60])

    stdin, stdout = sys.stdin.buffer.raw, sys.stdout.buffer
    pending = b""
    while True:
        chunk = os.read(stdin.fileno(), 1 << 20)
        if not chunk:
            break
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        out = []
        for line in lines:
            if line == b"quit":
                stdout.write(b"".join(out))
                stdout.flush()
                return 0
            try:
                out.append(request(line))
            except ProtocolError as e:
                out.append(("error protocol %s\n" % e).encode())
        stdout.write(b"".join(out))
        stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
