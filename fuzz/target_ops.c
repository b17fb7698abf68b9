/*
 * <impl>_ops: the main differential target. Each input decodes to a program
 * (fuzz/FORMAT.md) that runs on the implementation under test and on the
 * oracle; after every step the results, both integrity checkers and the
 * observable states must agree, and the final state passes the
 * implementation's own final check (restab's: its API misuse probes).
 *
 * With $RESTAB_KNOWN naming a known-divergence file (harness/known.h), an
 * input that fails with a known signature is counted and passes, so the
 * campaign goes on to find the next divergence (scripts/fuzz --known).
 */
#include "run.h"
#include "sut.h"
#include "tally.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_options opt = fuzz_run_options();
    opt.final_check = 1;
    char err[600];
    if (run_known_env(&opt, &opt.known, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    if (run_bytes(data, size, &opt) != 0) {
        tally_flush(1); /* the counts so far reach the summary */
        abort();
    }
    return 0;
}
