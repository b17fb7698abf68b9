#!/usr/bin/env python3
"""Runs the commands of the documentation (ctest label docs).

Every fenced shell block (```sh, ```bash, ```console, ```shell) of
README.md and the Markdown files under docs/, examples/ and bindings/ must
be marked, on the line right above its fence (blank lines between are
allowed), with one of:

    <!-- run -->                the block runs; each command must exit 0, or
                                the status its trailing "# exit N" comment
                                gives
    <!-- run: SETTINGS -->      the same, with settings separated by ";":
                                  NAME=SHELL  a placeholder: NAME, as a word
                                              of the block, becomes the value
                                              of the shell expression SHELL
                                  time=N      --time values become N seconds
                                              (default 3), and scripts/fuzz,
                                              minimize, add-regression and
                                              reach without --time get
                                              --time N
    <!-- not run: REASON -->    it cannot run in CI; REASON says why

A fenced block of any language marked <!-- file: PATH --> is written to
PATH (relative paths and /tmp/...: under the scratch directory) before the
next block runs, so that a project file the text shows is the one its
commands build.

Blocks run in file order, each file's in one scratch directory (exported as
DOCS_SCRATCH), from the repository root, with HOME and TMPDIR inside the
scratch directory (XDG_CACHE_HOME is HOME/.cache, so ~/.cache/restab is
where the scripts put their work). RUSTUP_HOME, CARGO_HOME and
RESTAB_JCO_CACHE keep pointing at the machine's own, and
~/.cache/restab/jco-1.35.0 at the last. A block's commands run one after
the other in one shell, so `cd` and `export` carry over to the next command
of the same block (not to the next block). A path under /tmp/ in a command
or a placeholder's value means the same path under the scratch directory's
tmp/, so that the text can say /tmp/restab and runs of the tests never
share files. A failure names the file and line of the command:
FILE:LINE: `COMMAND` exited N (expected M), with the last lines of its
output.

    run_docs.py [--list] [FILE...]     default: every documentation file
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHELLS = {"sh", "bash", "console", "shell"}
MARK = re.compile(r"^<!--\s*(run|not run|file)\s*(?::\s*(.*?))?\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([A-Za-z0-9_+-]*)")
EXIT = re.compile(r"#\s*exit\s+(\d+)\b")


class DocError(Exception):
    pass


def doc_files():
    files = [os.path.join(ROOT, "README.md")]
    for top in ("docs", "examples", "bindings"):
        for base, dirs, names in os.walk(os.path.join(ROOT, top)):
            dirs[:] = sorted(d for d in dirs if d not in ("node_modules", "target", "build"))
            files += [os.path.join(base, n) for n in sorted(names) if n.endswith(".md")]
    return files


def blocks(path):
    """(line of the fence, language, marker, settings, lines [(line, text)])."""
    rel = os.path.relpath(path, ROOT)
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i, marker, settings, mark_line = [], 0, None, None, 0
    while i < len(lines):
        m = MARK.match(lines[i].strip())
        if m:
            marker, settings, mark_line = m.group(1), m.group(2) or "", i + 1
            i += 1
            continue
        f = FENCE.match(lines[i])
        if not f:
            if lines[i].strip():
                marker = None
            i += 1
            continue
        fence, lang, start = f.group(2), f.group(3).lower(), i + 1
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append((i + 1, lines[i]))
            i += 1
        i += 1
        if lang in SHELLS and marker is None:
            raise DocError("%s:%d: a shell block without a marker (<!-- run --> or "
                           "<!-- not run: REASON -->, tests/docs/run_docs.py)" % (rel, start))
        if marker == "not run" and not settings:
            raise DocError("%s:%d: <!-- not run --> needs a reason" % (rel, mark_line))
        if marker == "run" and lang not in SHELLS:
            raise DocError("%s:%d: <!-- run --> marks a %s block, not a shell block"
                           % (rel, mark_line, lang or "plain"))
        if marker:
            out.append((start, lang, marker, settings, body))
        marker = None
    return out


def commands(body):
    """Logical command lines: (line, text, expected status)."""
    cmds, pending, first = [], "", 0
    for line, text in body:
        if not pending:
            first = line
        stripped = text.rstrip()
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + text
        pending = ""
        if not full.strip() or full.strip().startswith("#"):
            continue
        m = EXIT.search(full)
        cmds.append((first, full, int(m.group(1)) if m else 0))
    return cmds


def parse_settings(rel, line, settings):
    values, seconds = [], 3
    for item in filter(None, (s.strip() for s in settings.split(";"))):
        name, eq, value = item.partition("=")
        if not eq:
            raise DocError("%s:%d: '%s' is not NAME=VALUE" % (rel, line, item))
        if name == "time":
            if not value.isdigit():
                raise DocError("%s:%d: time=%s is not a number of seconds" % (rel, line, value))
            seconds = int(value)
        elif re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            values.append((name, value))
        else:
            raise DocError("%s:%d: '%s' is neither time nor an upper-case placeholder"
                           % (rel, line, name))
    return values, seconds


def quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def run_file(path, scratch):
    rel = os.path.relpath(path, ROOT)
    # Toolchains and caches that belong to the machine, not to one run, stay
    # where they are: rustup's and cargo's homes, and jco's installed npm
    # packages (examples/jco/child), which the jco tests fill.
    home = os.path.expanduser("~")
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    keep = {"RUSTUP_HOME": os.path.join(home, ".rustup"),
            "CARGO_HOME": os.path.join(home, ".cargo"),
            "RESTAB_JCO_CACHE": os.path.join(cache, "restab", "jco-1.35.0")}
    keep = {k: os.environ.get(k, v) for k, v in keep.items()}
    env = dict(os.environ, **keep)
    env = dict(env, HOME=os.path.join(scratch, "home"),
               XDG_CACHE_HOME=os.path.join(scratch, "home", ".cache"),
               TMPDIR=os.path.join(scratch, "tmp"), DOCS_SCRATCH=scratch)
    for d in ("home/.cache", "tmp"):
        os.makedirs(os.path.join(scratch, d), exist_ok=True)
    # ~/.cache/restab/jco-1.35.0, as the text names it, is the kept one.
    os.makedirs(os.path.join(scratch, "home/.cache/restab"), exist_ok=True)
    os.symlink(env["RESTAB_JCO_CACHE"], os.path.join(scratch, "home/.cache/restab/jco-1.35.0"))
    ran = 0
    for start, lang, marker, settings, body in blocks(path):
        if marker == "not run":
            print("%s:%d: not run: %s" % (rel, start, settings))
            continue
        if marker == "file":
            target = re.sub(r"^/tmp/", os.path.join(scratch, "tmp") + "/", settings)
            target = target if os.path.isabs(target) else os.path.join(scratch, target)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as f:
                f.write("\n".join(text for _, text in body) + "\n")
            print("%s:%d: wrote %s" % (rel, start, target))
            continue
        values, seconds = parse_settings(rel, start, settings)
        def tmp(text):
            return re.sub(r"(?<![\w.~$/-])/tmp/", os.path.join(scratch, "tmp") + "/", text)
        script = ["set -o pipefail", "cd %s" % quote(ROOT)]
        script += ["%s=%s" % (name, tmp(value)) for name, value in values]
        for line, text, status in commands(body):
            cmd = re.sub(r"--time\s+\S+", "--time %d" % seconds, text)
            if "--time" not in cmd:  # their default is 60 s
                cmd = re.sub(r"(^|[\s;&|(])(scripts/(?:fuzz|minimize|add-regression|reach))(?=\s|$)",
                             r"\1\2 --time %d" % seconds, cmd)
            cmd = tmp(cmd)
            for name, _ in values:
                cmd = re.sub(r"(?<![\w$])%s(?![\w-])" % name, '"$%s"' % name, cmd)
            shown = text.strip()
            script.append("echo %s >&2" % quote("+ %s:%d: %s" % (rel, line, shown)))
            script.append("{ %s\n}\ns=$?" % cmd)
            script.append("if [ $s -ne %d ]; then echo %s\"exited $s (expected %d)\" >&2; exit 1; fi"
                          % (status, quote("%s:%d: `%s` " % (rel, line, shown)), status))
        log = os.path.join(scratch, "block-%d.log" % start)
        began = time.time()
        with open(log, "w") as out:
            r = subprocess.run(["bash", "-c", "\n".join(script)], env=env, stdout=out,
                               stderr=subprocess.STDOUT)
        text = open(log, errors="replace").read()
        if r.returncode != 0:
            tail = "\n".join(text.rstrip().split("\n")[-30:])
            raise DocError("%s\n%s" % (tail, text.rstrip().split("\n")[-1]))
        ran += 1
        print("%s:%d: ran (%d command(s), %.0f s)" % (rel, start, len(commands(body)),
                                                       time.time() - began))
    return ran


def main(argv):
    files = [os.path.abspath(a) for a in argv if not a.startswith("--")] or doc_files()
    try:
        if "--list" in argv:
            for path in files:
                for start, lang, marker, settings, body in blocks(path):
                    print("%s:%d: %s %s" % (os.path.relpath(path, ROOT), start, marker, settings))
            return 0
        for path in files:
            blocks(path)  # every file's markers are checked before anything runs
        for path in files:
            scratch = tempfile.mkdtemp(prefix="restab-docs-")
            try:
                run_file(path, scratch)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    except DocError as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
