/*
 * rt_restab: the harness interface (restab_impl.h) over the restab library,
 * and its status mapping.
 */
#ifndef RESTAB_IMPLS_IMPL_RESTAB_H
#define RESTAB_IMPLS_IMPL_RESTAB_H

#include "restab.h"
#include "restab_impl.h"

extern const rt_impl rt_restab;

/* The harness status of a restab status (RT_INVALID for unknown values). */
rt_status restab_to_rt(restab_status status);

#endif /* RESTAB_IMPLS_IMPL_RESTAB_H */
