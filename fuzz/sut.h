/*
 * The implementation under test of a fuzz target or tool. Each
 * implementation's build defines fuzz_sut() (restab_add_implementation()
 * generates it), so the same target sources serve every implementation.
 */
#ifndef RESTAB_FUZZ_SUT_H
#define RESTAB_FUZZ_SUT_H

#include "run.h"

const rt_impl *fuzz_sut(void);

/* Options for fuzz_sut() against the oracle: run_defaults() plus the
   report's rerun command ("<name>-replay", the registered name). */
run_options fuzz_run_options(void);

#endif /* RESTAB_FUZZ_SUT_H */
