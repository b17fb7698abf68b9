/*
 * <impl>-replay: runs .ops scripts and fuzz inputs (scripts/replay wraps it).
 *
 *   <impl>-replay --script FILE.ops|- [--verbose] [--impl restab|oracle]
 *       Runs a script on one implementation and prints one result line per
 *       operation (docs/semantics.md), checking integrity after each.
 *   <impl>-replay [--quiet] FILE|DIR...
 *       Runs fuzz inputs (binary, or .ops scripts) differentially, restab
 *       against the oracle, printing "op => result" per step.
 *   <impl>-replay --print FILE
 *       Prints the .ops script that a binary input decodes to.
 *   <impl>-replay --encode FILE.ops|- [OUT]
 *       Writes the binary input that decodes to the script (default OUT:
 *       FILE with .ops replaced by .bin).
 *   <impl>-replay [--quiet] [--keep-going] [--known FILE] FILE|DIR...
 *       With --keep-going, every input runs and the failures are tallied by
 *       signature; with --known, failures of a known divergence
 *       (harness/known.h) are counted and pass. Exit 1 only for new ones.
 *   <impl>-replay --known FILE --list-known
 *       Prints a line per entry and signature: NAME, the signature
 *       (resolved from its script on this implementation when it has none;
 *       "-" when its script passes), what it is, separated by tabs.
 *   <impl>-replay --profiles
 *       Prints the profiles the implementation runs, one per line.
 *   <impl>-replay --signature FILE [--target KIND] [--exec TARGET_BINARY]
 *       Prints the input's crash signature (harness/signature.h): runs it
 *       in a child process (this tool's differential run, or the given fuzz
 *       target) and reads the harness report, or the sanitizer's, from the
 *       child's standard error. Exit 1 when it fails, 0 when it passes.
 *
 * Inputs: a file whose name ends in ".ops" (and "-" for --script and
 * --encode) is an .ops script, anything else a binary fuzz input
 * (fuzz/FORMAT.md); --verbose says which.
 *
 * Exit status: 0 success, 1 a difference or broken invariant was found,
 * 2 bad arguments or unreadable / malformed input.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>

#include "decode.h"
#include "corruptions.h"
#include "files.h"
#include "signature.h"
#include "known.h"
#include "outcome.h"
#include "tally.h"
#include "prefix.h"
#include "text_buffer.h"
#include "oracle.h"
#include "run.h"
#include "sut.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The program's name in messages and the usage text (argv[0]'s base). */
static const char *prog = "replay";

static void print_usage(FILE *out)
{
    fprintf(out,
            "usage: %s --script FILE.ops|- [--verbose] [--impl %s|oracle]\n"
            "       %s [--quiet] [--keep-going] [--known FILE] FILE|DIR...\n"
            "       %s --known FILE --list-known\n"
            "       %s --profiles\n"
            "       %s [--target ops|oom|corrupt] --print FILE [--verbose]\n"
            "       %s --encode [--fail-at N] FILE.ops|- [OUT]\n"
            "       %s --signature FILE [--target ops|oom|script|corrupt] "
            "[--exec TARGET_BINARY]\n",
            prog, fuzz_sut()->name, prog, prog, prog, prog, prog, prog);
}

enum { EXIT_FOUND = 1, EXIT_USAGE = 2 };

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int usage_error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    print_usage(stderr);
    va_end(args);
    return EXIT_USAGE;
}

/* Reads a whole file ("-": standard input). NULL after a message. */
static char *read_all(const char *path, size_t *size)
{
    char err[512];
    char *data = files_read(path, size, err, sizeof err);
    if (data == NULL)
        fprintf(stderr, "%s: %s\n", prog, err);
    return data;
}

static int has_suffix(const char *s, const char *suffix)
{
    return files_has_suffix(s, suffix);
}

/* Parses a script file into p (program_init'ed); EXIT_USAGE after a
   FILE:LINE message, with p freed. */
static int load_script(const char *path, program *p)
{
    size_t size = 0;
    char *text = read_all(path, &size);
    if (text == NULL) {
        program_free(p);
        return EXIT_USAGE;
    }
    char err[512];
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        fprintf(stderr, "%s:1: starts with a UTF-8 byte order mark; save "
                        "it without one\n", name);
        free(text);
        program_free(p);
        return EXIT_USAGE;
    }
    int status = program_parse(text, size, name, p, err, sizeof err);
    if (status != 0) {
        /* "unexpected 'new' after 'new'": several operations on one line,
           which is the likelier mistake to name. */
        unsigned long line = 0;
        const char *word = strstr(err, "unexpected '");
        int is_op = 0;
        if (word != NULL && strstr(err, "' after '") != NULL) {
            word += strlen("unexpected '");
            size_t n = strcspn(word, "'");
            for (int c = 0; c < OP_COUNT && !is_op; c++)
                is_op = strlen(op_name((op_code)c)) == n &&
                        strncmp(op_name((op_code)c), word, n) == 0;
        }
        if (is_op && strncmp(err, name, strlen(name)) == 0 &&
            sscanf(err + strlen(name), ":%lu:", &line) == 1)
            snprintf(err, sizeof err, "%s:%lu: expected one operation per "
                                      "line (another operation follows on "
                                      "the same line)", name, line);
    }
    free(text);
    if (status != 0) {
        fprintf(stderr, "%s\n", err);
        program_free(p);
        return EXIT_USAGE;
    }
    return 0;
}

/* After a call into impl: its own failure (rt_impl_failed), when one is
   pending, said on stderr. 1 then, else 0. */
static int said_failure(const rt_impl *impl, size_t step)
{
    impl_failure f;
    if (!outcome_take_failure(&f))
        return 0;
    fflush(stdout);
    fprintf(stderr, "%s: %s %s failed in %s (%s): %s\n", prog,
            step == 0 ? "creating the table set," : "at operation", impl->name,
            f.function[0] != '\0' ? f.function : "an unnamed function", f.kind,
            f.message);
    return 1;
}

static int script_mode(const char *path, const rt_impl *impl, int verbose)
{
    program p;
    program_init(&p);
    int status = load_script(path, &p);
    if (status != 0)
        return status;
    /* A profile the implementation lacks runs in one it has, as fuzz
       inputs do (run_profile); the results are that profile's. */
    rt_semantics as = run_profile(impl, p.semantics);
    if (as != p.semantics) {
        fprintf(stderr, "%s: %s lacks the %s profile: the script runs as %s\n",
                prog, impl->name, semantics_name(p.semantics), semantics_name(as));
        p.semantics = as;
    }
    rt_config cfg = program_config(&p);
    void *self = NULL;
    outcome_clear();
    rt_status created = impl->create(&cfg, &self);
    if (said_failure(impl, 0)) {
        program_free(&p);
        return EXIT_FOUND;
    }
    if (created == RT_DECLINED) {
        char reason[OUTCOME_REASON_MAX];
        (void)outcome_take_decline(reason, sizeof reason);
        fprintf(stderr, "%s: %s declines the configuration: %s\n", prog,
                impl->name, reason);
        program_free(&p);
        return 0;
    }
    if (created != RT_OK) {
        fprintf(stderr, "%s: %s cannot create the table set: %s\n", prog,
                impl->name, rt_status_name(created));
        program_free(&p);
        return EXIT_USAGE;
    }
    /* One result line per operation: a repeat prints one per repetition.
       A declined operation prints `declined REASON` and ends the script. */
    size_t step = 0;
    int declined = 0;
    for (size_t i = 0; i < p.len && status == 0 && !declined; i++) {
      for (uint32_t k = 0; k < op_times(&p.ops[i]) && status == 0 && !declined; k++) {
        const op one = op_repetition(&p.ops[i], k);
        op_result r = op_run(impl, self, &one);
        step++;
        char line[OP_TEXT_MAX], result[OP_TEXT_MAX + OUTCOME_REASON_MAX];
        result_format(&r, result, sizeof result);
        if (r.status == RT_DECLINED) {
            char reason[OUTCOME_REASON_MAX];
            (void)outcome_take_decline(reason, sizeof reason);
            snprintf(result, sizeof result, "declined %s", reason);
            declined = 1;
        }
        if (verbose) {
            op_format(&one, line, sizeof line);
            printf("%-28s => %s\n", line, result);
        } else {
            printf("%s\n", result);
        }
        if (said_failure(impl, step)) {
            status = EXIT_FOUND;
            break;
        }
        char msg[256];
        if (!declined && impl->check != NULL && impl->check(self, msg, sizeof msg) != 0) {
            fflush(stdout);
            if (!said_failure(impl, step))
                fprintf(stderr, "%s: after operation %zu, %s: %s\n", prog,
                        step, impl->name, msg);
            status = EXIT_FOUND;
        }
      }
    }
    impl->destroy(self);
    program_free(&p);
    return status;
}


/* The input rule shared by every mode and script: ".ops" is text. */
static int is_script(const char *path)
{
    return has_suffix(path, ".ops");
}

static void say_kind(const char *path, int verbose)
{
    if (verbose)
        fprintf(stderr, "%s: reading '%s' as %s (by its name: .ops is a "
                        "script, anything else binary)\n",
                prog, path, is_script(path) ? "an .ops script" : "a binary input");
}

/* An input as an .ops script: a script as parsed, a byte input of a
   target kind with its prefix as the kind's directive. */
static int print_mode(const char *path, prefix_kind kind, int verbose)
{
    say_kind(path, verbose);
    if (is_script(path)) {
        program p;
        program_init(&p);
        int status = load_script(path, &p);
        if (status != 0)
            return status;
        printf("# parsed from %s\n", path);
        program_print(&p, p.len, text_write_file, stdout);
        program_free(&p);
        return 0;
    }
    size_t size = 0;
    char *data = read_all(path, &size);
    if (data == NULL)
        return EXIT_USAGE;
    program p;
    program_init(&p);
    prefix_names names = corruption_names();
    size_t skip = prefix_read(kind, &names, (const uint8_t *)data, size, &p);
    if (skip == SIZE_MAX) {
        free(data);
        program_free(&p);
        printf("# %s: shorter than the 2-byte prefix; the target does "
               "nothing with it\n", path);
        return 0;
    }
    program head = p; /* the directives; decode_program keeps them */
    const uint8_t *body = (const uint8_t *)data + skip;
    int status = decode_program(body, size - skip, &rt_oracle, &p);
    /* An input of a profile the implementation lacks runs in one it has
       (run_profile): print what runs, which may decode differently. */
    rt_semantics own = p.semantics, as = run_profile(fuzz_sut(), own);
    if (status == 0 && as != own)
        status = decode_program_as(body, size - skip, &rt_oracle, as, &p);
    p.has_fail_at = head.has_fail_at;
    p.fail_at = head.fail_at;
    p.has_corrupt = head.has_corrupt;
    memcpy(p.corrupt, head.corrupt, sizeof p.corrupt);
    p.corrupt_victim = head.corrupt_victim;
    free(data);
    if (status != 0) {
        fprintf(stderr, "%s: cannot decode '%s': out of memory\n", prog,
                path);
        program_free(&p);
        return EXIT_USAGE;
    }
    printf("# decoded from %s\n", path);
    if (as != own)
        printf("# an input of the %s profile, run as %s by %s, which lacks %s\n",
               semantics_name(own), semantics_name(as), fuzz_sut()->name,
               semantics_name(own));
    program_print(&p, p.len, text_write_file, stdout);
    program_free(&p);
    return 0;
}

/* Writes the binary input of a script: the prefix its `fail_at` or
   `corrupt` directive asks for (fail_at >= 0 overrides the script's), then
   the program. */
static int encode_mode(const char *path, const char *out_path, long fail_at)
{
    program p;
    program_init(&p);
    int status = load_script(path, &p);
    if (status != 0)
        return status;
    if (fail_at >= 0) {
        p.has_fail_at = 1;
        p.fail_at = (uint32_t)fail_at;
    }
    prefix_kind kind = p.has_fail_at  ? PREFIX_FAIL_AT
                       : p.has_corrupt ? PREFIX_CORRUPT
                                       : PREFIX_NONE;
    uint8_t head[2];
    char err[256];
    prefix_names names = corruption_names();
    int head_len = prefix_write(kind, &names, &p, head, err, sizeof err);
    if (head_len < 0) {
        fprintf(stderr, "%s: cannot encode '%s': %s\n", prog, path, err);
        program_free(&p);
        return EXIT_USAGE;
    }
    if (program_steps(&p) > DECODE_MAX_OPS) {
        fprintf(stderr, "%s: '%s' has %zu operations; a binary "
                        "input holds at most %d\n", prog,
                path, program_steps(&p), DECODE_MAX_OPS);
        program_free(&p);
        return EXIT_USAGE;
    }
    uint8_t *bytes = NULL;
    size_t size = 0;
    if (encode_program(&p, &rt_oracle, &bytes, &size) != 0) {
        fprintf(stderr, "%s: cannot encode '%s': out of memory\n", prog,
                path);
        program_free(&p);
        return EXIT_USAGE;
    }
    program_free(&p);
    char *derived = NULL;
    if (out_path == NULL && strcmp(path, "-") == 0) {
        /* A script from standard input: the binary to standard output. */
        int ok = !isatty(1) && fwrite(bytes, 1, size, stdout) == size &&
                 fflush(stdout) == 0;
        if (!ok)
            fprintf(stderr, "%s: give OUT for a script from standard input "
                            "(or redirect standard output to a file)\n", prog);
        free(bytes);
        return ok ? 0 : EXIT_USAGE;
    }
    if (out_path == NULL) {
        size_t n = strlen(path);
        size_t stem = has_suffix(path, ".ops") ? n - 4 : n;
        derived = malloc(stem + 5);
        if (derived == NULL) {
            free(bytes);
            return EXIT_USAGE;
        }
        memcpy(derived, path, stem);
        memcpy(derived + stem, ".bin", 5);
        out_path = derived;
    }
    FILE *f = fopen(out_path, "wb");
    int ok = f != NULL &&
             fwrite(head, 1, (size_t)head_len, f) == (size_t)head_len &&
             fwrite(bytes, 1, size, f) == size;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "%s: cannot write '%s': %s\n", prog, out_path,
                strerror(errno));
    else
        fprintf(stderr, "%s: wrote %s (%zu bytes)\n", prog, out_path,
                size + (size_t)head_len);
    free(derived);
    free(bytes);
    return ok ? 0 : EXIT_USAGE;
}

/* The target kind of a fuzz target's file name: NAME_ops -> ops. */
static const char *kind_of(const char *bin)
{
    static const char *const kinds[] = {"ops_mut", "ops", "oom", "script",
                                        "corrupt"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, "_%s", kinds[i]);
        if (has_suffix(bin, suffix))
            return i == 0 ? "ops" : kinds[i];
    }
    return NULL;
}

/* Appends options to a sanitizer's environment variable (later ones win). */
static void add_options(const char *var, const char *extra)
{
    const char *old = getenv(var);
    size_t n = (old != NULL ? strlen(old) : 0) + strlen(extra) + 2;
    char *value = malloc(n);
    if (value == NULL)
        return;
    snprintf(value, n, "%s%s%s", old != NULL ? old : "",
             old != NULL && old[0] != '\0' ? ":" : "", extra);
    setenv(var, value, 1);
    free(value);
}

/*
 * --signature: runs the input in a child (a sanitizer report ends the
 * process, so it cannot be caught in this one) and reads its standard
 * error. The child announces each step before it runs it, so a crash
 * inside an operation still names the operation.
 */
static int signature_mode(const char *path, const char *target,
                          const char *exec_bin, int verbose)
{
    if (exec_bin != NULL && target == NULL)
        target = kind_of(exec_bin);
    if (target == NULL)
        target = "ops";
    if (exec_bin == NULL && strcmp(target, "ops") != 0) {
        fprintf(stderr, "%s: --signature --target %s needs --exec with the "
                        "%s target's executable\n", prog, target, target);
        return EXIT_USAGE;
    }
    char err[512];
    size_t size = 0;
    char *data = files_read(path, &size, err, sizeof err);
    if (data == NULL) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return EXIT_USAGE;
    }
    free(data);
    say_kind(path, verbose && exec_bin == NULL);
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "%s: pipe: %s\n", prog, strerror(errno));
        return EXIT_USAGE;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
        return EXIT_USAGE;
    }
    if (pid == 0) {
        setenv("RESTAB_ANNOUNCE_STEPS", "1", 1);
        add_options("ASAN_OPTIONS", "symbolize=1:abort_on_error=1");
        add_options("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:symbolize=1");
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        if (freopen("/dev/null", "w", stdout) == NULL)
            _exit(126);
        if (exec_bin != NULL)
            execl(exec_bin, exec_bin, path, (char *)NULL);
        else
            execl("/proc/self/exe", prog, "--quiet", path, (char *)NULL);
        fprintf(stderr, "%s: cannot run %s: %s\n", prog,
                exec_bin != NULL ? exec_bin : "/proc/self/exe", strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    signature_scan scan;
    signature_scan_init(&scan);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (in != NULL && (len = getline(&line, &cap, in)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[len - 1] = '\0';
        signature_scan_line(&scan, line);
        if (verbose && strncmp(line, SIGNATURE_STEP_PREFIX,
                               strlen(SIGNATURE_STEP_PREFIX)) != 0)
            fprintf(stderr, "  | %s\n", line);
    }
    free(line);
    if (in != NULL)
        fclose(in);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    char fallback[32];
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
        fprintf(stderr, "%s: '%s' passes: no signature\n", prog, path);
        return 0;
    }
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) >= 126) {
        fprintf(stderr, "%s: could not run the input (status %d)\n", prog,
                WEXITSTATUS(wstatus));
        return EXIT_USAGE;
    }
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == EXIT_USAGE &&
        exec_bin == NULL && scan.harness[0] == '\0') {
        fprintf(stderr, "%s: could not read '%s'\n", prog, path);
        return EXIT_USAGE;
    }
    if (WIFSIGNALED(wstatus))
        snprintf(fallback, sizeof fallback, "%s",
                 WTERMSIG(wstatus) == SIGALRM ? "timeout" : "signal");
    else
        snprintf(fallback, sizeof fallback, "exit-%d", WEXITSTATUS(wstatus));
    if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) != SIGALRM)
        snprintf(fallback, sizeof fallback, "signal-%d", WTERMSIG(wstatus));
    char sig[SIGNATURE_MAX];
    signature_scan_result(&scan, target, fallback, sig, sizeof sig);
    printf("%s\n", sig);
    return EXIT_FOUND;
}

/* The known divergences of --known, or NULL. */
static known_list known;
static int have_known;

static int run_file(const char *path, int quiet, run_outcome *outcome)
{
    run_options opt = fuzz_run_options();
    opt.known = have_known ? &known : NULL;
    opt.outcome = outcome;
    opt.input = path;
    opt.trace = quiet ? NULL : stdout;
    opt.final_check = 1;
    if (!quiet)
        printf("# %s\n", path);
    int status;
    if (is_script(path)) {
        program p;
        program_init(&p);
        status = load_script(path, &p);
        if (status == 0 && (p.has_fail_at || p.has_corrupt)) {
            fprintf(stderr,
                    "%s: %s is an input of the %s target (its '%s' "
                    "directive); scripts/reproduce runs it\n",
                    prog, path, p.has_fail_at ? "oom" : "corrupt",
                    p.has_fail_at ? "fail_at" : "corrupt");
            status = EXIT_USAGE;
        } else if (status == 0) {
            status = run_script(&p, &opt) == 0 ? 0 : EXIT_FOUND;
        }
        program_free(&p);
    } else {
        size_t size = 0;
        char *data = read_all(path, &size);
        if (data == NULL)
            return EXIT_USAGE;
        status = run_bytes((const uint8_t *)data, size, &opt) == 0
                     ? 0
                     : EXIT_FOUND;
        free(data);
    }
    fflush(stdout);
    return status;
}

/* A new signature of a --keep-going replay: how often, and the first file. */
typedef struct new_failure {
    char signature[SIGNATURE_MAX];
    char *first;
    unsigned long count;
} new_failure;

typedef struct walk {
    int quiet;
    int keep_going;
    int ran;
    unsigned long known_hits;
    new_failure *fresh;
    size_t fresh_len, fresh_cap;
    int usage_error; /* an input could not be read or parsed */
} walk;

/* Tallies a failure of a --keep-going replay under its signature. 0, or -1
   when out of memory. */
static int tally_new(walk *w, const char *path, const run_outcome *o)
{
    for (size_t i = 0; i < w->fresh_len; i++) {
        if (strcmp(w->fresh[i].signature, o->signature) == 0) {
            w->fresh[i].count++;
            return 0;
        }
    }
    if (w->fresh_len == w->fresh_cap) {
        size_t cap = w->fresh_cap ? w->fresh_cap * 2 : 16;
        new_failure *more = realloc(w->fresh, cap * sizeof *more);
        if (more == NULL)
            return -1;
        w->fresh = more;
        w->fresh_cap = cap;
    }
    new_failure *f = &w->fresh[w->fresh_len++];
    snprintf(f->signature, sizeof f->signature, "%s",
             o->signature[0] != '\0' ? o->signature : "(no signature)");
    f->first = strdup(path);
    f->count = 1;
    return f->first != NULL ? 0 : -1;
}

/* The end of a replay of files: the known divergences seen and unseen, and
   the new failures by signature (--keep-going). */
static void print_tallies(const walk *w)
{
    if (have_known) {
        fprintf(stderr, "%s: known divergences (%s): %lu input%s\n", prog,
                known.path, w->known_hits, w->known_hits == 1 ? "" : "s");
        for (size_t i = 0; i < known.len; i++) {
            const known_entry *e = &known.entries[i];
            unsigned long n = tally_count_key(TALLY_KNOWN, e->name);
            fprintf(stderr, "  %6lu x %-32s %s%s\n", n, e->name,
                    e->nsignatures > 0 ? e->signatures[0]
                                       : "(its script passes: no signature)",
                    n == 0 ? "  [unseen]" : "");
            for (size_t j = 1; j < e->nsignatures; j++)
                fprintf(stderr, "  %6s   %-32s %s\n", "", "", e->signatures[j]);
        }
    }
    if (!w->keep_going)
        return;
    unsigned long total = 0;
    for (size_t i = 0; i < w->fresh_len; i++)
        total += w->fresh[i].count;
    fprintf(stderr, "%s: new failures: %lu input%s, %zu signature%s\n", prog,
            total, total == 1 ? "" : "s", w->fresh_len,
            w->fresh_len == 1 ? "" : "s");
    for (size_t i = 0; i < w->fresh_len; i++)
        fprintf(stderr, "  %6lu x %s\n           first: %s\n", w->fresh[i].count,
                w->fresh[i].signature, w->fresh[i].first);
}

/* The inputs the implementation declined (restab_impl.h, rt_decline), by
   reason: each ended there as passed, so they are said, never silent. */
static void print_declines(const rt_impl *impl)
{
    unsigned long declined = tally_count(TALLY_DECLINED);
    if (declined == 0)
        return;
    fprintf(stderr, "%s: %lu of %lu input%s declined by %s (each ended there, "
                    "passed):\n",
            prog, declined, tally_inputs(), tally_inputs() == 1 ? "" : "s",
            impl->name);
    tally_print(stderr, TALLY_DECLINED, "  ");
    if (declined == tally_inputs())
        fprintf(stderr, "%s: every input was declined: nothing was compared "
                        "(docs/protocol.md, \"Declines\")\n",
                prog);
}

static int run_walked(const char *path, void *user)
{
    walk *w = user;
    run_outcome outcome;
    w->ran++;
    int status = run_file(path, w->quiet, &outcome);
    if (outcome.known != NULL)
        w->known_hits++;
    if (status == EXIT_FOUND && w->keep_going)
        return tally_new(w, path, &outcome) == 0 ? 0 : EXIT_USAGE;
    if (status == EXIT_USAGE && w->keep_going) {
        w->usage_error = 1;
        return 0;
    }
    return status;
}

/* --list-known: each entry, its signature on this implementation, what. */
static int list_known(void)
{
    for (size_t i = 0; i < known.len; i++) {
        const known_entry *e = &known.entries[i];
        for (size_t j = 0; j < e->nsignatures || j == 0; j++)
            printf("%s\t%s\t%s\n", e->name,
                   e->nsignatures > 0 ? e->signatures[j] : "-", e->what);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *script = NULL, *print = NULL, *encode = NULL, *encode_out = NULL;
    const char *signature = NULL, *target = NULL, *exec_bin = NULL;
    prefix_kind kind = PREFIX_NONE;
    long fail_at = -1;
    const char *slash = strrchr(argv[0], '/');
    prog = slash != NULL ? slash + 1 : argv[0];
    const rt_impl *impl = fuzz_sut();
    int verbose = 0, quiet = 0, first_path = argc;
    int keep_going = 0, list = 0, profiles = 0;
    const char *known_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--encode") == 0) {
            if (i + 1 >= argc)
                return usage_error("'%s' needs a value", arg);
            encode = argv[++i];
            if (i + 1 < argc && argv[i + 1][0] != '-')
                encode_out = argv[++i];
        } else if (strcmp(arg, "--signature") == 0 ||
                   strcmp(arg, "--target") == 0 || strcmp(arg, "--exec") == 0) {
            if (i + 1 >= argc)
                return usage_error("'%s' needs a value", arg);
            const char *value = argv[++i];
            if (arg[2] == 's')
                signature = value;
            else if (arg[2] == 'e')
                exec_bin = value;
            else {
                /* A kind, or a target's name ending in one (restab_oom). */
                const char *under = strrchr(value, '_');
                const char *word = under != NULL ? under + 1 : value;
                if (strcmp(value, "ops_mut") == 0 ||
                    files_has_suffix(value, "_ops_mut"))
                    word = "ops";
                if (strcmp(word, "ops") != 0 && strcmp(word, "oom") != 0 &&
                    strcmp(word, "script") != 0 && strcmp(word, "corrupt") != 0)
                    return usage_error("unknown target kind '%s' (ops, oom, "
                                       "script or corrupt)", value);
                target = word;
                kind = prefix_of_target(word);
            }
        } else if (strcmp(arg, "--script") == 0 || strcmp(arg, "--print") == 0 ||
            strcmp(arg, "--impl") == 0) {
            if (i + 1 >= argc)
                return usage_error("'%s' needs a value", arg);
            const char *value = argv[++i];
            if (arg[2] == 's')
                script = value;
            else if (arg[2] == 'p')
                print = value;
            else if (strcmp(value, fuzz_sut()->name) == 0)
                impl = fuzz_sut();
            else if (strcmp(value, "oracle") == 0)
                impl = &rt_oracle;
            else
                return usage_error("unknown implementation '%s' (%s or oracle)",
                                   value, fuzz_sut()->name);
        } else if (strcmp(arg, "--fail-at") == 0) {
            char *end = NULL;
            if (i + 1 >= argc)
                return usage_error("'%s' needs a value", arg);
            fail_at = strtol(argv[++i], &end, 10);
            if (*end != '\0' || fail_at < 0 || fail_at > 65535)
                return usage_error("--fail-at takes 0 to 65535");
        } else if (strcmp(arg, "--known") == 0) {
            if (i + 1 >= argc)
                return usage_error("'%s' needs a value", arg);
            known_path = argv[++i];
        } else if (strcmp(arg, "--keep-going") == 0) {
            keep_going = 1;
        } else if (strcmp(arg, "--list-known") == 0) {
            list = 1;
        } else if (strcmp(arg, "--profiles") == 0) {
            profiles = 1;
        } else if (strcmp(arg, "--verbose") == 0 || strcmp(arg, "-v") == 0) {
            verbose = 1;
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            quiet = 1;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_usage(stdout);
            return 0;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage_error("unknown option '%s'", arg);
        } else {
            first_path = i;
            break;
        }
    }
    /* Options may follow the mode's file ("--print FILE --verbose"). */
    if (first_path < argc && (print != NULL || signature != NULL || script != NULL)) {
        for (int i = first_path; i < argc; i++) {
            if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0)
                verbose = 1;
            else if ((strcmp(argv[i], "--target") == 0 ||
                      strcmp(argv[i], "--exec") == 0) && i + 1 < argc) {
                if (argv[i][2] == 'e')
                    exec_bin = argv[i + 1];
                else
                    target = argv[i + 1];
                i++;
            } else
                return usage_error("unexpected '%s'", argv[i]);
        }
        first_path = argc;
    }
    int modes = (script != NULL) + (print != NULL) + (encode != NULL) +
                (signature != NULL) + (first_path < argc) + list + profiles;
    if (modes != 1)
        return usage_error("%s", modes == 0 ? "nothing to do"
                                            : "give one of --script, --print, "
                                              "--encode, --signature or input "
                                              "files");
    if (exec_bin != NULL && signature == NULL)
        return usage_error("--exec goes with --signature");
    if ((known_path != NULL || keep_going) && first_path >= argc && !list)
        return usage_error("--known and --keep-going go with input files");
    if (list && known_path == NULL)
        return usage_error("--list-known needs --known FILE");
    if (profiles) {
        for (unsigned sem = 0; sem < RT_SEMANTICS_COUNT; sem++) {
            if (run_profile(impl, (rt_semantics)sem) == (rt_semantics)sem)
                printf("%s\n", semantics_name((rt_semantics)sem));
        }
        return 0;
    }
    if (known_path != NULL) {
        char err[700];
        run_options opt = fuzz_run_options();
        if (known_load(known_path, &known, err, sizeof err) != 0 ||
            run_known_resolve(&known, &opt, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            return EXIT_USAGE;
        }
        have_known = 1;
        for (size_t i = 0; i < known.len; i++)
            tally_declare(TALLY_KNOWN, known.entries[i].name);
        if (list)
            return list_known();
    }
    if (target != NULL && signature == NULL && print == NULL)
        return usage_error("--target goes with --signature or --print");
    if (encode != NULL)
        return encode_mode(encode, encode_out, fail_at);
    if (script != NULL)
        return script_mode(script, impl, verbose);
    if (print != NULL)
        return print_mode(print, kind, verbose);
    if (signature != NULL)
        return signature_mode(signature, target, exec_bin, verbose);

    int status = 0;
    walk w;
    memset(&w, 0, sizeof w);
    w.quiet = quiet;
    w.keep_going = keep_going;
    for (int i = first_path; i < argc && status == 0; i++) {
        char err[512];
        status = files_walk(argv[i], run_walked, &w, err, sizeof err);
        if (status < 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            return EXIT_USAGE;
        }
    }
    int ran = w.ran;
    if (status == 0 && w.fresh_len == 0 && !w.usage_error)
        fprintf(stderr, "%s: %d input%s ran with no %sdifference\n", prog,
                ran, ran == 1 ? "" : "s", have_known ? "new " : "");
    print_declines(impl);
    if (status == 0 || keep_going)
        print_tallies(&w);
    for (size_t i = 0; i < w.fresh_len; i++)
        free(w.fresh[i].first);
    free(w.fresh);
    known_free(&known);
    if (status == 0 && w.fresh_len > 0)
        status = EXIT_FOUND;
    if (status == 0 && w.usage_error)
        status = EXIT_USAGE;
    return status;
}
