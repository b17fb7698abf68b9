/*
 * The oracle model of the resource tables (docs/semantics.md): an
 * independent, deliberately naive implementation that the differential
 * fuzzer compares every implementation under test against. It ignores
 * rt_config.alloc and uses malloc.
 */
#ifndef RESTAB_ORACLE_ORACLE_H
#define RESTAB_ORACLE_ORACLE_H

#include "restab_impl.h"

extern const rt_impl rt_oracle;

#endif /* RESTAB_ORACLE_ORACLE_H */
