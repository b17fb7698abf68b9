/*
 * The oracle model of the resource tables (SEMANTICS.md): an independent,
 * deliberately naive implementation that the differential fuzzer compares
 * restab against.  It is reached only through `rt_oracle` (declared in
 * impl.h); it ignores rt_config.alloc and uses malloc.
 */
#ifndef RESTAB_ORACLE_ORACLE_H
#define RESTAB_ORACLE_ORACLE_H

#include "impl.h"

#endif /* RESTAB_ORACLE_ORACLE_H */
