/*
 * Running one input differentially: a byte input is decoded step by step
 * while it runs (decode.h), a parsed .ops script runs as it is. Shared by
 * the fuzz targets and scripts/replay so every path checks the same things.
 */
#ifndef RESTAB_FUZZ_RUN_H
#define RESTAB_FUZZ_RUN_H

#include "diff.h"

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
} run_options;

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

#endif /* RESTAB_FUZZ_RUN_H */
