/*
 * Running one input differentially: a byte input is decoded step by step
 * while it runs (decode.h), a parsed .ops script runs as it is. Shared by
 * the fuzz targets and scripts/replay so every path checks the same things.
 */
#ifndef RESTAB_FUZZ_RUN_H
#define RESTAB_FUZZ_RUN_H

#include "diff.h"
#include "known.h"

typedef struct run_options {
    const rt_impl *sut;   /* the implementation under test */
    const rt_impl *model; /* the model it is compared with (the oracle) */
    const char *input;    /* the input's name for reports, or NULL */
    const char *replay_tool; /* the report's rerun command, or NULL */
    FILE *report;         /* failure reports (stderr) */
    FILE *trace;          /* "op => result" per step, or NULL */
    rt_alloc_fn alloc;    /* the implementation under test's allocator */
    void *alloc_user;
    const unsigned long *alloc_failures; /* see diff.h */
    /* With has_fail_at, reports print the input's `fail_at N` directive
       (harness/prefix.h) above the program. */
    int has_fail_at;
    uint32_t fail_at;
    /* 1: run the implementation under test's final_check (when it has
       one) on the state after the last step, when every step agreed. */
    int final_check;
    /* The target kind that signatures name (signature.h): NULL for "oom"
       when alloc_failures is set, else "ops". */
    const char *target;
    /* Known divergences (known.h), or NULL: a failure whose signature one
       of them has is counted (tally.h) and passes, without a report. */
    const known_list *known;
    /* When set, receives how the input ended. */
    struct run_outcome *outcome;
} run_options;

/* How an input ended. */
typedef struct run_outcome {
    int failed;                    /* it failed (known or new) */
    char signature[SIGNATURE_MAX]; /* its signature when it failed */
    const known_entry *known;      /* the known divergence it is, or NULL */
    int declined;                  /* the implementation declined it */
} run_outcome;

/* Options for sut against model, reporting to stderr, no final check. */
run_options run_defaults(const rt_impl *sut, const rt_impl *model);

/* The profile an input of profile `want` runs in on sut: its own when sut
   has it, else the default one when sut has that, else sut's lowest
   (restab_impl.h, profiles). */
rt_semantics run_profile(const rt_impl *sut, rt_semantics want);

/* Decodes and runs a byte input. 0, or -1 after a failure report. */
int run_bytes(const uint8_t *data, size_t size, const run_options *opt);

/* Runs a parsed script. 0, or -1 after a failure report. */
int run_script(const program *script, const run_options *opt);

/* Gives the entries of k that have a script and no signature the
   signature their script fails with (opt's implementation, no report).
   0, or -1 with "FILE:LINE: reason" in err for a script that cannot be
   read or parsed. */
int run_known_resolve(known_list *k, const run_options *opt, char *err,
                      size_t err_size);

/* The known divergences named by $RESTAB_KNOWN, loaded and resolved for
   opt's implementation on the first call: *out is NULL without the
   variable. 0, or -1 with "FILE:LINE: reason" in err. */
int run_known_env(const run_options *opt, const known_list **out, char *err,
                  size_t err_size);

#endif /* RESTAB_FUZZ_RUN_H */
