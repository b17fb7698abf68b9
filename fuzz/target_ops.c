/*
 * restab_ops: the main differential target. Each input decodes to a program
 * (fuzz/FORMAT.md) that runs on restab and on the oracle; after every step
 * the results, both integrity checkers and the observable states must agree.
 */
#include "run.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_options opt = run_defaults();
    if (run_bytes(data, size, &opt) != 0)
        abort();
    return 0;
}
