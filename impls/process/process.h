/*
 * What the process bridge (process.c, docs/protocol.md) tells beside its
 * rt_impl: counters for the benchmarks.
 */
#ifndef RESTAB_IMPLS_PROCESS_H
#define RESTAB_IMPLS_PROCESS_H

/* The operation lines queued for children since the program started, each
   one of the nine operations a child runs (tests/process/bench_process.c
   divides it by the time). */
unsigned long long rt_process_operations_sent(void);

#endif /* RESTAB_IMPLS_PROCESS_H */
