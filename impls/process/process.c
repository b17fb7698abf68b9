/*
 * rt_process: the harness interface (restab_impl.h) over a separate process
 * that speaks the line protocol of docs/protocol.md, so that
 * implementations in any language run against the oracle with the same
 * reports.
 *
 * One child per harness process, started from $RESTAB_IMPL_CMD with
 * /bin/sh -c at the first create(), kept across inputs (one `reset` per
 * create()) and started again when it has died. Every reply must come
 * within $RESTAB_IMPL_TIMEOUT seconds (default 2).
 *
 * Failures of the child (a reply that does not parse or does not fit, output
 * nobody asked for, silence past the timeout, exit or death, a command that
 * cannot start) never crash or hang the harness: the bridge writes one
 * paragraph to stderr naming the command, what happened, the request and
 * the last lines of the child's stderr, kills the child, and from then on
 * every call on that table set fails: operations and create() return
 * RT_INVALID (an outcome the oracle never has), observations return values
 * no model has, check() reports a broken invariant. The harness therefore
 * reports the step as a difference and the run fails (fuzz targets abort,
 * replay exits 1). The next create() starts a new child.
 *
 * Capabilities come from the handshake, so they are known only at run time,
 * while rt_impl is a constant table: the table has every optional function,
 * and rt_impl_extensions() tells the harness which ones this table set
 * really serves (RT_CAN_OBSERVE with `state`, RT_CAN_CHECK with `check`).
 * Without either the harness compares results only and hands operations
 * over in batches (run_batch), which is what makes a child in a slow
 * language fast: one write and one read per thousands of operations.
 */
#define _POSIX_C_SOURCE 200809L

#include "process.h"
#include "program.h"
#include "restab_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT 2.0
/* The child's stderr lines kept for reports. */
#define ERR_LINES 20
#define ERR_KEEP 8192
/* A reply line longer than this is garbage. */
#define LINE_MAX_LEN (1u << 20)
/* The child answers `summary` (an internal bit beside RT_CAN_*). */
#define CAP_SUMMARY 4u
/* Words on one line of a state block, at most. */
#define MAX_WORDS 16

/* ---- The child process ------------------------------------------------- */

typedef struct child {
    pid_t pid;     /* 0: none running */
    int to_child;  /* its stdin (non-blocking) */
    int from_child; /* its stdout (non-blocking) */
    int err_fd;    /* its stderr (non-blocking), -1 at EOF */
    int eof;       /* its stdout ended */
    unsigned caps; /* RT_CAN_* from the handshake */
    unsigned profiles; /* bit (1u << rt_semantics) per profile= word; 0:
                          none announced (wasmtime35 only, and `reset`
                          without `semantics`) */
    unsigned long generation; /* resets so far */
    unsigned long requests;   /* requests written to this child */
    double timeout;
    char cmd[1024];
    /* replies read and not yet consumed: rbuf[rpos .. rlen) */
    char *rbuf;
    size_t rpos, rlen, rcap, scan;
    /* requests not yet written: wbuf[wpos .. wlen) */
    char *wbuf;
    size_t wpos, wlen, wcap;
    /* the tail of its stderr */
    char err[ERR_KEEP];
    size_t err_len;
} child;

/* The batch being answered, for reports (run_batch). */
static const rt_batch_op *batch_ops;
static size_t batch_at, batch_len;

static size_t format_op(char *buf, uint32_t code, uint32_t resource,
                        uint32_t operand);

static child g = {0, -1, -1, -1, 0, 0, 0, 0, 0, DEFAULT_TIMEOUT, "", NULL, 0,
                  0, 0, 0, NULL, 0, 0, 0, "", 0};
static int atexit_done;
/* Operation lines (new .. exit) queued for children so far; no reset,
   state, summary or check request counts. */
static unsigned long long operations_sent;

/* ---- One table set ----------------------------------------------------- */

typedef struct snap_table {
    uint32_t size, next;
    size_t first; /* index of its slot 1 in slots */
} snap_table;

typedef struct snap_scope {
    uint32_t borrows, lenders;
    size_t first; /* index of its oldest record in lender_table/handle */
} snap_scope;

typedef struct tables {
    unsigned long generation; /* g.generation of its reset */
    uint32_t instances, types;
    int failed;
    /* The last state block, valid until the next operation: level 0 none,
       1 a `summary` (every table's size and next handle, the scope count,
       the top scope and its newest lender record: scopes[0] and lender 0),
       2 a full `state`. */
    int level;
    uint32_t scope_total; /* levels 1 and 2 */
    snap_table *tab;   /* [instances + 1] */
    rt_slot *slots;
    size_t nslots, slots_cap;
    snap_scope *scopes;
    size_t nscopes, scopes_cap;
    uint32_t *lender_table, *lender_handle;
    size_t nlenders, lenders_cap;
    /* run_batch_observed is handing out a step: its blocks are cached, and
       nothing may be asked (the child is answering later requests). */
    int in_batch;
    /* The step's `check` reply, read with its batch. */
    int check_cached;
    char check_reply[512];
} tables;

/* ---- Reports ----------------------------------------------------------- */

/* Writes s (len bytes) quoted: at most 120 characters, non-printable bytes
   as \xNN. */
static void quote(FILE *out, const char *s, size_t len)
{
    size_t shown = len > 120 ? 120 : len;
    fputc('`', out);
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f)
            fputc(c, out);
        else
            fprintf(out, "\\x%02x", c);
    }
    fputs(len > shown ? "`..." : "`", out);
}

static void read_stderr(void);

/* The end of the child's status sentence: how it ended. */
static void describe_status(FILE *out, int status)
{
    if (WIFEXITED(status)) {
        int code = WEXITSTATUS(status);
        fprintf(out, " It exited with status %d%s.", code,
                code == 127 ? " (the shell's \"command not found\")"
                : code == 126 ? " (the shell's \"not executable\")"
                              : "");
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        fprintf(out, " It was killed by signal %d (%s).", sig, strsignal(sig));
    }
}

/* Stops the child: SIGKILL unless it has already exited. *status receives
   its wait status; returns 1 when it had exited by itself (within `grace`
   seconds). */
static int stop_child(int *status, double grace)
{
    int exited = 0;
    *status = 0;
    if (g.pid <= 0)
        return 0;
    struct timespec step = {0, 5 * 1000 * 1000};
    for (double waited = 0; waited <= grace; waited += 0.005) {
        pid_t r = waitpid(g.pid, status, WNOHANG);
        if (r == g.pid || (r < 0 && errno != EINTR)) {
            exited = r == g.pid;
            goto reaped;
        }
        nanosleep(&step, NULL);
    }
    kill(g.pid, SIGKILL);
    while (waitpid(g.pid, status, 0) < 0 && errno == EINTR)
        ;
reaped:
    read_stderr();
    if (g.to_child >= 0)
        close(g.to_child);
    if (g.from_child >= 0)
        close(g.from_child);
    if (g.err_fd >= 0)
        close(g.err_fd);
    g.to_child = g.from_child = g.err_fd = -1;
    g.pid = 0;
    g.eof = 0;
    g.rpos = g.rlen = g.scan = 0;
    g.wpos = g.wlen = 0;
    return exited;
}

/* A failure while the harness asked for the profiles (profiles(), before
   an input starts and before the harness listens for failures): create()
   reports it again instead of starting the child a second time. */
static struct {
    int asking;  /* profiles() is running */
    int pending; /* a failure to report at the next create() */
    char kind[16];
    char what[512];
} early;

static void remember_failure(const char *kind, const char *what)
{
    rt_impl_failed(kind, "", what);
    if (early.asking) {
        early.pending = 1;
        snprintf(early.kind, sizeof early.kind, "%s", kind);
        snprintf(early.what, sizeof early.what, "%s", what);
    }
}

/* The kinds of failure (rt_impl_failed): the child broke the protocol, did
   not answer in time, ended (exit) or was killed (crash), could not be
   started, or the bridge itself could not go on (out of memory, a failed
   system call). NULL: it ended; exit or crash after its status is known. */
#define FAILED_PROTOCOL "protocol"
#define FAILED_TIMEOUT "timeout"
#define FAILED_START "start"
#define FAILED_BRIDGE "bridge"
#define FAILED_ENDED NULL

/*
 * The failure report: one paragraph on stderr, then the child is stopped
 * and the table set fails from now on; the harness hears of it through
 * rt_impl_failed() and reports the step with the signature kind
 * impl-failure:KIND. `request` is the line whose reply was awaited, or NULL.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void fail(tables *t, const char *kind, const char *request,
                 const char *fmt, ...)
{
    FILE *out = stderr;
    pid_t pid = g.pid;
    int status = 0;
    /* A child that broke the protocol is killed at once; one whose output
       ended gets a moment to exit, so that its status can be told. */
    int exited = stop_child(&status, g.eof ? 0.5 : 0.0);
    char what[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(what, sizeof what, fmt, args);
    va_end(args);
    if (kind == FAILED_ENDED)
        kind = exited && WIFSIGNALED(status) ? "crash" : "exit";
    remember_failure(kind, what);
    fprintf(out, "restab process bridge: the implementation process `%s`",
            g.cmd);
    if (pid > 0)
        fprintf(out, " (pid %ld)", (long)pid);
    fputc(' ', out);
    fputs(what, out);
    if (request != NULL) {
        size_t n = strlen(request);
        while (n > 0 && request[n - 1] == '\n')
            n--;
        fputs(" The harness was waiting for its reply to ", out);
        quote(out, request, n);
        fputc('.', out);
    } else if (batch_ops != NULL && batch_at < batch_len) {
        char line[48];
        size_t n = format_op(line, batch_ops[batch_at].code,
                             batch_ops[batch_at].resource,
                             batch_ops[batch_at].operand);
        fputs(" The harness was waiting for its reply to ", out);
        quote(out, line, n - 1);
        fprintf(out, " (operation %zu of a batch of %zu sent at once).",
                batch_at + 1, batch_len);
    }
    if (exited)
        describe_status(out, status);
    else if (pid > 0)
        fputs(" The bridge killed it.", out);
    /* The last lines of stderr. */
    size_t start = g.err_len, lines = 0;
    while (start > 0) {
        if (g.err[start - 1] == '\n' && start != g.err_len && ++lines == ERR_LINES)
            break;
        start--;
    }
    if (start < g.err_len) {
        fprintf(out, " The last lines of its standard error:\n");
        const char *p = g.err + start, *end = g.err + g.err_len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
            fprintf(out, "  | %.*s\n", (int)(n > 200 ? 200 : n), p);
            p += n + (nl != NULL);
        }
    } else if (pid > 0) {
        fprintf(out, " It wrote nothing to its standard error.\n");
    } else {
        fputc('\n', out);
    }
    fflush(out);
    g.err_len = 0;
    if (t != NULL)
        t->failed = 1;
}

/* ---- Low-level I/O ----------------------------------------------------- */

/* A child starting up (its interpreter, its runtime) answers the handshake
   later than anything else: that reply may take at least this long. */
#define HANDSHAKE_TIMEOUT 20.0

/* Set while the handshake's reply is awaited. */
static int shaking_hands;

/* How long a reply may take: RESTAB_IMPL_TIMEOUT, and for the handshake at
   least HANDSHAKE_TIMEOUT. */
static double reply_timeout(void)
{
    return shaking_hands && g.timeout < HANDSHAKE_TIMEOUT ? HANDSHAKE_TIMEOUT
                                                          : g.timeout;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keeps the tail of whatever the child wrote to stderr; never blocks. */
static void read_stderr(void)
{
    char buf[ERR_KEEP / 2];
    while (g.err_fd >= 0) {
        ssize_t n = read(g.err_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0) {
            close(g.err_fd);
            g.err_fd = -1;
        }
        if (n <= 0)
            return;
        size_t len = (size_t)n; /* < ERR_KEEP */
        if (g.err_len + len > ERR_KEEP) {
            size_t drop = g.err_len + len - ERR_KEEP;
            memmove(g.err, g.err + drop, g.err_len - drop);
            g.err_len -= drop;
        }
        memcpy(g.err + g.err_len, buf, len);
        g.err_len += len;
    }
}

static int reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 65536;
    while (n < need)
        n *= 2;
    char *grown = realloc(*buf, n);
    if (grown == NULL)
        return -1;
    *buf = grown;
    *cap = n;
    return 0;
}

/* Reads what the child's stdout has. 1 data, 0 nothing yet, -1 EOF or an
   error (g.eof set). */
static int read_stdout(void)
{
    if (g.rpos > 0 && g.rpos == g.rlen) {
        g.rpos = g.rlen = g.scan = 0;
    } else if (g.rpos > g.rcap / 2) {
        memmove(g.rbuf, g.rbuf + g.rpos, g.rlen - g.rpos);
        g.rlen -= g.rpos;
        g.scan -= g.rpos;
        g.rpos = 0;
    }
    if (reserve(&g.rbuf, &g.rcap, g.rlen + 65536) != 0)
        return -1;
    for (;;) {
        ssize_t n = read(g.from_child, g.rbuf + g.rlen, g.rcap - g.rlen);
        if (n > 0) {
            g.rlen += (size_t)n;
            return 1;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        g.eof = 1;
        return -1;
    }
}

/* Queues request text. */
static int put(const char *s, size_t n)
{
    if (reserve(&g.wbuf, &g.wcap, g.wlen + n) != 0)
        return -1;
    memcpy(g.wbuf + g.wlen, s, n);
    g.wlen += n;
    return 0;
}

/*
 * The next reply line, NUL-terminated in place (its '\n' and a '\r' before
 * it removed), writing queued requests meanwhile. 0, or -1 after a report
 * naming `request` (the request whose reply is awaited).
 */
static int next_line(tables *t, const char *request, char **line, size_t *len)
{
    double deadline = now() + reply_timeout();
    for (;;) {
        char *nl = g.rlen > g.scan ? memchr(g.rbuf + g.scan, '\n', g.rlen - g.scan)
                                   : NULL;
        if (nl != NULL) {
            char *start = g.rbuf + g.rpos;
            size_t n = (size_t)(nl - start);
            g.rpos = g.scan = (size_t)(nl - g.rbuf) + 1;
            if (n > 0 && start[n - 1] == '\r')
                n--;
            start[n] = '\0';
            *line = start;
            *len = n;
            return 0;
        }
        g.scan = g.rlen;
        if (g.rlen - g.rpos > LINE_MAX_LEN) {
            fail(t, FAILED_PROTOCOL, request, "wrote more than %u bytes without a newline, "
                             "starting with %.40s.",
                 LINE_MAX_LEN, g.rbuf + g.rpos);
            return -1;
        }
        if (g.eof) {
            if (g.rlen > g.rpos) {
                fail(t, FAILED_ENDED, request, "ended its output in the middle of a line.");
            } else {
                fail(t, FAILED_ENDED, request, "closed its standard output (it has exited or "
                                 "crashed).");
            }
            return -1;
        }
        struct pollfd fds[3];
        nfds_t nfds = 0;
        fds[nfds++] = (struct pollfd){g.from_child, POLLIN, 0};
        int err_slot = -1, write_slot = -1;
        if (g.err_fd >= 0) {
            err_slot = (int)nfds;
            fds[nfds++] = (struct pollfd){g.err_fd, POLLIN, 0};
        }
        if (g.wpos < g.wlen) {
            write_slot = (int)nfds;
            fds[nfds++] = (struct pollfd){g.to_child, POLLOUT, 0};
        }
        double left = deadline - now();
        if (left <= 0) {
            fail(t, FAILED_TIMEOUT, request, "did not answer within %g s (%s).",
                 reply_timeout(),
                 shaking_hands && g.timeout < HANDSHAKE_TIMEOUT
                     ? "the handshake's least timeout"
                     : "RESTAB_IMPL_TIMEOUT");
            return -1;
        }
        int r = poll(fds, nfds, (int)(left * 1000) + 1);
        if (r < 0 && errno != EINTR) {
            fail(t, FAILED_BRIDGE, request, "could not be waited for: poll: %s.", strerror(errno));
            return -1;
        }
        if (r <= 0)
            continue;
        if (err_slot >= 0 && fds[err_slot].revents != 0)
            read_stderr();
        if (write_slot >= 0 && fds[write_slot].revents != 0) {
            ssize_t n = write(g.to_child, g.wbuf + g.wpos, g.wlen - g.wpos);
            if (n > 0) {
                g.wpos += (size_t)n;
                if (g.wpos == g.wlen)
                    g.wpos = g.wlen = 0;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR &&
                       errno != EWOULDBLOCK) {
                /* EPIPE: it closed its stdin; its stdout tells the rest. */
                g.wpos = g.wlen = 0;
                if (errno != EPIPE) {
                    fail(t, FAILED_BRIDGE, request, "could not be written to: %s.",
                         strerror(errno));
                    return -1;
                }
            }
        }
        if (fds[0].revents != 0) {
            int got = read_stdout();
            if (got < 0 && !g.eof) {
                fail(t, FAILED_BRIDGE, request, "could not be read from: out of memory.");
                return -1;
            }
            if (got > 0)
                deadline = now() + reply_timeout();
        }
    }
}

/* Before a new request: nothing may be waiting on its stdout. 0, or -1
   after a report. */
static int expect_silence(tables *t)
{
    if (g.rlen == g.rpos && !g.eof)
        (void)read_stdout();
    read_stderr();
    if (g.rlen > g.rpos) {
        const char *start = g.rbuf + g.rpos;
        const char *nl = memchr(start, '\n', g.rlen - g.rpos);
        size_t n = nl != NULL ? (size_t)(nl - start) : g.rlen - g.rpos;
        char shown[160];
        size_t k = n < sizeof shown - 1 ? n : sizeof shown - 1;
        memcpy(shown, start, k);
        shown[k] = '\0';
        for (size_t i = 0; i < k; i++)
            if ((unsigned char)shown[i] < 0x20 || (unsigned char)shown[i] >= 0x7f)
                shown[i] = '?';
        fail(t, FAILED_PROTOCOL, NULL, "wrote output that answers no request (it answered a "
                      "request twice, or spoke unasked): `%s`.",
             shown);
        return -1;
    }
    return 0;
}

/* ---- Starting the child ------------------------------------------------ */

static void on_exit_quit(void)
{
    if (g.pid <= 0)
        return;
    /* Non-blocking: a child that stopped reading is killed below. */
    ssize_t ignored = write(g.to_child, "quit\n", 5);
    (void)ignored;
    int status;
    (void)stop_child(&status, 0.5);
}

static int set_flags(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
                   fcntl(fd, F_SETFD, FD_CLOEXEC) != 0
               ? -1
               : 0;
}

/* Reads the configuration from the environment. 0, or -1 after a report. */
static int read_environment(tables *t)
{
    const char *cmd = getenv("RESTAB_IMPL_CMD");
    if (cmd == NULL || cmd[0] == '\0') {
        snprintf(g.cmd, sizeof g.cmd, "(none)");
        fail(t, FAILED_START, NULL, "cannot start: RESTAB_IMPL_CMD is not set (give the "
                      "command of the implementation to fuzz, e.g. "
                      "RESTAB_IMPL_CMD='python3 examples/python/restab_child.py').");
        return -1;
    }
    if (g.pid > 0 && strcmp(cmd, g.cmd) != 0) {
        int status;
        (void)stop_child(&status, 0.0);
    }
    if (strlen(cmd) >= sizeof g.cmd) {
        snprintf(g.cmd, sizeof g.cmd, "%.60s...", cmd);
        fail(t, FAILED_START, NULL, "cannot start: RESTAB_IMPL_CMD is longer than %zu bytes.",
             sizeof g.cmd - 1);
        return -1;
    }
    snprintf(g.cmd, sizeof g.cmd, "%s", cmd);
    const char *timeout = getenv("RESTAB_IMPL_TIMEOUT");
    g.timeout = DEFAULT_TIMEOUT;
    if (timeout != NULL && timeout[0] != '\0') {
        char *end = NULL;
        double seconds = strtod(timeout, &end);
        if (end == timeout || *end != '\0' || !(seconds > 0) || seconds > 1e6) {
            fail(t, FAILED_START, NULL, "cannot start: RESTAB_IMPL_TIMEOUT='%s' is not a "
                          "positive number of seconds.",
                 timeout);
            return -1;
        }
        g.timeout = seconds;
    }
    return 0;
}

static int has_word(const char *line, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = line; (p = strstr(p, word)) != NULL; p += n) {
        if ((p == line || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    }
    return 0;
}

/* The profile= words of the handshake reply `line` into g.profiles. A name
   the harness does not know is ignored with a note; a child whose every
   profile is unknown cannot be driven. 0, or -1 after a report. */
static int read_profiles(const char *line)
{
    static const char key[] = "profile=";
    char unknown[256] = "";
    g.profiles = 0;
    for (const char *p = line; (p = strstr(p, key)) != NULL; p += sizeof key - 1) {
        if (p != line && p[-1] != ' ')
            continue;
        const char *name = p + sizeof key - 1;
        size_t n = strcspn(name, " ");
        int known = 0;
        for (unsigned s = 0; s < RT_SEMANTICS_COUNT; s++) {
            const char *word = semantics_name((rt_semantics)s);
            if (strlen(word) == n && strncmp(name, word, n) == 0) {
                g.profiles |= 1u << s;
                known = 1;
            }
        }
        size_t used = strlen(unknown);
        if (!known && used + n + 2 < sizeof unknown)
            snprintf(unknown + used, sizeof unknown - used, "%s%.*s",
                     used > 0 ? ", " : "", (int)n, name);
    }
    if (unknown[0] != '\0' && g.profiles == 0) {
        fail(NULL, FAILED_PROTOCOL, "restab-protocol 1\n",
             "announced only profiles this harness does not know (%s); it "
             "knows profile=wasmtime35 and profile=spec (docs/protocol.md, "
             "\"Handshake\").",
             unknown);
        return -1;
    }
    if (unknown[0] != '\0')
        fprintf(stderr, "restab process bridge: `%s` announced profiles this "
                        "harness does not know (%s); they are ignored\n",
                g.cmd, unknown);
    return 0;
}

/* Starts the child and shakes hands. 0, or -1 after a report. */
static int start_child(tables *t)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    signal(SIGPIPE, SIG_IGN);
    if (!atexit_done) {
        atexit(on_exit_quit);
        atexit_done = 1;
    }
    if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            if (in[i] >= 0)
                close(in[i]);
            if (out[i] >= 0)
                close(out[i]);
            if (err[i] >= 0)
                close(err[i]);
        }
        fail(t, FAILED_START, NULL, "cannot start: pipe: %s.", strerror(e));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            close(in[i]);
            close(out[i]);
            close(err[i]);
        }
        fail(t, FAILED_START, NULL, "cannot start: fork: %s.", strerror(e));
        return -1;
    }
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        for (int i = 0; i < 2; i++) {
            close(in[i]);
            close(out[i]);
            close(err[i]);
        }
        execl("/bin/sh", "sh", "-c", g.cmd, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    g.pid = pid;
    g.to_child = in[1];
    g.from_child = out[0];
    g.err_fd = err[0];
    g.eof = 0;
    g.err_len = 0;
    g.rpos = g.rlen = g.scan = 0;
    g.wpos = g.wlen = 0;
    g.requests = 0;
    g.caps = 0;
    if (set_flags(g.to_child) != 0 || set_flags(g.from_child) != 0 ||
        set_flags(g.err_fd) != 0) {
        fail(t, FAILED_START, NULL, "cannot start: fcntl: %s.", strerror(errno));
        return -1;
    }
    static const char hello[] = "restab-protocol 1\n";
    char *line;
    size_t len;
    g.requests++;
    shaking_hands = 1;
    int got = put(hello, sizeof hello - 1) == 0 && next_line(t, hello, &line, &len) == 0;
    shaking_hands = 0;
    if (!got)
        return -1;
    static const char ok[] = "ok restab-protocol 1";
    if (strncmp(line, ok, sizeof ok - 1) != 0 ||
        (line[sizeof ok - 1] != '\0' && line[sizeof ok - 1] != ' ')) {
        char shown[160];
        snprintf(shown, sizeof shown, "%s", line);
        fail(t, FAILED_PROTOCOL, hello, "answered the handshake with `%s` (expected `ok "
                       "restab-protocol 1`, then its capabilities).",
             shown);
        return -1;
    }
    g.caps = (has_word(line, "state") ? RT_CAN_OBSERVE : 0u) |
             (has_word(line, "check") ? RT_CAN_CHECK : 0u);
    if ((g.caps & RT_CAN_OBSERVE) && has_word(line, "summary"))
        g.caps |= CAP_SUMMARY;
    return read_profiles(line);
}

/* ---- Requests ---------------------------------------------------------- */

static char *put_u32(char *p, uint32_t v)
{
    char tmp[10];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

static const char *const op_words[9] = {
    "new ", "lower_own ", "lower_borrow ", "rep ", "drop ",
    "lift_own ", "lift_borrow ", "enter", "exit"};

/* Formats an operation line (with '\n') into buf (at least 48 bytes);
   returns its length. */
static size_t format_op(char *buf, uint32_t code, uint32_t resource,
                        uint32_t operand)
{
    const char *w = op_words[code];
    size_t n = strlen(w);
    memcpy(buf, w, n);
    char *p = buf + n;
    if (code < 7) {
        if (resource == RT_HOST) {
            memcpy(p, "host ", 5);
            p += 5;
        } else {
            *p++ = 't';
            p = put_u32(p, resource);
            *p++ = ' ';
        }
        p = put_u32(p, operand);
    }
    *p++ = '\n';
    return (size_t)(p - buf);
}

static const char *const status_words[RT_STATUS_COUNT] = {
#define STATUS_WORD_(name, word) word,
    RT_STATUS_MAP(STATUS_WORD_)
#undef STATUS_WORD_
};

/* A strict decimal uint32. 0, or -1. */
static int parse_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return -1;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* Reports a reply that does not fit its request. */
static void bad_reply(tables *t, const char *request, const char *line,
                      const char *expected)
{
    if (strncmp(line, "error protocol", 14) == 0 &&
        (line[14] == '\0' || line[14] == ' '))
        fail(t, FAILED_PROTOCOL, request, "rejected a request as a protocol error: `%.200s`.",
             line);
    else
        fail(t, FAILED_PROTOCOL, request, "gave the reply `%.200s`, which does not fit the "
                         "request (expected %s).",
             line, expected);
}

/* The reason of a `declined REASON` reply, or NULL when line is not one.
   `declined` without a reason is a protocol failure: *bad is set then. */
static const char *decline_reason(const char *line, int *bad)
{
    *bad = 0;
    if (strncmp(line, "declined", 8) != 0 || (line[8] != '\0' && line[8] != ' '))
        return NULL;
    const char *reason = line + 8;
    while (*reason == ' ')
        reason++;
    *bad = *reason == '\0';
    return reason;
}

/* Parses an operation's reply line into *r. 0, or -1 after a report. */
static int parse_result(tables *t, const char *request, uint32_t code,
                        const char *line, rt_batch_result *r)
{
    r->destructor_due = 0;
    r->value = 0;
    if (line[0] == 'o' && line[1] == 'k') {
        const char *rest = line + 2;
        if (code >= 7) {
            if (*rest == '\0') {
                r->status = RT_OK;
                return 0;
            }
            bad_reply(t, request, line, "`ok` or `error KIND`");
            return -1;
        }
        if (*rest == ' ') {
            if (code == 4 && strcmp(rest + 1, "none") == 0) {
                r->status = RT_OK;
                return 0;
            }
            if (parse_u32(rest + 1, &r->value) == 0) {
                r->status = RT_OK;
                r->destructor_due = code == 4;
                return 0;
            }
        }
        bad_reply(t, request, line,
                  code == 4 ? "`ok N`, `ok none` or `error KIND`"
                            : "`ok N` or `error KIND`");
        return -1;
    }
    int bad = 0;
    const char *reason = decline_reason(line, &bad);
    if (reason != NULL && !bad) {
        r->status = rt_decline(reason);
        return 0;
    }
    if (bad) {
        fail(t, FAILED_PROTOCOL, request,
             "declined without a reason (docs/protocol.md, \"Declines\": "
             "`declined REASON`).");
        return -1;
    }
    if (strncmp(line, "error ", 6) == 0) {
        for (int s = 1; s < RT_STATUS_COUNT; s++) {
            if (s == RT_DECLINED)
                continue;
            if (strcmp(line + 6, status_words[s]) == 0) {
                r->status = (rt_status)s;
                return 0;
            }
        }
    }
    bad_reply(t, request, line,
              code >= 7 ? "`ok` or `error KIND`"
              : code == 4 ? "`ok N`, `ok none` or `error KIND`"
                          : "`ok N` or `error KIND`");
    return -1;
}

static int read_state_block(tables *t, int brief, int after_result);
static int read_after(tables *t, unsigned after);

static tables *live(void *self)
{
    tables *t = self;
    if (t->failed)
        return NULL;
    if (t->generation != g.generation || g.pid <= 0) {
        fail(t, FAILED_BRIDGE, NULL, "is not serving this table set any more (the bridge "
                      "drives one table set at a time).");
        return NULL;
    }
    return t;
}

/* One operation, synchronously. */
static rt_status run_one(void *self, uint32_t code, uint32_t resource,
                         uint32_t operand, uint32_t *value, int *destructor_due)
{
    tables *t = live(self);
    if (t == NULL)
        return RT_INVALID;
    t->level = 0;
    t->check_cached = 0;
    if (expect_silence(t) != 0)
        return RT_INVALID;
    char request[48];
    size_t n = format_op(request, code, resource, operand);
    request[n] = '\0';
    char *line;
    size_t len;
    rt_batch_result r;
    g.requests++;
    operations_sent++;
    /* The harness compares states after every step: ask for the summary
       with the operation, one round trip instead of two. */
    int prefetch = (g.caps & (RT_CAN_OBSERVE | CAP_SUMMARY)) ==
                   (RT_CAN_OBSERVE | CAP_SUMMARY);
    if (put(request, n) != 0 || (prefetch && put("summary\n", 8) != 0) ||
        next_line(t, request, &line, &len) != 0 ||
        parse_result(t, request, code, line, &r) != 0 ||
        (prefetch && read_state_block(t, 1, 1) < 0) || expect_silence(t) != 0)
        return RT_INVALID;
    if (r.status == RT_OK) {
        if (value != NULL && (code != 4 || r.destructor_due))
            *value = r.value;
        if (destructor_due != NULL)
            *destructor_due = r.destructor_due;
    }
    return r.status;
}

/* The table set self, ready for a batch of count operations whose
   requests take at most `bytes` each: NULL after a report. */
static tables *batch_start(void *self, size_t count, size_t bytes)
{
    tables *t = live(self);
    if (t == NULL)
        return NULL;
    t->level = 0;
    if (expect_silence(t) != 0)
        return NULL;
    if (reserve(&g.wbuf, &g.wcap, g.wlen + count * bytes) != 0) {
        fail(t, FAILED_BRIDGE, NULL, "cannot be sent a batch: out of memory.");
        return NULL;
    }
    return t;
}

/* results[from .. count-1]: what a failed child answered. */
static void invalid_from(rt_batch_result *results, size_t from, size_t count)
{
    for (size_t i = from; i < count; i++) {
        results[i].status = RT_INVALID;
        results[i].destructor_due = 0;
        results[i].value = 0;
    }
}

static void run_batch(void *self, const rt_batch_op *ops, size_t count,
                      rt_batch_result *results)
{
    size_t done = 0;
    tables *t = batch_start(self, count, 48);
    if (t != NULL) {
        for (size_t i = 0; i < count; i++)
            g.wlen += format_op(g.wbuf + g.wlen, ops[i].code, ops[i].resource,
                                ops[i].operand);
        g.requests += count;
        operations_sent += count;
        batch_ops = ops;
        batch_len = count;
        for (; done < count; done++) {
            char *line;
            size_t len;
            batch_at = done;
            if (next_line(t, NULL, &line, &len) != 0 ||
                parse_result(t, NULL, ops[done].code, line, &results[done]) != 0)
                break;
        }
        batch_ops = NULL;
        if (done == count && expect_silence(t) != 0)
            done = count - 1;
    }
    invalid_from(results, done, count);
}

/* The requests that follow operation `code` in an observed batch, for
   after (RT_AFTER_*): the state, or the summary (the state when the child
   has no summary), and the check. */
static size_t format_after(char *buf, unsigned after)
{
    size_t n = 0;
    const char *block = (after & RT_AFTER_STATE) || !(g.caps & CAP_SUMMARY)
                            ? "state\n"
                            : "summary\n";
    if (after & (RT_AFTER_STATE | RT_AFTER_SUMMARY)) {
        memcpy(buf, block, strlen(block));
        n += strlen(block);
    }
    if (after & RT_AFTER_CHECK) {
        memcpy(buf + n, "check\n", 6);
        n += 6;
    }
    return n;
}

/* Reads one step's replies in an observed batch: the operation's result,
   then the block and check reply `after` asked for, into the cache. 0; -1
   after a report, when the result could not be read; 1 after a report,
   when the result was read into *r but what followed it failed. */
static int read_step(tables *t, const rt_batch_op *request, unsigned after,
                     rt_batch_result *r)
{
    char *line;
    size_t len;
    t->level = 0;
    t->check_cached = 0;
    if (next_line(t, NULL, &line, &len) != 0 ||
        parse_result(t, NULL, request->code, line, r) != 0)
        return -1;
    return read_after(t, after);
}

/* The block and check reply of a step whose result was read: 0, or 1
   after a report. */
static int read_after(tables *t, unsigned after)
{
    char *line;
    size_t len;
    int full = (after & RT_AFTER_STATE) || !(g.caps & CAP_SUMMARY);
    if ((after & (RT_AFTER_STATE | RT_AFTER_SUMMARY)) &&
        read_state_block(t, !full, 1) < 0)
        return 1;
    if (after & RT_AFTER_CHECK) {
        if (next_line(t, "check", &line, &len) != 0)
            return 1;
        snprintf(t->check_reply, sizeof t->check_reply, "%s", line);
        t->check_cached = 1;
    }
    return 0;
}

/* Reads and drops one step's replies after the harness stopped the batch.
   The lines are only told apart, not parsed: after an input's decline
   they are most of what a child answers. A block is its `tables` line up
   to `end`, or one line of another kind (an `error`); a line that cannot
   be part of a block is a protocol failure, so the child never falls out
   of step unnoticed. 0, or -1 after a report. */
static int skip_step(tables *t, unsigned after)
{
    char *line;
    size_t len;
    if (next_line(t, NULL, &line, &len) != 0)
        return -1;
    if (after & (RT_AFTER_STATE | RT_AFTER_SUMMARY)) {
        const char *request = "state";
        if (next_line(t, request, &line, &len) != 0)
            return -1;
        if (strncmp(line, "tables ", 7) == 0) {
            while (strcmp(line, "end") != 0) {
                if (next_line(t, request, &line, &len) != 0)
                    return -1;
                if ((line[0] == '\0' || strchr("ts", line[0]) == NULL) &&
                    strncmp(line, "lender ", 7) != 0 && strcmp(line, "end") != 0) {
                    bad_reply(t, request, line, "a line of a state block");
                    return -1;
                }
            }
        }
    }
    if ((after & RT_AFTER_CHECK) && next_line(t, "check", &line, &len) != 0)
        return -1;
    return 0;
}

/*
 * rt_impl_ext.run_batch_observed: every operation of the batch and the
 * requests its after[] asks for are written at once (pipelined,
 * docs/protocol.md), and each step's replies are read into the cache and
 * handed to the harness before the next step's are read. When the harness
 * stops early, the rest are read and dropped, so that the child is in step
 * for the next input. A failure of the child at step i: results from i on
 * are RT_INVALID and the harness hears of it at step i.
 */
static void run_batch_observed(void *self, const rt_batch_op *ops,
                               const unsigned *after, size_t count,
                               rt_batch_result *results,
                               int (*step)(void *user, size_t i), void *user)
{
    size_t i = 0;
    tables *t = batch_start(self, count, 64);
    if (t != NULL) {
        for (size_t k = 0; k < count; k++) {
            g.wlen += format_op(g.wbuf + g.wlen, ops[k].code, ops[k].resource,
                                ops[k].operand);
            g.wlen += format_after(g.wbuf + g.wlen, after[k]);
        }
        g.requests += count;
        operations_sent += count;
        batch_ops = ops;
        batch_len = count;
        int stop = 0, read = 0;
        for (; i < count && !stop; i++) {
            batch_at = i;
            if ((read = read_step(t, &ops[i], after[i], &results[i])) != 0)
                break;
            t->in_batch = 1;
            stop = step(user, i);
            t->in_batch = 0;
        }
        if (read > 0) {
            /* The result was read, then the child failed: the harness
               compares the result first (a result that differs is the
               finding, the failure after it a consequence). */
            invalid_from(results, i + 1, count);
            (void)step(user, i);
            return;
        }
        for (size_t k = i; k < count && stop && !t->failed; k++) {
            batch_at = k;
            if (skip_step(t, after[k]) != 0)
                break;
        }
        batch_ops = NULL;
        if (!t->failed && (i == count || stop))
            (void)expect_silence(t);
        if (stop || i == count)
            return;
    }
    /* The child failed at step i (or before the batch): the rest fail, and
       the harness is told at step i. */
    invalid_from(results, i, count);
    if (i < count)
        (void)step(user, i);
}

/* ---- rt_impl ----------------------------------------------------------- */

static void free_tables(tables *t)
{
    free(t->tab);
    free(t->slots);
    free(t->scopes);
    free(t->lender_table);
    free(t->lender_handle);
    free(t);
}

/* A child runs and has shaken hands: started now when none runs or the
   last one ended after its previous input. 0, or -1 after a report. */
static int ensure_child(tables *t)
{
    if (read_environment(t) != 0)
        return -1;
    if (g.pid > 0 && !g.eof && g.rlen == g.rpos)
        (void)read_stdout();
    if (g.pid > 0 && g.eof && g.rlen == g.rpos) {
        /* It ended after the previous input was done: start a new one. */
        int status;
        pid_t pid = g.pid;
        (void)stop_child(&status, 0.5);
        fprintf(stderr, "restab process bridge: `%s` (pid %ld) ended between "
                        "inputs; starting it again\n",
                g.cmd, (long)pid);
    }
    return g.pid <= 0 ? start_child(t) : 0;
}

/* Sends the reset of cfg and reads its reply. */
static rt_status reset(tables *t, const rt_config *cfg)
{
    if (early.pending) {
        /* profiles() failed to start the child just before this input. */
        early.pending = 0;
        t->failed = 1;
        rt_impl_failed(early.kind, "", early.what);
        return RT_INVALID;
    }
    if (ensure_child(t) != 0 || expect_silence(t) != 0)
        return RT_INVALID;
    /* The request; its first bytes are quoted in reports. */
    char request[160];
    int n = snprintf(request, sizeof request, "reset instances %" PRIu32 " types",
                     cfg->instances);
    size_t first = g.wlen;
    if (put(request, (size_t)n) != 0)
        goto oom;
    for (uint32_t i = 0; i < cfg->types; i++) {
        char num[16];
        num[0] = ' ';
        size_t k = (size_t)(put_u32(num + 1, cfg->type_instance[i]) - num);
        if (put(num, k) != 0)
            goto oom;
    }
    /* The four pairs of the first text of version 1, and `semantics` only
       for a child that announced its profiles (docs/protocol.md, "Versions
       and compatibility"). */
    n = snprintf(request, sizeof request, " limit %" PRIu32 " max_lends %" PRIu32,
                 cfg->limit, cfg->max_lends);
    if (put(request, (size_t)n) != 0)
        goto oom;
    if (g.profiles != 0) {
        n = snprintf(request, sizeof request, " semantics %s",
                     semantics_name(cfg->semantics));
        if (put(request, (size_t)n) != 0)
            goto oom;
    }
    if (put("\n", 1) != 0)
        goto oom;
    size_t len = g.wlen - first < sizeof request - 1 ? g.wlen - first
                                                     : sizeof request - 1;
    memcpy(request, g.wbuf + first, len);
    request[len] = '\0';
    g.generation++;
    t->generation = g.generation;
    g.requests++;
    char *line;
    if (next_line(t, request, &line, &len) != 0)
        return RT_INVALID;
    int bad = 0;
    const char *reason = decline_reason(line, &bad);
    if (strcmp(line, "ok") == 0 || (reason != NULL && !bad)) {
        if (expect_silence(t) != 0)
            return RT_INVALID;
        return reason == NULL ? RT_OK : rt_decline(reason);
    }
    if (strcmp(line, "error invalid-argument") == 0) /* the first text's */
        return rt_decline("invalid-argument");
    if (strcmp(line, "error out-of-memory") == 0)
        return RT_OUT_OF_MEMORY;
    if (bad)
        fail(t, FAILED_PROTOCOL, request,
             "declined without a reason (docs/protocol.md, \"Declines\": "
             "`declined REASON`).");
    else
        bad_reply(t, request, line,
                  "`ok`, `declined REASON`, `error invalid-argument` or `error "
                  "out-of-memory`");
    return RT_INVALID;
oom:
    fail(t, FAILED_BRIDGE, NULL, "cannot be sent a reset: out of memory.");
    return RT_INVALID;
}

/* rt_impl_ext.profiles: the profiles the child announced (starting it when
   none runs), wasmtime35 when it announced none; 0 when it cannot start. */
static unsigned profiles(void)
{
    early.asking = 1;
    early.pending = 0;
    int ok = ensure_child(NULL) == 0;
    early.asking = 0;
    if (!ok)
        return 0;
    return g.profiles != 0 ? g.profiles : 1u << RT_SEMANTICS_WASMTIME35;
}

static rt_status create(const rt_config *cfg, void **self)
{
    tables *t = calloc(1, sizeof *t);
    if (t == NULL)
        return RT_OUT_OF_MEMORY;
    t->instances = cfg->instances;
    t->types = cfg->types;
    t->tab = calloc((size_t)cfg->instances + 1, sizeof *t->tab);
    rt_status status = t->tab == NULL ? RT_OUT_OF_MEMORY : reset(t, cfg);
    if (status != RT_OK) {
        free_tables(t);
        return status;
    }
    *self = t;
    return RT_OK;
}

static void destroy(void *self)
{
    if (self != NULL)
        free_tables(self);
}

static rt_status resource_new(void *self, uint32_t resource, uint32_t rep,
                              uint32_t *handle)
{
    return run_one(self, 0, resource, rep, handle, NULL);
}

static rt_status lower_own(void *self, uint32_t resource, uint32_t rep,
                           uint32_t *handle)
{
    return run_one(self, 1, resource, rep, handle, NULL);
}

static rt_status lower_borrow(void *self, uint32_t resource, uint32_t rep,
                              uint32_t *handle)
{
    return run_one(self, 2, resource, rep, handle, NULL);
}

static rt_status resource_rep(void *self, uint32_t resource, uint32_t handle,
                              uint32_t *rep)
{
    return run_one(self, 3, resource, handle, rep, NULL);
}

static rt_status resource_drop(void *self, uint32_t resource, uint32_t handle,
                               int *destructor_due, uint32_t *rep)
{
    return run_one(self, 4, resource, handle, rep, destructor_due);
}

static rt_status lift_own(void *self, uint32_t resource, uint32_t handle,
                          uint32_t *rep)
{
    return run_one(self, 5, resource, handle, rep, NULL);
}

static rt_status lift_borrow(void *self, uint32_t resource, uint32_t handle,
                             uint32_t *rep)
{
    return run_one(self, 6, resource, handle, rep, NULL);
}

static rt_status call_enter(void *self)
{
    return run_one(self, 7, 0, 0, NULL, NULL);
}

static rt_status call_exit(void *self)
{
    return run_one(self, 8, 0, 0, NULL, NULL);
}

/* ---- check and state --------------------------------------------------- */

/* While an observed batch hands out a step, the child is answering later
   requests: asking it anything now is a harness bug, reported as such. 0,
   or -1 after a report. */
static int asked_in_batch(tables *t, const char *what)
{
    if (!t->in_batch)
        return 0;
    fail(t, FAILED_BRIDGE, NULL,
         "was to be asked for `%s` in the middle of a pipelined batch that "
         "did not request it (a harness bug: the batch plans every request).",
         what);
    return -1;
}

static int check(const void *cself, char *msg, size_t msg_size)
{
    static const char failed[] = "the implementation process failed (see the "
                                 "bridge's report above)";
    static const char request[] = "check\n";
    tables *t = (tables *)(uintptr_t)cself; /* ours, allocated mutable */
    if (!(g.caps & RT_CAN_CHECK) && !t->failed)
        return 0;
    char *line;
    size_t len;
    if (t->check_cached && !t->failed) {
        line = t->check_reply; /* read with an observed batch's step */
    } else {
        if ((t = live(t)) == NULL || expect_silence(t) != 0 ||
            asked_in_batch(t, "check") != 0) {
            snprintf(msg, msg_size, "%s", failed);
            return 7;
        }
        g.requests++;
        if (put(request, sizeof request - 1) != 0 ||
            next_line(t, request, &line, &len) != 0) {
            snprintf(msg, msg_size, "%s", failed);
            return 7;
        }
    }
    if (strcmp(line, "ok") == 0)
        return t->check_cached || expect_silence(t) == 0 ? 0 : 7;
    if (strncmp(line, "error ", 6) == 0 && strncmp(line, "error protocol", 14) != 0) {
        snprintf(msg, msg_size, "%s", line + 6);
        const char *inv = strstr(line, "invariant ");
        int number = inv != NULL ? atoi(inv + 10) : 0;
        return number >= 1 && number <= 7 ? number : 7;
    }
    bad_reply(t, request, line, "`ok` or `error SENTENCE`");
    snprintf(msg, msg_size, "%s", failed);
    return 7;
}

static int grow(void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *grown = realloc(*array, n * size);
    if (grown == NULL)
        return -1;
    *array = grown;
    *cap = n;
    return 0;
}

/* Splits line into at most MAX_WORDS words in place; returns the count, or
   MAX_WORDS + 1 for too many. */
static int split(char *line, char **words)
{
    int n = 0;
    for (char *p = line;;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return n;
        if (n == MAX_WORDS)
            return MAX_WORDS + 1;
        words[n++] = p;
        while (*p != ' ' && *p != '\0')
            p++;
        if (*p == ' ')
            *p++ = '\0';
    }
}

static int parse_resource(const char *w, uint32_t *resource)
{
    if (strcmp(w, "host") == 0) {
        *resource = RT_HOST;
        return 0;
    }
    return w[0] == 't' && parse_u32(w + 1, resource) == 0 && *resource != RT_HOST
               ? 0
               : -1;
}

/* A block requested together with an operation, which the child
   rejected with `error protocol` (one line: it is still in step). The
   failure is the harness's to weigh against the operation's result: a
   result that differs is the finding, the rejection a consequence
   (docs/protocol.md, "How the harness uses it"). So it is told to the
   harness, and the child is not stopped. */
static void reject_in_step(const char *request, const char *line)
{
    char what[320];
    snprintf(what, sizeof what,
             "rejected a request as a protocol error: `%.200s`. The harness was "
             "waiting for its reply to `%s`.",
             line, request);
    rt_impl_failed(FAILED_PROTOCOL, "", what);
}

/* Reads a state block (the summary when brief) whose request was sent,
   into t. 0; -1 after a report; 1 when the child rejected it in step after an operation's
   result (after_result: reject_in_step). */
static int read_state_block(tables *t, int brief, int after_result)
{
    const char *request = brief ? "summary" : "state";
    t->nslots = t->nscopes = t->nlenders = 0;
    uint32_t ntables = t->instances + 1;
    uint32_t table = 0, slot = 0, scope = 0, lender = 0, nscopes = 0;
    uint32_t lenders_sent = 0;
    enum { TABLES, TABLE, SLOT, SCOPES, SCOPE, LENDER, END } want = TABLES;
    char *words[MAX_WORDS];
    for (unsigned long lineno = 1;; lineno++) {
        char *line;
        size_t len;
        if (next_line(t, request, &line, &len) != 0)
            return -1;
        int n = split(line, words);
        uint32_t a = 0, b = 0, c = 0;
        const char *expected = "";
        /* Slots and lenders are done: move on. */
        if (want == SLOT && slot == t->tab[table].size) {
            table++;
            want = table == ntables ? SCOPES : TABLE;
        }
        if (want == LENDER && lender == lenders_sent) {
            scope++;
            want = scope == nscopes ? END : SCOPE;
        }
        switch (want) {
        case TABLES:
            expected = "`tables T`";
            if (n == 2 && strcmp(words[0], "tables") == 0 &&
                parse_u32(words[1], &a) == 0 && a == ntables) {
                want = TABLE;
                continue;
            }
            break;
        case TABLE:
            expected = "`table I size S next N` for the next table";
            if (n == 6 && strcmp(words[0], "table") == 0 &&
                parse_u32(words[1], &a) == 0 && a == table &&
                strcmp(words[2], "size") == 0 && parse_u32(words[3], &b) == 0 &&
                strcmp(words[4], "next") == 0 && parse_u32(words[5], &c) == 0) {
                t->tab[table].size = b;
                t->tab[table].next = c;
                t->tab[table].first = t->nslots;
                slot = 0;
                want = SLOT;
                if (b == 0 || brief) {
                    table++;
                    want = table == ntables ? SCOPES : TABLE;
                }
                continue;
            }
            break;
        case SLOT: {
            expected = "`slot H free`, `slot H own R rep REP lends C` or `slot "
                       "H borrow R rep REP scope D lends C` for the next slot";
            rt_slot s = {RT_FREE, 0, 0, 0, 0};
            int ok = n >= 3 && strcmp(words[0], "slot") == 0 &&
                     parse_u32(words[1], &a) == 0 && a == slot + 1;
            if (ok && n == 3 && strcmp(words[2], "free") == 0) {
                /* every field 0 */
            } else if (ok && n == 8 && strcmp(words[2], "own") == 0 &&
                       parse_resource(words[3], &s.resource) == 0 &&
                       strcmp(words[4], "rep") == 0 &&
                       parse_u32(words[5], &s.rep) == 0 &&
                       strcmp(words[6], "lends") == 0 &&
                       parse_u32(words[7], &s.lends) == 0) {
                s.kind = RT_OWN;
            } else if (ok && n == 10 && strcmp(words[2], "borrow") == 0 &&
                       parse_resource(words[3], &s.resource) == 0 &&
                       strcmp(words[4], "rep") == 0 &&
                       parse_u32(words[5], &s.rep) == 0 &&
                       strcmp(words[6], "scope") == 0 &&
                       parse_u32(words[7], &s.scope) == 0 &&
                       strcmp(words[8], "lends") == 0 &&
                       parse_u32(words[9], &s.lends) == 0) {
                s.kind = RT_BORROW;
            } else {
                break;
            }
            if (grow((void **)&t->slots, &t->slots_cap, t->nslots + 1,
                     sizeof *t->slots) != 0)
                goto oom;
            t->slots[t->nslots++] = s;
            slot++;
            continue;
        }
        case SCOPES:
            expected = "`scopes K`";
            if (n == 2 && strcmp(words[0], "scopes") == 0 &&
                parse_u32(words[1], &nscopes) == 0) {
                t->scope_total = nscopes;
                scope = brief && nscopes > 0 ? nscopes - 1 : 0;
                want = nscopes == 0 ? END : SCOPE;
                continue;
            }
            break;
        case SCOPE:
            expected = "`scope D borrows B lenders L` for the next scope";
            if (n == 6 && strcmp(words[0], "scope") == 0 &&
                parse_u32(words[1], &a) == 0 && a == scope &&
                strcmp(words[2], "borrows") == 0 && parse_u32(words[3], &b) == 0 &&
                strcmp(words[4], "lenders") == 0 && parse_u32(words[5], &c) == 0) {
                if (grow((void **)&t->scopes, &t->scopes_cap, t->nscopes + 1,
                         sizeof *t->scopes) != 0)
                    goto oom;
                t->scopes[t->nscopes++] = (snap_scope){b, c, t->nlenders};
                lender = 0;
                lenders_sent = brief && c > 0 ? 1 : c;
                want = LENDER;
                if (c == 0) {
                    scope++;
                    want = scope == nscopes ? END : SCOPE;
                }
                continue;
            }
            break;
        case LENDER:
            expected = "`lender TABLE HANDLE`";
            if (n == 3 && strcmp(words[0], "lender") == 0 &&
                parse_u32(words[1], &a) == 0 && parse_u32(words[2], &b) == 0) {
                size_t cap = t->lenders_cap;
                if (grow((void **)&t->lender_table, &cap, t->nlenders + 1,
                         sizeof *t->lender_table) != 0 ||
                    grow((void **)&t->lender_handle, &t->lenders_cap,
                         t->nlenders + 1, sizeof *t->lender_handle) != 0)
                    goto oom;
                t->lender_table[t->nlenders] = a;
                t->lender_handle[t->nlenders++] = b;
                lender++;
                continue;
            }
            break;
        case END:
            expected = "`end`";
            if (n == 1 && strcmp(words[0], "end") == 0) {
                t->level = brief ? 1 : 2;
                return 0;
            }
            break;
        }
        for (size_t i = 0; i < len; i++) /* undo split() for the report */
            if (line[i] == '\0')
                line[i] = ' ';
        char copy[200];
        snprintf(copy, sizeof copy, "%s", line);
        if (lineno == 1 && after_result && strncmp(copy, "error protocol", 14) == 0 &&
            (copy[14] == '\0' || copy[14] == ' ')) {
            reject_in_step(request, copy);
            return 1;
        }
        if (lineno == 1 && strncmp(copy, "error", 5) == 0) {
            bad_reply(t, request, copy, "a state block");
        } else {
            fail(t, FAILED_PROTOCOL, request, "sent a %s block whose line %lu, `%s`, breaks "
                             "the format (docs/protocol.md): expected %s.",
                 request, lineno, copy, expected);
        }
        return -1;
    }
oom:
    fail(t, FAILED_BRIDGE, request, "cannot have its state stored: out of memory.");
    return -1;
}

/* Makes the cache reach `level` (1: a summary will do, 2: the full state),
   asking the child when it does not. 0, or -1 after a report. */
static int fetch_state(tables *t, int level)
{
    if (t->failed)
        return -1;
    if (t->level >= level)
        return 0;
    if (live(t) == NULL || asked_in_batch(t, level == 1 ? "summary" : "state") != 0 ||
        expect_silence(t) != 0)
        return -1;
    int brief = level == 1 && (g.caps & CAP_SUMMARY);
    g.requests++;
    if (put(brief ? "summary\n" : "state\n", brief ? 8 : 6) != 0) {
        fail(t, FAILED_BRIDGE, NULL, "cannot be sent a request: out of memory.");
        return -1;
    }
    if (read_state_block(t, brief, 0) != 0)
        return -1;
    return expect_silence(t);
}

static tables *observed(const void *cself, int level)
{
    tables *t = (tables *)(uintptr_t)cself; /* ours, allocated mutable */
    return fetch_state(t, level) == 0 ? t : NULL;
}

/* The cached scope at depth (< scope_total), fetching the full state when
   only a summary is cached and depth is not its top scope. */
static const snap_scope *scope_at(const void *self, uint32_t depth,
                                  tables **tp)
{
    tables *t = observed(self, 1);
    *tp = t;
    if (t == NULL || depth >= t->scope_total)
        return NULL;
    if (t->level == 1 && depth + 1 == t->scope_total)
        return &t->scopes[0];
    if ((t = observed(self, 2)) == NULL)
        return NULL;
    *tp = t;
    return &t->scopes[depth];
}

/* A failed fetch returns values no model has, so the harness reports a
   difference right after the bridge's report. */
static uint32_t table_size(const void *self, uint32_t table)
{
    tables *t = observed(self, 1);
    if (t == NULL)
        return UINT32_MAX;
    return table <= t->instances ? t->tab[table].size : 0;
}

static uint32_t table_next(const void *self, uint32_t table)
{
    tables *t = observed(self, 1);
    if (t == NULL)
        return UINT32_MAX;
    return table <= t->instances ? t->tab[table].next : 0;
}

static int table_slot(const void *self, uint32_t table, uint32_t handle,
                      rt_slot *out)
{
    tables *t = observed(self, 2);
    if (t == NULL || table > t->instances || handle == 0 ||
        handle > t->tab[table].size)
        return -1;
    *out = t->slots[t->tab[table].first + handle - 1];
    return 0;
}

static uint32_t scope_count(const void *self)
{
    tables *t = observed(self, 1);
    return t == NULL ? UINT32_MAX : t->scope_total;
}

static uint32_t scope_borrow_count(const void *self, uint32_t depth)
{
    tables *t;
    const snap_scope *s = scope_at(self, depth, &t);
    return s != NULL ? s->borrows : t == NULL || t->failed ? UINT32_MAX : 0;
}

static uint32_t scope_lender_count(const void *self, uint32_t depth)
{
    tables *t;
    const snap_scope *s = scope_at(self, depth, &t);
    return s != NULL ? s->lenders : t == NULL || t->failed ? UINT32_MAX : 0;
}

static int scope_lender(const void *self, uint32_t depth, uint32_t i,
                        uint32_t *table, uint32_t *handle)
{
    tables *t;
    const snap_scope *s = scope_at(self, depth, &t);
    if (s == NULL || i >= s->lenders)
        return -1;
    if (t->level == 1 && i + 1 != s->lenders) {
        /* A summary holds only the newest record. */
        if ((t = observed(self, 2)) == NULL)
            return -1;
        s = &t->scopes[depth];
    }
    size_t k = t->level == 1 ? 0 : s->first + i;
    *table = t->lender_table[k];
    *handle = t->lender_handle[k];
    return 0;
}

/* ---- The tables -------------------------------------------------------- */

const rt_impl rt_process = {
    .name = "process",
    /* A child that announces no profile= word implements wasmtime35 only;
       the profiles it announces come from the handshake (profiles()). */
    .profiles = 1u << RT_SEMANTICS_WASMTIME35,
    .create = create,
    .destroy = destroy,
    .resource_new = resource_new,
    .lower_own = lower_own,
    .lower_borrow = lower_borrow,
    .resource_rep = resource_rep,
    .resource_drop = resource_drop,
    .lift_own = lift_own,
    .lift_borrow = lift_borrow,
    .call_enter = call_enter,
    .call_exit = call_exit,
    .check = check,
    .table_size = table_size,
    .table_next = table_next,
    .table_slot = table_slot,
    .scope_count = scope_count,
    .scope_borrow_count = scope_borrow_count,
    .scope_lender_count = scope_lender_count,
    .scope_lender = scope_lender,
    .final_check = NULL,
};

/* Table sets with more tables than this are compared on results only: a
   `summary` or `state` block has a line per table, and a step that costs
   O(tables) round-trip lines makes the fuzzers time out (65536 instances
   took 12 s for 85 operations with the Python child). */
#define STATE_MAX_TABLES 256u

static unsigned capabilities(const void *self)
{
    const tables *t = self;
    if (t->instances >= STATE_MAX_TABLES)
        return 0;
    return g.caps & (RT_CAN_OBSERVE | RT_CAN_CHECK);
}

static const rt_impl_ext process_ext = {
    .capabilities = capabilities,
    .run_batch = run_batch,
    .profiles = profiles,
    .run_batch_observed = run_batch_observed,
};

const rt_impl_ext *rt_impl_extensions(const rt_impl *impl)
{
    return impl == &rt_process ? &process_ext : NULL;
}

unsigned long long rt_process_operations_sent(void)
{
    return operations_sent;
}
