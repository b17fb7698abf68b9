/*
 * The implementation under test of a fuzz target or tool. Each
 * implementation's build defines fuzz_sut() (restab_add_implementation()
 * generates it), so the same target sources serve every implementation.
 */
#ifndef RESTAB_FUZZ_SUT_H
#define RESTAB_FUZZ_SUT_H

#include "restab_impl.h"

const rt_impl *fuzz_sut(void);

#endif /* RESTAB_FUZZ_SUT_H */
