/*
 * The oracle model of the resource tables (docs/semantics.md): an
 * independent, deliberately naive implementation that the differential
 * fuzzer compares every implementation under test against. It implements
 * both profiles (RT_SEMANTICS_WASMTIME35 and RT_SEMANTICS_SPEC), rejects
 * any other rt_config.semantics with RT_INVALID, and ignores
 * rt_config.alloc (it uses malloc).
 */
#ifndef RESTAB_ORACLE_ORACLE_H
#define RESTAB_ORACLE_ORACLE_H

#include "restab_impl.h"

extern const rt_impl rt_oracle;

#endif /* RESTAB_ORACLE_ORACLE_H */
