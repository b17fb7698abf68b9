/*
 * Crash signatures: one line that says how an input fails, so that crashes
 * can be grouped and a minimised input checked to fail the same way
 * (fuzz/FORMAT.md, "Signatures"):
 *
 *   TARGET OPERATION KIND
 *
 * TARGET is the kind of fuzz target (ops, oom, script, corrupt), OPERATION
 * the .ops name of the failing operation (".high-handle" added when its
 * handle has the top bit set: op_signature_name), or create, end, -; KIND how it
 * failed (results-differ:ok-vs-borrowed, state:slot, check:invariant-3,
 * impl-failure:panic@resource_drop, final-check:...,
 * asan:heap-use-after-free@restab_resource_drop, ...). Fields hold only
 * [A-Za-z0-9_.:@-] and no numbers from the input, so two inputs that hit
 * the same bug by different paths share a signature.
 *
 * The harness report writes "signature: ..." itself (diff.c); sanitizer
 * reports are read back from a child's standard error by the scanner
 * below (tools/replay.c --signature).
 */
#ifndef RESTAB_HARNESS_SIGNATURE_H
#define RESTAB_HARNESS_SIGNATURE_H

#include <stddef.h>

/* Room for one signature with its NUL. */
#define SIGNATURE_MAX 160

/* The line prefix of a signature in a harness report. */
#define SIGNATURE_PREFIX "signature: "

/* The line prefix of the step announcements of RESTAB_ANNOUNCE_STEPS:
   "restab harness: step N: OPERATION: LINE", OPERATION the signature's
   field (op_signature_name), LINE the step's .ops line. */
#define SIGNATURE_STEP_PREFIX "restab harness: step "

/*
 * Writes a signature word for free text: lower case, each run of digits
 * becomes N, every other run of characters outside [a-z0-9_.] one '-',
 * at most max_words words and size - 1 characters.
 */
void signature_slug(const char *text, size_t max_words, char *out,
                    size_t size);

/* What a scan of a failing run's standard error found. */
typedef struct signature_scan {
    char op[48];          /* the last announced step's operation, or "" */
    char harness[SIGNATURE_MAX]; /* a report's "signature:" line, or "" */
    char title[96];       /* the first "==== restab harness: T ====" T */
    char title_op[48];    /* the "failing step:" operation after it */
    char sanitizer[96];   /* e.g. asan:heap-use-after-free, or "" */
    char frame[96];       /* the first project frame after it, or "" */
    int in_sanitizer;     /* reading a sanitizer's stack */
} signature_scan;

void signature_scan_init(signature_scan *s);

/* Feeds one line of standard error (without its newline). */
void signature_scan_line(signature_scan *s, const char *line);

/*
 * Writes the signature of the run: the harness's own line (with its target
 * replaced by `target` when that is not NULL), else one made of the
 * sanitizer error and frame, the report title, or `fallback` (e.g.
 * "signal-6"). 0, or -1 when nothing shows a failure and fallback is NULL.
 */
int signature_scan_result(const signature_scan *s, const char *target,
                          const char *fallback, char *out, size_t size);

#endif /* RESTAB_HARNESS_SIGNATURE_H */
