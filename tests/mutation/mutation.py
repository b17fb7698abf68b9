#!/usr/bin/env python3
"""Mutation testing of lib/ against the harness (driven by scripts/mutation).

Each mutant is lib/src/restab.c or lib/src/observe.c with one edit. A mutant
is compiled (only the mutated file) and linked with harness objects built
once per run, then
  stage a (replay): the restab_ops, restab_oom and restab_corrupt corpora
    through the standalone drivers, the golden scripts and the large
    differential scripts (tests/large) through restab-replay, and the unit
    tests, as ctest runs them;
  stage b (fuzz): restab_ops under libFuzzer for --time seconds, starting
    from the committed corpus, for the mutants stage a did not kill.
With --fuzz-only, stage a is skipped and every mutant gets stage b from an
empty corpus (--target picks restab_ops or restab_ops_mut): how fast
the fuzzer finds the bug without the seeds' help.
Python 3 standard library only.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build", "mutation")
EQUIVALENT = os.path.join(ROOT, "tests", "mutation", "equivalent.txt")
FILES = ["lib/src/restab.c", "lib/src/observe.c"]
RUN_TIMEOUT = 10  # seconds for one replay command (an endless loop is a kill)
USAGE = ("scripts/mutation [--file lib/src/restab.c|lib/src/observe.c]... "
         "[--max N | --sample N [--seed S]] [--jobs N] [--time N] "
         "[--no-fuzz | --fuzz-only [--target restab_ops|restab_ops_mut]] "
         "[--list] [--only ID]... [--check]")


class ToolError(Exception):
    pass


def echo(cmd, cwd=None):
    where = f"(cd {shlex.quote(cwd)} && " if cwd else ""
    text = " ".join(shlex.quote(c) for c in cmd)
    print(f"+ {where}{text}{')' if cwd else ''}", file=sys.stderr, flush=True)


def run_echoed(cmd, cwd=None, quiet=False):
    echo(cmd, cwd)
    res = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stdout)
        raise ToolError(f"command failed ({res.returncode}): {' '.join(cmd)}")
    if not quiet:
        sys.stderr.write(res.stdout[-2000:])
    return res.stdout


# ---- Mutant generation ------------------------------------------------------

def mask(text):
    """The text with comments, strings and char literals blanked (same length,
    newlines kept), so operators are only found in code."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                if out[k] != "\n":
                    out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


def match_paren(s, open_at):
    depth = 0
    for k in range(open_at, len(s)):
        if s[k] == "(":
            depth += 1
        elif s[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


REL_SWAPS = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="],
             ">=": [">", "<"], "==": ["!="], "!=": ["=="]}
OP_TOKEN = re.compile(r"<<=|>>=|<<|>>|->|<=|>=|==|!=|\+\+|--|\+=|-=|&&|\|\||[<>+\-]")
NUMBER = re.compile(r"(?<![\w.])(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])")
DECL = re.compile(r"^(const\s+)?(struct\s+|enum\s+)?[A-Za-z_]\w*(\s+|\s*\*+\s*)\**[A-Za-z_]\w*\s*(=|;|\[|,)")
CONTROL = re.compile(r"^(return|break|continue|goto|case|default|if|for|while|else|do|switch)\b")
IF_LINE = re.compile(r"^(\}\s*else\s+)?if\s*\(")
RETURN_LINE = re.compile(r"^(return\b.*|goto\s+\w+);$")


def statuses_in(body_lines):
    found = []
    for line in body_lines:
        for m in re.finditer(r"return\s+(RESTAB_[A-Z_]+)\s*;", line):
            if m.group(1) not in found:
                found.append(m.group(1))
    return found


def early_returns(rettype, body):
    rt = re.sub(r"\b(static|inline|extern)\b", "", rettype).strip()
    if rt == "restab_status":
        other = [s for s in statuses_in(body) if s != "RESTAB_OK"]
        return ["RESTAB_OK", other[0] if other else "RESTAB_INVALID_ARGUMENT"]
    if rt == "void":
        return [""]
    if rt.endswith("*"):
        return ["NULL"]
    return ["0", "1"]


def generate(relpath):
    """The mutants of one file, in source order: dicts with the edit as
    (first line index, line count, replacement lines)."""
    text = open(os.path.join(ROOT, relpath), encoding="utf-8").read()
    lines = text.split("\n")
    mlines = mask(text).split("\n")
    base = os.path.basename(relpath)
    mutants = []

    # Which lines may be mutated, and the function each line belongs to.
    func_of = [None] * len(lines)
    skip = [False] * len(lines)
    functions = []  # (name, rettype, open brace line, close brace line)
    depth, cand, cur, continued = 0, None, None, False
    for i, ml in enumerate(mlines):
        s = ml.strip()
        if continued or s.startswith("#"):
            skip[i] = True
            continued = ml.rstrip().endswith("\\")
            continue
        if "assert(" in ml or "__attribute__" in ml or not s:
            skip[i] = True
        if depth == 0 and re.match(r"[A-Za-z_]", ml) and "(" in ml:
            m = re.search(r"(\w+)\s*\(", ml)
            if m and m.group(1) != "__attribute__":
                cand = (m.group(1), ml[:m.start(1)].strip(), i)
        if depth == 0 and s == "{" and cand is not None:
            cur = [cand[0], cand[1], i, None]
            for k in range(cand[2], i):
                func_of[k] = cand[0]
                skip[k] = True  # the signature
        func_of[i] = cur[0] if cur else None
        depth += ml.count("{") - ml.count("}")
        if depth == 0 and cur is not None and s.startswith("}"):
            cur[3] = i
            functions.append(tuple(cur))
            cur, cand = None, None
        if depth == 0 and s.endswith(";"):
            cand = None

    def add(op, first, count, new, note=None):
        old = lines[first:first + count]
        if old == new:
            return
        mutants.append({"file": relpath, "base": base, "func": func_of[first] or "(file)",
                        "op": op, "line": first + 1, "first": first,
                        "count": count, "new": new, "old": old, "note": note})

    for i, (line, ml) in enumerate(zip(lines, mlines)):
        if skip[i]:
            continue
        s = ml.strip()
        # Operators: relational swaps and arithmetic.
        for m in OP_TOKEN.finditer(ml):
            tok = m.group(0)
            a, b = m.start(), m.end()
            if tok in REL_SWAPS:
                for rep in REL_SWAPS[tok]:
                    add("rel", i, 1, [line[:a] + rep + line[b:]])
            elif tok in ("++", "--"):
                add("arith", i, 1, [line[:a] + ("--" if tok == "++" else "++") + line[b:]])
            elif tok in ("+=", "-="):
                add("arith", i, 1, [line[:a] + ("-=" if tok == "+=" else "+=") + line[b:]])
            elif tok in ("+", "-"):
                before = ml[:a].rstrip()
                if before and (before[-1].isalnum() or before[-1] in "_)]"):
                    add("arith", i, 1, [line[:a] + ("-" if tok == "+" else "+") + line[b:]])
        # Literal numbers: 0 <-> 1, otherwise +1 and -1.
        for m in NUMBER.finditer(ml):
            lit, suffix = m.group(1), m.group(2)
            value = int(lit, 16) if lit[:2] in ("0x", "0X") else int(lit)
            values = [1] if value == 0 else [0, 2] if value == 1 else [value + 1, value - 1]
            for v in values:
                new = (hex(v) if lit[:2] in ("0x", "0X") else str(v)) + suffix
                add("const", i, 1, [line[:m.start()] + new + line[m.end():]])
        if func_of[i] is None:
            continue
        # Negated conditions.
        m = IF_LINE.match(s)
        if m:
            open_at = ml.index("(", ml.index("if"))
            close = match_paren(ml, open_at)
            if close > 0:
                add("neg", i, 1, [line[:open_at + 1] + "!(" + line[open_at + 1:close]
                                  + ")" + line[close:]])
        # Deleted statements: a whole one-line expression statement.
        prev = next((mlines[k].strip() for k in range(i - 1, -1, -1) if mlines[k].strip()), "")
        starts = (prev.endswith((";", "{", "}")) or prev == "else"
                  or re.match(r"^(\}\s*)?(else\s+)?(if|for|while)\s*\(.*\)$", prev))
        if (starts and s.endswith(";") and s.count("(") == s.count(")")
                and not CONTROL.match(s) and not DECL.match(s) and s != ";"
                and not re.match(r"^\(void\)\s*\w+;$", s)):
            indent = line[:len(line) - len(line.lstrip())]
            add("del", i, 1, [indent + ";"])
        # Deleted checks: `if (cond)` + `return ...;` (or goto).
        if (IF_LINE.match(s) and not s.startswith("}") and i + 1 < len(lines)
                and match_paren(ml, ml.index("(")) == len(ml.rstrip()) - 1
                and RETURN_LINE.match(mlines[i + 1].strip())):
            add("del-check", i, 2, ["", ""])
            # Swapped check order with the next check, if it returns another value.
            j = i + 2
            if (j + 1 < len(lines) and not skip[j] and IF_LINE.match(mlines[j].strip())
                    and not mlines[j].strip().startswith("}")
                    and match_paren(mlines[j], mlines[j].index("(")) == len(mlines[j].rstrip()) - 1
                    and RETURN_LINE.match(mlines[j + 1].strip())
                    and mlines[j + 1].strip() != mlines[i + 1].strip()):
                add("swap", i, 4, [lines[j], lines[j + 1], lines[i], lines[i + 1]])

    # Early returns at the start of each function body.
    for name, rettype, open_line, close_line in functions:
        body = lines[open_line:close_line + 1]
        for value in early_returns(rettype, body):
            ret = f"return {value};" if value else "return;"
            add("ret", open_line, 1, ["{ " + ret])

    # Stable IDs: file, function, operator and a hash of the normalized edit
    # (plus an occurrence number for identical edits in one function).
    seen = {}
    for mu in mutants:
        norm = lambda ls: " ".join(" ".join(ls).split())
        key = f"{mu['op']}|{norm(mu['old'])}|{norm(mu['new'])}"
        digest = hashlib.sha1(key.encode()).hexdigest()[:8]
        stem = f"{mu['base']}:{mu['func']}:{mu['op']}:{digest}"
        n = seen.get(stem, 0)
        seen[stem] = n + 1
        mu["id"] = stem if n == 0 else f"{stem}.{n}"
        mu["diff"] = describe(mu)
    return mutants, lines


def describe(mu):
    old = " / ".join(x.strip() for x in mu["old"] if x.strip())
    if mu["op"] == "ret":
        old = f"{{ (body of {mu['func']})"
    new = " / ".join(x.strip() for x in mu["new"] if x.strip()) or "(deleted)"
    return f"{mu['base']}:{mu['line']}: {old}  =>  {new}"


def mutated_text(lines, mu):
    out = list(lines)
    out[mu["first"]:mu["first"] + mu["count"]] = mu["new"]
    return "\n".join(out)


# ---- Builds -----------------------------------------------------------------

class Build:
    """A configured CMake build whose compile and link commands are reused
    with the mutant's object in place of the library's."""

    def __init__(self, name, cache_args, targets, optional=()):
        self.dir = os.path.join(BUILD, name)
        cfg = ["cmake", "-S", ROOT, "-B", self.dir, "-G", "Ninja",
               "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
               "-DCMAKE_COMPILE_WARNING_AS_ERROR=OFF"] + cache_args
        run_echoed(cfg, quiet=True)
        # Targets that only some checkouts have (restab_corrupt).
        for t in optional:
            if subprocess.run(["ninja", "-C", self.dir, "-t", "query", t],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
                targets = targets + [t]
        run_echoed(["ninja", "-C", self.dir] + targets, quiet=True)
        with open(os.path.join(self.dir, "compile_commands.json")) as f:
            entries = json.load(f)
        self.compile = {}
        self.objects = {}
        for rel in FILES:
            src = os.path.join(ROOT, rel)
            entry = next(e for e in entries if e["file"] == src
                         and "restab_static.dir" in e["command"])
            args = shlex.split(entry["command"])
            obj = args[args.index("-o") + 1]
            self.objects[rel] = os.path.join(self.dir, obj)
            self.compile[rel] = args
        self.unit_objects = {}
        if "tests/unit/test_ops" in targets:
            self.build_unit_tests(entries)
        self.link = {}
        for t in targets:
            out = run_echoed(["ninja", "-C", self.dir, "-t", "commands", t], quiet=True)
            line = out.strip().splitlines()[-1]
            line = line.removeprefix(": && ").removesuffix(" && :")
            args = shlex.split(line)
            if "lib/librestab.a" not in args:
                raise ToolError(f"{t}: no lib/librestab.a in its link command")
            self.link[t] = args

    def build_unit_tests(self, entries):
        """Compiles every tests/unit/test_*.c like test_ops.c, so unit tests
        not yet in tests/unit/CMakeLists.txt run too."""
        src = os.path.join(ROOT, "tests", "unit", "test_ops.c")
        entry = next(e for e in entries if e["file"] == src)
        args = shlex.split(entry["command"])
        outdir = os.path.join(self.dir, "mutation-unit")
        os.makedirs(outdir, exist_ok=True)
        for name in unit_tests():
            cmd = list(args)
            obj = os.path.join(outdir, f"test_{name}.o")
            cmd[cmd.index("-o") + 1] = obj
            cmd[-1] = os.path.join(ROOT, "tests", "unit", f"test_{name}.c")
            if name == "check":
                # as tests/unit/CMakeLists.txt: test_check sees the layout
                cmd.insert(1, "-I" + os.path.join(ROOT, "lib", "src"))
            run_echoed(cmd, cwd=self.dir, quiet=True)
            self.unit_objects[name] = obj

    def link_unit(self, name, objs, exe):
        args = self.link_mutant("tests/unit/test_ops", objs, exe)
        k = args.index("tests/unit/CMakeFiles/test_ops.dir/test_ops.c.o")
        args[k] = self.unit_objects[name]
        return args

    def compile_mutant(self, rel, source, obj):
        args = list(self.compile[rel])
        args[args.index("-o") + 1] = obj
        args[-1] = source
        return args

    def link_mutant(self, target, objs, exe):
        args = list(self.link[target])
        k = args.index("lib/librestab.a")
        args[k:k + 1] = objs
        args[args.index("-o") + 1] = exe
        return args


# ---- Running mutants --------------------------------------------------------

class Runner:
    def __init__(self, opts, replay, fuzz):
        self.opts = opts
        self.replay = replay
        self.fuzz = fuzz
        corpus = snapshot_corpus()
        self.ops_seeds = sorted(walk(os.path.join(corpus, "restab_ops"), ".bin"))
        self.oom_seeds = sorted(walk(os.path.join(corpus, "restab_oom"), ".bin"))
        self.ops_dir = os.path.join(corpus, "restab_ops")
        self.corrupt_seeds = sorted(walk(os.path.join(corpus, "restab_corrupt"), ".bin"))
        gold = os.path.join(ROOT, "tests", "golden")
        self.golden = [(os.path.join(gold, f), os.path.join(gold, f[:-4] + ".expected"))
                       for f in sorted(os.listdir(gold)) if f.endswith(".ops")]
        self.dict = os.path.join(ROOT, "corpus", "restab_ops.dict")
        self.workers = list(range(opts.jobs))
        self.unit_times = {}
        self.lock = threading.Lock()

    def worker_dir(self):
        with self.lock:
            w = self.workers.pop()
        d = os.path.join(BUILD, "work", str(w))
        os.makedirs(d, exist_ok=True)
        return w, d

    def release(self, w):
        with self.lock:
            self.workers.append(w)

    def driver(self, exe, seeds):
        """Replays seeds through a standalone driver; its exit status."""
        rc, _, t = self.call([exe] + seeds, self.log)
        if rc == 2:
            raise ToolError(f"{os.path.basename(exe)} could not read an input (see {self.log.name})")
        return rc, t

    @staticmethod
    def call(cmd, log, cwd=None, timeout=RUN_TIMEOUT, stdout=None):
        log.write("+ " + " ".join(shlex.quote(c) for c in cmd) + "\n")
        log.flush()
        start = time.monotonic()
        try:
            res = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE if stdout else log,
                                 stderr=log, timeout=timeout, text=True)
            rc, out = res.returncode, res.stdout
        except subprocess.TimeoutExpired:
            rc, out = "timeout", ""
        log.write(f"# exit {rc} after {time.monotonic() - start:.2f}s\n")
        return rc, out, time.monotonic() - start

    def objects(self, build, mu, source, d, tag):
        """Compiles the mutated file; the objects of the library, or None."""
        obj = os.path.join(d, f"{tag}.o")
        rc, _, _ = self.call(build.compile_mutant(mu["file"], source, obj), self.log,
                             cwd=build.dir, timeout=120)
        if rc != 0:
            return None
        return [obj if rel == mu["file"] else build.objects[rel] for rel in FILES]

    def stage_a(self, mu, objs, d):
        """The replay stage: (killing sub-stage, seconds of execution) or
        (None, seconds)."""
        spent = 0.0
        b = self.replay

        def exe(target, name):
            path = os.path.join(d, name)
            rc, _, _ = self.call(b.link_mutant(target, objs, path), self.log, cwd=b.dir, timeout=120)
            if rc != 0:
                raise ToolError(f"{mu['id']}: linking {target} failed (see {self.log.name})")
            return path

        corpora = [("ops", self.ops_seeds), ("oom", self.oom_seeds)]
        if "fuzz/restab_corrupt" in b.link and self.corrupt_seeds:
            corpora.append(("corrupt", self.corrupt_seeds))
        for name, seeds in corpora:
            rc, t = self.driver(exe(f"fuzz/restab_{name}", f"restab_{name}"), seeds)
            spent += t
            if rc != 0:
                return f"replay-{name}", spent
        replay = exe("fuzz/restab-replay", "restab-replay")
        for script, expected in self.golden:
            rc, out, t = self.call([replay, "--impl", "restab", "--script", script],
                                   self.log, stdout=True)
            spent += t
            if rc != 0 or out != open(expected).read():
                self.log.write(f"# golden {os.path.basename(script)} differs\n")
                return "golden", spent
        rc, _, t = self.call([replay, "--quiet", os.path.join(ROOT, "tests", "large")],
                             self.log)
        spent += t
        if rc != 0:
            return "replay-large", spent
        for topic in getattr(self, "unit_order", None) or unit_tests():
            test = os.path.join(d, f"test_{topic}")
            rc, _, _ = self.call(b.link_unit(topic, objs, test), self.log, cwd=b.dir, timeout=120)
            if rc != 0:
                raise ToolError(f"{mu['id']}: linking test_{topic} failed (see {self.log.name})")
            rc, _, t = self.call([test], self.log, timeout=60)
            spent += t
            if mu["id"] == "baseline":
                self.unit_times[topic] = t
            if rc != 0:
                return "unit", spent
        return None, spent

    def stage_b(self, mu, objs, d):
        b = self.fuzz
        target = self.opts.fuzz_target
        exe = os.path.join(d, f"{target}_fuzz")
        rc, _, _ = self.call(b.link_mutant(f"fuzz/{target}", objs, exe), self.log, cwd=b.dir, timeout=120)
        if rc != 0:
            raise ToolError(f"{mu['id']}: linking the libFuzzer {target} failed")
        work = os.path.join(d, "fuzz-corpus")
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        for seed in [] if self.opts.fuzz_only else self.ops_seeds:
            shutil.copy(seed, os.path.join(work, os.path.relpath(seed, self.ops_dir).replace("/", "_")))
        secs = self.opts.fuzz_seconds
        cmd = [exe, f"-max_total_time={secs}", "-timeout=10", "-rss_limit_mb=2048",
               "-seed=1", f"-dict={self.dict}", f"-artifact_prefix={d}/",
               "-print_final_stats=1", work]
        rc, _, t = self.call(cmd, self.log, timeout=secs + 120)
        return rc != 0, t

    def run(self, mu):
        w, d = self.worker_dir()
        result = dict(mu)
        try:
            logpath = os.path.join(BUILD, "logs", mu["id"].replace("/", "_") + ".log")
            with open(logpath, "w") as log:
                self.log = log  # one mutant per thread at a time
                return self._run(mu, d, result, log)
        finally:
            self.release(w)

    def _run(self, mu, d, result, log):
        self.log = log
        log.write(f"# {mu['id']}\n# {mu['diff']}\n")
        source = os.path.join(d, os.path.basename(mu["file"]))
        with open(source, "w") as f:
            f.write(mutated_text(self.sources[mu["file"]], mu))
        result.update(status="survived", stage="-", seconds=None)
        objs = self.objects(self.replay, mu, source, d, "replay")
        if objs is None:
            result.update(status="stillborn")
            return result
        killer, spent = (None, 0.0) if self.opts.fuzz_only else self.stage_a(mu, objs, d)
        if killer:
            result.update(status="killed", stage=killer, seconds=spent)
            return result
        if mu["equivalent"] is not None:
            result.update(status="equivalent")
            return result
        if self.opts.no_fuzz:
            return result
        fobjs = self.objects(self.fuzz, mu, source, d, "fuzz")
        if fobjs is None:
            raise ToolError(f"{mu['id']}: compiles for replay but not for libFuzzer")
        crashed, t = self.stage_b(mu, fobjs, d)
        if crashed:
            result.update(status="killed", stage="fuzz", seconds=spent + t)
        else:
            result.update(stage="fuzz")
        return result


def snapshot_corpus():
    """A copy of the binary seeds, so that a corpus rewritten during the run
    (corpus-encode) cannot make inputs vanish under a mutant."""
    dest = os.path.join(BUILD, "corpus")
    shutil.rmtree(dest, ignore_errors=True)
    src = os.path.join(ROOT, "corpus")
    for target in ("restab_ops", "restab_oom", "restab_corrupt"):
        for path in walk(os.path.join(src, target), ".bin"):
            out = os.path.join(dest, os.path.relpath(path, src))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            shutil.copy(path, out)
    return dest


def unit_tests():
    """The unit test topics: tests/unit/test_TOPIC.c, the support file aside."""
    names = sorted(f[5:-2] for f in os.listdir(os.path.join(ROOT, "tests", "unit"))
                   if f.startswith("test_") and f.endswith(".c") and f != "test_support.c")
    return names


def walk(top, suffix):
    for dirpath, _, names in os.walk(top):
        for n in names:
            if n.endswith(suffix):
                yield os.path.join(dirpath, n)


# A thread-local log, so that workers do not share one.
class ThreadLocalRunner(Runner):
    _local = threading.local()

    @property
    def log(self):
        return self._local.log

    @log.setter
    def log(self, value):
        self._local.log = value


def load_equivalent():
    table = {}
    if not os.path.exists(EQUIVALENT):
        return table
    for n, line in enumerate(open(EQUIVALENT, encoding="utf-8"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            raise ToolError(f"{EQUIVALENT}:{n}: an ID needs a reason")
        table[parts[0]] = parts[1]
    return table


def parse_args(argv):
    class Parser(argparse.ArgumentParser):
        def error(self, message):
            sys.stderr.write(f"mutation: {message} (scripts/mutation --help lists the options)\n")
            sys.exit(2)

    # Every option has a help line: scripts/mutation --help is this parser's
    # (tests/scripts/help_lists_options.sh checks that it names each one).
    p = Parser(prog="scripts/mutation", usage=USAGE, allow_abbrev=False,
               description=__doc__.split("\n")[0])
    p.add_argument("--file", action="append", choices=FILES + [os.path.basename(f) for f in FILES],
                   help="mutate only this file (repeatable; default both)")
    p.add_argument("--max", type=int, metavar="N", help="only the first N mutants")
    p.add_argument("--sample", type=int, metavar="N", help="a random sample of N mutants")
    p.add_argument("--seed", type=int, default=1, metavar="S",
                   help="the seed of --sample (default 1)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="mutants built and run at once (default: the number of cores)")
    p.add_argument("--time", "--fuzz-seconds", dest="fuzz_seconds", type=int, default=60,
                   metavar="N", help="seconds of libFuzzer per mutant in stage b (default 60; "
                   "--fuzz-seconds is the old name, still taken)")
    p.add_argument("--no-fuzz", action="store_true", help="stage a only (no libFuzzer)")
    p.add_argument("--fuzz-only", action="store_true",
                   help="stage b only, from an empty corpus: how fast the fuzzer alone kills")
    p.add_argument("--target", "--fuzz-target", dest="fuzz_target",
                   choices=["restab_ops", "restab_ops_mut"], default="restab_ops",
                   help="the target stage b fuzzes (default restab_ops; --fuzz-target is "
                   "the old name, still taken)")
    p.add_argument("--list", action="store_true", help="list the mutants (ID and edit) and stop")
    p.add_argument("--check", action="store_true",
                   help="exit 1 when a mutant survives or an equivalent one is killed")
    p.add_argument("--only", action="append", metavar="ID",
                   help="run only these mutant IDs (repeatable)")
    opts = p.parse_args(argv)
    for name in ("max", "sample", "jobs", "fuzz_seconds"):
        v = getattr(opts, name)
        if v is not None and v < (0 if name == "fuzz_seconds" else 1):
            p.error(f"--{'time' if name == 'fuzz_seconds' else name} must be positive")
    if opts.max is not None and opts.sample is not None:
        p.error("--max and --sample exclude each other")
    if opts.no_fuzz and opts.fuzz_only:
        p.error("--no-fuzz and --fuzz-only exclude each other")
    opts.file = [f if "/" in f else "lib/src/" + f for f in (opts.file or FILES)]
    return opts


def select(opts):
    mutants, sources = [], {}
    for rel in FILES:
        if rel in opts.file:
            ms, lines = generate(rel)
            mutants += ms
            sources[rel] = lines
    if opts.only:
        wanted = set(opts.only)
        mutants = [m for m in mutants if m["id"] in wanted]
        missing = wanted - {m["id"] for m in mutants}
        if missing:
            raise ToolError(f"no such mutant: {' '.join(sorted(missing))}")
    if opts.max is not None:
        mutants = mutants[:opts.max]
    if opts.sample is not None and opts.sample < len(mutants):
        keep = set(random.Random(opts.seed).sample(range(len(mutants)), opts.sample))
        mutants = [m for k, m in enumerate(mutants) if k in keep]
    return mutants, sources


def fmt_secs(s):
    return "-" if s is None else f"{s:.2f}"


def main(argv):
    opts = parse_args(argv)
    for tool in ("cmake", "ninja", "clang"):
        if shutil.which(tool) is None:
            raise ToolError(f"{tool} is missing (scripts/test installs it)")
    mutants, sources = select(opts)
    equivalent = load_equivalent()
    ids = {m["id"] for m in mutants}
    for m in mutants:
        m["equivalent"] = equivalent.get(m["id"])
    if opts.list:
        for m in mutants:
            mark = "  [equivalent]" if m["equivalent"] else ""
            print(f"{m['id']}\t{m['diff']}{mark}")
        print(f"{len(mutants)} mutants", file=sys.stderr)
        return 0

    os.makedirs(os.path.join(BUILD, "logs"), exist_ok=True)
    san = ["-DCMAKE_C_COMPILER=clang", "-DRESTAB_SANITIZE=address,undefined",
           "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_C_FLAGS_DEBUG=-O1 -g"]
    replay = Build("replay", san + ["-DRESTAB_BUILD_TESTS=ON", "-DRESTAB_BUILD_FUZZERS=ON",
                                    "-DRESTAB_FUZZ_ENGINE=standalone"],
                   ["fuzz/restab_ops", "fuzz/restab_oom", "fuzz/restab-replay"]
                   + ["tests/unit/test_ops"], optional=["fuzz/restab_corrupt"])
    fuzz = None
    if not opts.no_fuzz:
        fuzz = Build("fuzz", san + ["-DRESTAB_BUILD_TESTS=OFF", "-DRESTAB_BUILD_FUZZERS=ON",
                                    "-DRESTAB_FUZZ_ENGINE=libfuzzer"],
                     [f"fuzz/{opts.fuzz_target}"])
    runner = ThreadLocalRunner(opts, replay, fuzz)
    runner.sources = sources

    # The unmutated library must pass stage a, or every kill means nothing.
    base = {"id": "baseline", "file": FILES[0], "first": 0, "count": 0, "new": [],
            "diff": "(no edit)", "equivalent": None}
    w, d = runner.worker_dir()
    try:
        with open(os.path.join(BUILD, "logs", "baseline.log"), "w") as log:
            runner.log = log
            src = os.path.join(d, "restab.c")
            with open(src, "w") as f:
                f.write(mutated_text(sources.get(FILES[0]) or open(os.path.join(ROOT, FILES[0])).read().split("\n"), base))
            objs = runner.objects(replay, base, src, d, "replay")
            if objs is None:
                raise ToolError("the unmutated library does not compile")
            killer, base_secs = runner.stage_a(base, objs, d)
            if killer:
                raise ToolError(f"the unmutated library fails stage a ({killer}); see {log.name}")
    finally:
        runner.release(w)
    # Cheap unit tests first: most mutants they kill fall to any of them.
    runner.unit_order = sorted(runner.unit_times, key=runner.unit_times.get)
    print(f"baseline: stage a passes in {base_secs:.2f}s; {len(mutants)} mutants, "
          f"{opts.jobs} jobs, fuzzing {'off' if opts.no_fuzz else f'{opts.fuzz_seconds}s'}"
          + (f" ({opts.fuzz_target} alone, from an empty corpus)" if opts.fuzz_only else ""),
          flush=True)

    results = []
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=opts.jobs) as pool:
        futures = {pool.submit(runner.run, m): m for m in mutants}
        done = 0
        for fut in concurrent.futures.as_completed(futures):
            r = fut.result()
            done += 1
            results.append(r)
            print(f"[{done}/{len(mutants)}] {r['status']:<10} {r['stage']:<10} "
                  f"{fmt_secs(r['seconds']):>6}s  {r['id']}", flush=True)
    order = {m["id"]: k for k, m in enumerate(mutants)}
    results.sort(key=lambda r: order[r["id"]])

    tsv = os.path.join(BUILD, "results.tsv")
    with open(tsv, "w") as f:
        f.write("id\tfile\tline\tfunction\toperator\tstatus\tstage\tseconds\tdiff\n")
        for r in results:
            f.write("\t".join([r["id"], r["file"], str(r["line"]), r["func"], r["op"],
                               r["status"], r["stage"], fmt_secs(r["seconds"]),
                               r["diff"].replace("\t", " ")]) + "\n")

    count = lambda pred: sum(1 for r in results if pred(r))
    stillborn = count(lambda r: r["status"] == "stillborn")
    equiv = count(lambda r: r["status"] == "equivalent")
    by_replay = count(lambda r: r["status"] == "killed" and r["stage"] != "fuzz")
    by_fuzz = count(lambda r: r["status"] == "killed" and r["stage"] == "fuzz")
    survived = [r for r in results if r["status"] == "survived"]
    scored = len(results) - stillborn - equiv
    times = [r["seconds"] for r in results if r["status"] == "killed"]
    pct = lambda k: f"{100.0 * k / scored:.1f}%" if scored else "-"
    print()
    print(f"mutants:            {len(results)} ({', '.join(opts.file)})")
    print(f"stillborn:          {stillborn}")
    print(f"equivalent:         {equiv} (tests/mutation/equivalent.txt)")
    print(f"scored:             {scored}")
    for stage in ("replay-ops", "replay-oom", "replay-corrupt", "golden", "replay-large", "unit"):
        print(f"  killed by {stage + ':':<16}{count(lambda r, s=stage: r['status'] == 'killed' and r['stage'] == s)}")
    print(f"killed by replay:   {by_replay} ({pct(by_replay)})")
    print(f"killed by fuzzing:  {by_fuzz}" + (" (fuzzing off)" if opts.no_fuzz else f" ({opts.fuzz_seconds}s each)"))
    print(f"survived:           {len(survived)}")
    print(f"kill rate:          {pct(by_replay + by_fuzz)}")
    if times:
        print(f"time to kill:       median {statistics.median(times):.2f}s, max {max(times):.2f}s")
    print(f"wall time:          {time.monotonic() - started:.0f}s; results: {os.path.relpath(tsv, ROOT)}")
    misjudged = [r for r in results if r["status"] == "killed" and r.get("equivalent")]
    for r in misjudged:
        print(f"note: {r['id']} is listed as equivalent but was killed ({r['stage']})")
    stale = set(equivalent) - {m["id"] for m in generate_all_ids()}
    for s in sorted(stale):
        print(f"note: equivalent.txt names {s}, which is no longer a mutant")
    if survived:
        print("\nsurvivors:")
        for r in survived:
            print(f"  {r['id']}\t{r['diff']}")
    if opts.check and (survived or misjudged):
        print(f"mutation: --check failed: {len(survived)} survived, "
              f"{len(misjudged)} listed as equivalent but killed", file=sys.stderr)
        return 1
    return 0


def generate_all_ids():
    out = []
    for rel in FILES:
        out += generate(rel)[0]
    return out


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ToolError as e:
        print(f"mutation: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(1)
