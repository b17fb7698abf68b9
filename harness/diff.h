/*
 * The differential runner: runs operations on an implementation under test
 * and on the model, one step at a time, and after every step compares the
 * results, runs the integrity checkers and compares observable states.
 *
 * On the first difference it writes a readable report (the .ops script up to
 * and including the failing step, both results, and what differed) and the
 * step fails; fuzz targets then abort so every engine records a crash.
 * run.c reruns a failing input with every_step to name the step where the
 * difference first arose, and writes that run's report.
 *
 * Implementations whose calls are round trips (the process bridge) get the
 * operations in batches: results only (run_batch), or with the requests
 * each step's comparison needs planned ahead from the model
 * (run_batch_observed); restab_impl.h describes both.
 */
#ifndef RESTAB_FUZZ_DIFF_H
#define RESTAB_FUZZ_DIFF_H

#include "outcome.h"
#include "program.h"
#include "signature.h"

#include <stdio.h>

/* Full state comparison runs after every step while the state holds at most
   this many slots and lender records. Later it runs in sweeps, every
   DIFF_FULL_EVERY steps or, for a larger state, every (slots + scopes) /
   DIFF_SWEEP_COST steps; and always at the end. */
#define DIFF_SMALL_STATE 64u
#define DIFF_FULL_EVERY 64u
#define DIFF_SWEEP_COST 1u

/* At the end, configurations of more than this many tables have the tables
   no operation addressed walked (each must be empty) on a deterministic 1
   in DIFF_UNTOUCHED_SHARE of the inputs, smaller ones on every input. */
#define DIFF_UNTOUCHED_TABLES 1024u
#define DIFF_UNTOUCHED_SHARE 8u

/* Batching (diff_queue): at most this many operations wait for the
   implementation under test's results; an observed batch also ends when
   the replies it asks for come to about DIFF_BATCH_LINES lines (states and
   summaries are a line per table, slot, scope and lender record), so that
   a child that answers a whole chunk of requests before it writes still
   answers within its timeout. */
#define DIFF_BATCH 4096u
#define DIFF_BATCH_LINES 4096u

typedef struct diff {
    const rt_impl *sut;
    const rt_impl *model;
    void *sut_self;
    void *model_self;
    const program *p;   /* the configuration; its first `steps` operations
                           are the ones run so far */
    program *record;    /* when set (== p), each step is appended to it */
    size_t steps;
    const char *input;  /* named in the report */
    const char *replay_tool; /* the command the report says reruns it */
    FILE *report;       /* where the failure report goes (stderr) */
    FILE *trace;        /* when set, each step is echoed as "op => result" */
    FILE *announce;     /* when set, each step is named before it runs */
    const char *target; /* the signature's target kind ("ops" when NULL) */
    /* Allocation-failure runs: when set, a step of the implementation under
       test may end in out-of-memory if *alloc_failures grew during it; the
       model then skips the step and the states must still agree. */
    const unsigned long *alloc_failures;
    /* The tables operations have addressed so far, in first-use order:
       every comparison covers these; the final one also checks that every
       other table is empty in the implementation under test (the model's
       are by construction; fuzz/FORMAT.md, "Checking policy"). An entry
       put in the wrong table still shows, as missing from the addressed
       one. The arrays are diff.c's, kept across runs. */
    uint32_t *addressed;
    uint8_t *is_addressed; /* [instances + 1] */
    uint32_t addressed_len;
    int pooled; /* the arrays are diff.c's kept ones (diff_end gives them
                   back) */
    size_t steps_since_full;
    size_t sweep_interval;
    size_t state_bound; /* at least the slots plus lender records */
    int failed;
    /* The implementation under test's extensions (restab_impl.h), or NULL,
       and the optional functions its table set serves (RT_CAN_*). */
    const rt_impl_ext *sut_ext;
    unsigned sut_caps;
    /* Batching: set when the implementation under test has run_batch and is
       compared on results only. The queued operations are the last
       batch_len of the `steps` run on the model so far. */
    int batching;
    rt_batch_op *batch_ops;         /* [DIFF_BATCH] */
    op_result *batch_model;         /* [DIFF_BATCH] the model's results */
    rt_batch_result *batch_results; /* [DIFF_BATCH] */
    size_t batch_len;
    int ended; /* diff_end's comparison is running */
    /* The implementation under test declined the configuration or the
       last step (rt_decline): the input ends there, passed. */
    int declined;
    char decline_reason[OUTCOME_REASON_MAX];
    /* Set by the caller before diff_begin, which keeps them:
       every_step: compare everything and run both checkers after every
       step (the rerun that names where a failure first arose, run.h);
       synchronous: never batch (every step runs and is compared at once);
       defer_report: the report is kept in `deferred` (malloc'd text, the
       caller frees it) instead of written to `report`. */
    int every_step;
    int synchronous;
    int defer_report;
    char *deferred;
    int no_rerun; /* the report stands as it is (the implementation's own
                     failure, its final check): no rerun can name it better */
    char signature[SIGNATURE_MAX]; /* the failure's signature, "" before */
    int partial; /* a step so far was not compared in full and checked, so
                    a failure may show later than it arose */
    /* Observed batching (run_batch_observed): set when the implementation
       under test has it and is observed or checked. The model table set
       model_self keeps step with the batch's results as they are compared;
       lead_self runs every step when it is queued, for the decoder
       (diff_decoder_model). */
    int observing;
    void *lead_self;
    unsigned *batch_plan;  /* [DIFF_BATCH] what each queued step checks */
    unsigned *batch_after; /* [DIFF_BATCH] RT_AFTER_* requested after it */
    size_t steps_queued;
    size_t batch_lines; /* the reply lines the queued steps ask for, at most */
} diff;

/* impl's extensions (restab_impl.h), or NULL when it has none. */
const rt_impl_ext *diff_extensions(const rt_impl *impl);

/*
 * Creates both table sets from p's configuration (the implementation under
 * test with the given allocation hook). With `record` (which must be p),
 * p's operations are cleared and each step appends its operation; without,
 * the caller runs p's own operations in order, and reports quote them from
 * p. Returns 0; 1 when there is nothing to compare: the implementation
 * under test ran out of memory in an allocation-failure run, or declined
 * the configuration (d->declined); or -1 after a report.
 */
int diff_begin(diff *d, const rt_impl *sut, const rt_impl *model,
               const program *p, program *record, rt_alloc_fn alloc,
               void *alloc_user);

/* The model table set whose state the decoder must see (it has run every
   step queued so far). */
const void *diff_decoder_model(const diff *d);

/* Runs one operation on both. Returns 0; 1 when the implementation under
   test declined it (d->declined: the input ends there, passed); or -1
   after a report. *model_result receives the model's result (for the
   decoder). diff_queue and diff_flush return the same. */
int diff_step(diff *d, const op *o, op_result *model_result);

/*
 * Like diff_step, but when d->batching the implementation under test's
 * share of the step may wait: the model runs the operation now (so
 * *model_result is ready for the decoder), and the operation joins a batch
 * that runs on the implementation under test when DIFF_BATCH are waiting or
 * at diff_flush. Results are then compared in order, and the first
 * difference is reported exactly as diff_step would have (that step, both
 * results, the script up to it). Without batching it is diff_step. Returns
 * 0, or -1 after a report (possibly about an earlier queued step).
 */
int diff_queue(diff *d, const op *o, op_result *model_result);

/* Runs and compares the queued operations. 0, or -1 after a report. */
int diff_flush(diff *d);

/* Flushes the batch, compares everything one last time (unless a step
   failed) and frees both table sets. Returns 0, or -1 after a report. */
int diff_end(diff *d);

#endif /* RESTAB_FUZZ_DIFF_H */
