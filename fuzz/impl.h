/*
 * The interface through which the harness drives an implementation of the
 * component model's resource tables (docs/semantics.md).
 *
 * restab (fuzz/impl_restab.c) and the oracle model (oracle/) both provide an
 * rt_impl; any other C implementation is fuzzed against the oracle by
 * writing one more rt_impl (see README.md, "Fuzzing another implementation").
 *
 * Conventions shared by every implementation:
 * - Resources are guest type indexes 0 .. types-1, or RT_HOST.
 * - Tables are numbered 0 .. instances-1 for guest instances, and
 *   `instances` for the host table.
 * - Out-parameters are written only when the status is RT_OK, and a failed
 *   operation changes nothing.
 */
#ifndef RESTAB_FUZZ_IMPL_H
#define RESTAB_FUZZ_IMPL_H

#include <stddef.h>
#include <stdint.h>

#define RT_HOST UINT32_MAX

/* Every outcome an operation can have; the names are the .ops kind words. */
#define RT_STATUS_MAP(X)                                                       \
    X(OK, "ok")                                                                \
    X(UNKNOWN_HANDLE, "unknown-handle")                                        \
    X(WRONG_TYPE, "wrong-type")                                                \
    X(BORROWED, "borrowed")                                                    \
    X(NOT_OWN, "not-own")                                                      \
    X(BORROWS_REMAIN, "borrows-remain")                                        \
    X(HANDLE_OVERFLOW, "handle-overflow")                                      \
    X(NO_SCOPE, "no-scope")                                                    \
    X(OUT_OF_MEMORY, "out-of-memory")                                          \
    X(LEND_OVERFLOW, "lend-overflow")                                          \
    X(INVALID, "invalid-argument")

typedef enum rt_status {
#define RT_STATUS_ENUM_(name, word) RT_##name,
    RT_STATUS_MAP(RT_STATUS_ENUM_)
#undef RT_STATUS_ENUM_
        RT_STATUS_COUNT
} rt_status;

/* The kind word of a status ("wrong-type"). */
const char *rt_status_name(rt_status status);

/* Allocation hook (lua_Alloc style); see restab_alloc_fn in restab.h. */
typedef void *(*rt_alloc_fn)(void *user, void *ptr, size_t old_size,
                             size_t new_size);

typedef struct rt_config {
    uint32_t instances;
    uint32_t types;
    const uint32_t *type_instance; /* [types] */
    uint32_t limit;                /* handles are < limit */
    uint32_t max_lends;            /* lift_borrow fails at this lend count */
    rt_alloc_fn alloc;             /* NULL: malloc; implementations that do
                                      not support hooks ignore it */
    void *alloc_user;
} rt_config;

typedef enum rt_slot_kind { RT_FREE = 0, RT_OWN = 1, RT_BORROW = 2 } rt_slot_kind;

/* One observed slot; every field but kind is 0 for a free slot. */
typedef struct rt_slot {
    rt_slot_kind kind;
    uint32_t resource; /* type or RT_HOST; own and borrow only */
    uint32_t rep;      /* own and borrow only */
    uint32_t lends;    /* own only */
    uint32_t scope;    /* borrow only: depth of its scope, 0 outermost */
} rt_slot;

/*
 * One implementation. `self` is whatever create() returned. Every function
 * must be present.
 */
typedef struct rt_impl {
    const char *name;

    /* Creates an empty table set; RT_INVALID for a config it rejects,
       RT_OUT_OF_MEMORY when allocation failed. */
    rt_status (*create)(const rt_config *cfg, void **self);
    void (*destroy)(void *self);

    /* The nine operations of docs/semantics.md. */
    rt_status (*resource_new)(void *self, uint32_t resource, uint32_t rep,
                              uint32_t *handle);
    rt_status (*lower_own)(void *self, uint32_t resource, uint32_t rep,
                           uint32_t *handle);
    rt_status (*lower_borrow)(void *self, uint32_t resource, uint32_t rep,
                              uint32_t *handle);
    rt_status (*resource_rep)(void *self, uint32_t resource, uint32_t handle,
                              uint32_t *rep);
    /* *destructor_due: 1 for an own entry (rep written), 0 for a borrow. */
    rt_status (*resource_drop)(void *self, uint32_t resource, uint32_t handle,
                               int *destructor_due, uint32_t *rep);
    rt_status (*lift_own)(void *self, uint32_t resource, uint32_t handle,
                          uint32_t *rep);
    rt_status (*lift_borrow)(void *self, uint32_t resource, uint32_t handle,
                             uint32_t *rep);
    rt_status (*call_enter)(void *self);
    rt_status (*call_exit)(void *self);

    /* Integrity check: 0 when every invariant holds, else the number of the
       first broken one with a sentence in msg. */
    int (*check)(const void *self, char *msg, size_t msg_size);

    /* Observation: enough to rebuild the whole observable state. */
    uint32_t (*table_size)(const void *self, uint32_t table);
    uint32_t (*table_next)(const void *self, uint32_t table);
    /* 0 and *out filled for 1 <= handle <= size; -1 otherwise. */
    int (*table_slot)(const void *self, uint32_t table, uint32_t handle,
                      rt_slot *out);
    uint32_t (*scope_count)(const void *self);
    uint32_t (*scope_borrow_count)(const void *self, uint32_t depth);
    uint32_t (*scope_lender_count)(const void *self, uint32_t depth);
    int (*scope_lender)(const void *self, uint32_t depth, uint32_t i,
                        uint32_t *table, uint32_t *handle);
} rt_impl;

/* The implementations this build knows. */
extern const rt_impl rt_restab; /* fuzz/impl_restab.c: lib/ */
extern const rt_impl rt_oracle; /* oracle/oracle.c: the model */

#endif /* RESTAB_FUZZ_IMPL_H */
