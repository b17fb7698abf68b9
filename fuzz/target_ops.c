/*
 * <impl>_ops: the main differential target. Each input decodes to a program
 * (fuzz/FORMAT.md) that runs on the implementation under test and on the
 * oracle; after every step the results, both integrity checkers and the
 * observable states must agree, and the final state passes the
 * implementation's own final check (restab's: its API misuse probes).
 */
#include "run.h"
#include "sut.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_options opt = fuzz_run_options();
    opt.final_check = 1;
    if (run_bytes(data, size, &opt) != 0)
        abort();
    return 0;
}
