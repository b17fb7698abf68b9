/*
 * rt_restab (impl.h) over the restab library, and its status mapping.
 */
#ifndef RESTAB_FUZZ_IMPL_RESTAB_H
#define RESTAB_FUZZ_IMPL_RESTAB_H

#include "impl.h"
#include "restab.h"

/* The harness status of a restab status (RT_INVALID for unknown values). */
rt_status restab_to_rt(restab_status status);

#endif /* RESTAB_FUZZ_IMPL_RESTAB_H */
