#!/usr/bin/env python3
"""Checks the ClusterFuzzLite GitHub Actions workflows and build wiring.

usage: check_workflows.py WORKFLOW_DIR

For every *.yml / *.yaml file in WORKFLOW_DIR: the file is valid YAML with
jobs and steps; every `uses:` of google/clusterfuzzlite/actions/* names
build_fuzzers or run_fuzzers; every `with:` key is an input that action
declares; modes are code-change, batch, prune or coverage; sanitizers are
ones ClusterFuzzLite builds; fuzz-seconds is a positive integer; run_fuzzers
gets its required github-token. Beside that, .clusterfuzzlite/ (in the
repository holding WORKFLOW_DIR) must have project.yaml, a Dockerfile, and a
build.sh that execs oss-fuzz/build.sh instead of copying it.

Exits 0 when everything holds, 1 with one line per problem otherwise, and 2
on bad usage.
"""

import pathlib
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    print("check_workflows.py: needs PyYAML (Debian package python3-yaml)", file=sys.stderr)
    sys.exit(2)

# The inputs each action declares, from the actions' action.yml in
# google/clusterfuzzlite (actions/build_fuzzers/action.yml and
# actions/run_fuzzers/action.yml at v1; the same lists appear in the docs page
# "Running ClusterFuzzLite > GitHub Actions",
# https://google.github.io/clusterfuzzlite/running-clusterfuzzlite/github-actions/).
# Newer releases add inputs (e.g. output-sarif); add them here when a
# workflow starts using one.
ACTION_INPUTS = {
    "build_fuzzers": {
        "language",
        "dry-run",
        "allowed-broken-targets-percentage",
        "sanitizer",
        "project-src-path",
        "bad-build-check",
        "storage-repo",
        "storage-repo-branch",
        "storage-repo-branch-coverage",
        "upload-build",
        "github-token",
    },
    "run_fuzzers": {
        "language",
        "fuzz-seconds",
        "dry-run",
        "sanitizer",
        "mode",
        "github-token",
        "storage-repo",
        "storage-repo-branch",
        "storage-repo-branch-coverage",
        "report-unreproducible-crashes",
    },
}
# run_fuzzers marks these `required: true`.
REQUIRED_INPUTS = {"build_fuzzers": set(), "run_fuzzers": {"github-token", "fuzz-seconds"}}
# run_fuzzers' `mode` input: "code-change", "batch", "coverage" or "prune".
MODES = {"code-change", "batch", "prune", "coverage"}
# $SANITIZER values of OSS-Fuzz/ClusterFuzzLite builds for C.
SANITIZERS = {"address", "undefined", "memory", "coverage"}
LANGUAGES = {"c", "c++"}

ACTION_RE = re.compile(r"^google/clusterfuzzlite/actions/([^@]+)@(.+)$")
EXPR_RE = re.compile(r"^\$\{\{.*\}\}$", re.S)
MATRIX_RE = re.compile(r"^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$")


class Checker:
    def __init__(self):
        self.problems = []

    def problem(self, where, message):
        self.problems.append(f"{where}: {message}")

    def check_value(self, where, key, value, allowed, matrices):
        """A literal must be allowed; ${{ matrix.X }} must expand to allowed values."""
        if isinstance(value, str) and EXPR_RE.match(value.strip()):
            m = MATRIX_RE.match(value.strip())
            if not m:
                return  # another expression (secrets, inputs): not checkable here
            values = matrices.get(m.group(1))
            if values is None:
                self.problem(where, f"{key}: {value} names no matrix entry of this job")
                return
            for v in values:
                self.check_value(where, key, v, allowed, {})
            return
        if str(value) not in allowed:
            self.problem(where, f"{key}: '{value}' is not one of {sorted(allowed)}")

    def check_step(self, where, step, matrices):
        uses = step.get("uses")
        if not isinstance(uses, str):
            return
        if not uses.startswith("google/clusterfuzzlite/"):
            return
        m = ACTION_RE.match(uses)
        if not m:
            self.problem(where, f"uses: '{uses}' is not google/clusterfuzzlite/actions/NAME@REF")
            return
        action, ref = m.group(1), m.group(2)
        if action not in ACTION_INPUTS:
            self.problem(where, f"uses: '{uses}': ClusterFuzzLite has no action '{action}' "
                                f"(build_fuzzers or run_fuzzers)")
            return
        if not ref:
            self.problem(where, f"uses: '{uses}' has no version")
        inputs = step.get("with") or {}
        if not isinstance(inputs, dict):
            self.problem(where, "with: is not a mapping")
            return
        for key in inputs:
            if key not in ACTION_INPUTS[action]:
                self.problem(where, f"with: '{key}' is not an input of {action} "
                                    f"(inputs: {', '.join(sorted(ACTION_INPUTS[action]))})")
        for key in sorted(REQUIRED_INPUTS[action] - set(inputs)):
            self.problem(where, f"{action} needs with: {key}")
        if "mode" in inputs:
            self.check_value(where, "mode", inputs["mode"], MODES, matrices)
        if "sanitizer" in inputs:
            self.check_value(where, "sanitizer", inputs["sanitizer"], SANITIZERS, matrices)
        if "language" in inputs:
            self.check_value(where, "language", inputs["language"], LANGUAGES, matrices)
        if "fuzz-seconds" in inputs:
            seconds = inputs["fuzz-seconds"]
            if isinstance(seconds, bool) or not (
                    isinstance(seconds, int) or (isinstance(seconds, str) and seconds.isdigit())) \
                    or int(seconds) <= 0:
                self.problem(where, f"fuzz-seconds: '{seconds}' is not a positive integer")
        return action, inputs

    def check_workflow(self, path):
        name = path.name
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            self.problem(name, f"not valid YAML: {e}".replace("\n", " "))
            return 0
        if not isinstance(doc, dict):
            self.problem(name, "not a mapping at the top level")
            return 0
        # PyYAML reads the key `on` as the boolean True (YAML 1.1).
        if "on" not in doc and True not in doc:
            self.problem(name, "no 'on:' trigger")
        jobs = doc.get("jobs")
        if not isinstance(jobs, dict) or not jobs:
            self.problem(name, "no jobs")
            return 0
        used = 0
        for job_name, job in jobs.items():
            where = f"{name}: job {job_name}"
            if not isinstance(job, dict):
                self.problem(where, "not a mapping")
                continue
            matrices = {}
            matrix = (job.get("strategy") or {}).get("matrix") or {}
            if isinstance(matrix, dict):
                for key, values in matrix.items():
                    if isinstance(values, list):
                        matrices[key] = values
            steps = job.get("steps")
            if not isinstance(steps, list) or not steps:
                self.problem(where, "no steps")
                continue
            actions = []
            for i, step in enumerate(steps):
                if not isinstance(step, dict):
                    self.problem(f"{where} step {i + 1}", "not a mapping")
                    continue
                result = self.check_step(f"{where} step {i + 1} ({step.get('name', '')})",
                                         step, matrices)
                if result:
                    actions.append(result)
            if actions:
                used += len(actions)
                kinds = [a for a, _ in actions]
                if "run_fuzzers" in kinds and "build_fuzzers" not in kinds[:kinds.index("run_fuzzers")]:
                    self.problem(where, "run_fuzzers without a build_fuzzers step before it")
                build = next((i for a, i in actions if a == "build_fuzzers"), {})
                run = next((i for a, i in actions if a == "run_fuzzers"), {})
                if build and run and build.get("sanitizer", "address") != run.get("sanitizer", "address"):
                    self.problem(where, "build_fuzzers and run_fuzzers use different sanitizers")
                if run.get("mode") == "coverage" and build.get("sanitizer") != "coverage":
                    self.problem(where, "mode coverage needs a build with sanitizer: coverage")
        return used

    def check_cflite(self, repo):
        cfl = repo / ".clusterfuzzlite"
        for f in ("project.yaml", "Dockerfile", "build.sh"):
            if not (cfl / f).is_file():
                self.problem(".clusterfuzzlite", f"{f} is missing")
        if (cfl / "project.yaml").is_file():
            try:
                project = yaml.safe_load((cfl / "project.yaml").read_text(encoding="utf-8"))
                if not isinstance(project, dict) or project.get("language") != "c":
                    self.problem(".clusterfuzzlite/project.yaml", "language is not c")
            except yaml.YAMLError as e:
                self.problem(".clusterfuzzlite/project.yaml", f"not valid YAML: {e}")
        build = cfl / "build.sh"
        if build.is_file():
            lines = [ln.strip() for ln in build.read_text(encoding="utf-8").splitlines()
                     if ln.strip() and not ln.strip().startswith("#")]
            execs = [ln for ln in lines
                     if re.match(r'^exec\s+(bash(\s+-\w+)*\s+)?"?\$\{?SRC\}?/restab/oss-fuzz/build\.sh"?(\s|$)', ln)]
            if not execs:
                self.problem(".clusterfuzzlite/build.sh", "does not exec $SRC/restab/oss-fuzz/build.sh")
            elif len(lines) > 3 or any(w in " ".join(lines) for w in ("cmake", "zip", "$CXX", "LIB_FUZZING_ENGINE")):
                self.problem(".clusterfuzzlite/build.sh",
                             "holds build logic of its own: it should only exec oss-fuzz/build.sh")
        if not (repo / "oss-fuzz" / "build.sh").is_file():
            self.problem("oss-fuzz/build.sh", "is missing")


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    wf_dir = pathlib.Path(argv[1])
    if not wf_dir.is_dir():
        print(f"check_workflows.py: '{wf_dir}' is not a directory", file=sys.stderr)
        return 2
    checker = Checker()
    files = sorted(list(wf_dir.glob("*.yml")) + list(wf_dir.glob("*.yaml")))
    if not files:
        checker.problem(str(wf_dir), "no workflow files")
    used = sum(checker.check_workflow(f) for f in files)
    if files and used == 0:
        checker.problem(str(wf_dir), "no workflow uses the ClusterFuzzLite actions")
    # WORKFLOW_DIR is REPO/.github/workflows.
    checker.check_cflite(wf_dir.resolve().parent.parent)
    if checker.problems:
        for p in checker.problems:
            print(f"FAIL {p}")
        print(f"check_workflows.py: {len(checker.problems)} problem(s) in {len(files)} workflow file(s)")
        return 1
    print(f"check_workflows.py: {len(files)} workflow file(s), {used} ClusterFuzzLite step(s), "
          f".clusterfuzzlite/build.sh execs oss-fuzz/build.sh: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
