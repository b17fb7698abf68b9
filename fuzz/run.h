/*
 * Running one input differentially: a byte input is decoded step by step
 * while it runs (decode.h), a parsed .ops script runs as it is. Shared by
 * the fuzz targets and scripts/replay so every path checks the same things.
 */
#ifndef RESTAB_FUZZ_RUN_H
#define RESTAB_FUZZ_RUN_H

#include "diff.h"

typedef struct run_options {
    const rt_impl *sut;   /* the implementation under test (rt_restab) */
    const rt_impl *model; /* the model (rt_oracle) */
    const char *input;    /* the input's name for reports, or NULL */
    FILE *report;         /* failure reports (stderr) */
    FILE *trace;          /* "op => result" per step, or NULL */
    rt_alloc_fn alloc;    /* the implementation under test's allocator */
    void *alloc_user;
    const unsigned long *alloc_failures; /* see diff.h */
    /* Called with the implementation under test's state after the last
       step, when every step agreed; 0, or -1 with a sentence in msg. */
    int (*final_check)(void *sut_self, char *msg, size_t msg_size);
} run_options;

/* Options for restab against the oracle, reporting to stderr. */
run_options run_defaults(void);

/* Decodes and runs a byte input. 0, or -1 after a failure report. */
int run_bytes(const uint8_t *data, size_t size, const run_options *opt);

/* Runs a parsed script. 0, or -1 after a failure report. */
int run_script(const program *script, const run_options *opt);

#endif /* RESTAB_FUZZ_RUN_H */
