/*
 * tinytab: a small, independent implementation of the component model's
 * resource-handle tables (the wasmtime35 profile of restab's SEMANTICS.md),
 * written as an example of fuzzing a foreign implementation with restab's
 * harness. Its layout is deliberately unlike restab's lib/:
 *
 * - each table keeps its entries in one array and its free handles in a
 *   second array used as a stack (the top is the next handle reused); a
 *   free entry remembers its position on that stack, so the checker finds
 *   duplicates without allocating;
 * - all lender records of all call frames live on one shared stack; a
 *   frame only remembers where its records start.
 *
 * The status values are restab_impl.h's, so the adapter passes them on.
 */
#ifndef TINYTAB_H
#define TINYTAB_H

#include <stddef.h>
#include <stdint.h>

#include "restab_impl.h"

typedef struct tinytab tinytab;

/* Creates empty tables shaped by cfg (instances, types, type_instance,
   limit, max_lends, alloc). RT_INVALID for a type outside the instances or
   another profile than wasmtime35; RT_OUT_OF_MEMORY. */
rt_status tinytab_create(const rt_config *cfg, tinytab **out);
void tinytab_destroy(tinytab *tt);

/* The nine operations, with SEMANTICS.md's checks in its order. */
rt_status tinytab_new(tinytab *tt, uint32_t resource, uint32_t rep,
                      uint32_t *handle);
rt_status tinytab_lower_borrow(tinytab *tt, uint32_t resource, uint32_t rep,
                               uint32_t *handle);
rt_status tinytab_rep(const tinytab *tt, uint32_t resource, uint32_t handle,
                      uint32_t *rep);
rt_status tinytab_drop(tinytab *tt, uint32_t resource, uint32_t handle,
                       int *destructor_due, uint32_t *rep);
rt_status tinytab_lift_own(tinytab *tt, uint32_t resource, uint32_t handle,
                           uint32_t *rep);
rt_status tinytab_lift_borrow(tinytab *tt, uint32_t resource, uint32_t handle,
                              uint32_t *rep);
rt_status tinytab_enter(tinytab *tt);
rt_status tinytab_exit(tinytab *tt);

/* 0, or the number of the first broken invariant (SEMANTICS.md, 1-6) with
   a sentence in msg. */
int tinytab_check(const tinytab *tt, char *msg, size_t msg_size);

/* Observation, as restab_impl.h's rt_impl describes it. */
uint32_t tinytab_table_size(const tinytab *tt, uint32_t table);
uint32_t tinytab_table_next(const tinytab *tt, uint32_t table);
int tinytab_slot(const tinytab *tt, uint32_t table, uint32_t handle,
                 rt_slot *out);
uint32_t tinytab_frames(const tinytab *tt);
uint32_t tinytab_frame_borrows(const tinytab *tt, uint32_t depth);
uint32_t tinytab_frame_loans(const tinytab *tt, uint32_t depth);
int tinytab_frame_loan(const tinytab *tt, uint32_t depth, uint32_t i,
                       uint32_t *table, uint32_t *handle);

#endif /* TINYTAB_H */
