/*
 * restab_impl.h: the interface through which restab's harness drives an
 * implementation of the component model's resource tables.
 *
 * The harness runs every operation on an implementation under test and on
 * its oracle model, and compares results, integrity checks and observable
 * states after each step (docs/semantics.md is the contract). Any C
 * implementation is fuzzed by filling one `rt_impl` with its functions and
 * registering it with the CMake function restab_add_implementation()
 * (docs/implementations.md); restab's own adapter
 * (impls/restab/) and the oracle (oracle/) are two such tables.
 *
 * Conventions shared by every function:
 * - A resource is a guest type index 0 .. types-1, or RT_HOST (the host
 *   table's resource; every host entry matches it).
 * - Tables are numbered 0 .. instances-1 for the guest instances and
 *   `instances` for the host table: a type's handles live in table
 *   type_instance[type], host handles in table `instances`.
 * - Handle h names the table's slot h-1; handle 0 is never valid.
 * - Out-parameters are written only when the status is RT_OK, and an
 *   operation that fails changes nothing (all-or-nothing).
 * - `self` is the pointer create() stored; the harness never looks inside.
 * - Only the statuses below may be returned. The harness checks each
 *   returned status and each out-parameter a failure must not write, and
 *   reports a misbehaving function by the implementation's name and the
 *   function's, never by crashing.
 *
 * This header needs only <stddef.h> and <stdint.h>.
 */
#ifndef RESTAB_IMPL_H
#define RESTAB_IMPL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The resource of host entries. */
#define RT_HOST UINT32_MAX

/* Every outcome an operation can have; the words are the .ops kind words
   that `scripts/replay --script` prints after "error". */
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
    X(INVALID, "invalid-argument")                                             \
    X(DECLINED, "declined")

typedef enum rt_status {
#define RT_STATUS_ENUM_(name, word) RT_##name,
    RT_STATUS_MAP(RT_STATUS_ENUM_)
#undef RT_STATUS_ENUM_
        RT_STATUS_COUNT
} rt_status;

/* The kind word of a status ("wrong-type"); "unknown-status" for a value
   outside the enum. */
const char *rt_status_name(rt_status status);

/*
 * Declines: an implementation that lacks a feature the contract has (no
 * handle limit, no lend bound, no host table, a narrower range of reps, one
 * profile only) declines the configuration at create() or one operation,
 * instead of faking the feature:
 *
 *     if (cfg->max_lends != UINT32_MAX)
 *         return rt_decline("no lend bound");
 *
 * rt_decline() keeps the reason (a short phrase; at most 63 bytes are kept)
 * and returns RT_DECLINED. The harness then ends the input there as passed
 * (nothing after it is compared), and counts declines by reason: the fuzz
 * summary and `replay --quiet` print the counts, so an implementation that
 * declines everything is seen, never silently clean. Decline only what the
 * implementation does not have; declining what it has and gets wrong hides
 * the bug (docs/protocol.md, "Declines").
 */
rt_status rt_decline(const char *reason);

/*
 * Failures of the implementation itself, which the contract has no outcome
 * for: a panic caught at a language boundary, a lost child process, a
 * protocol error. `kind` is one lower-case word ("panic", "crash",
 * "timeout", "protocol"), `function` the rt_impl function that failed
 * ("resource_drop", "create", "table_slot"), `message` one sentence for the
 * report. Call it, then return anything (RT_INVALID from an operation):
 * the harness reports the failure at the step that made the call, with
 * the signature kind impl-failure:KIND@FUNCTION (fuzz/FORMAT.md,
 * "Signatures"), and ends the input.
 */
void rt_impl_failed(const char *kind, const char *function,
                    const char *message);

/* Which contract the tables follow (docs/semantics.md). */
typedef enum rt_semantics {
    RT_SEMANTICS_WASMTIME35 = 0, /* wasmtime 35, the default */
    RT_SEMANTICS_SPEC = 1,       /* the Component Model spec's reference */
    RT_SEMANTICS_COUNT
} rt_semantics;

/* Allocation hook, lua_Alloc style: new_size 0 frees ptr and returns NULL;
   otherwise it returns a block of new_size bytes holding the first
   min(old_size, new_size) bytes of ptr, or NULL on failure (ptr stays). */
typedef void *(*rt_alloc_fn)(void *user, void *ptr, size_t old_size,
                             size_t new_size);

/* The shape of a table set. */
typedef struct rt_config {
    uint32_t instances;            /* guest tables 0 .. instances-1 */
    uint32_t types;                /* guest types 0 .. types-1 */
    const uint32_t *type_instance; /* [types]: each type's instance
                                      (< instances); NULL when types is 0 */
    uint32_t limit;                /* no table issues a handle >= limit */
    uint32_t max_lends;            /* lift_borrow fails with lend-overflow
                                      when an entry already has this many */
    rt_semantics semantics;        /* the contract to follow */
    rt_alloc_fn alloc;             /* NULL: the C library's allocator. Only
                                      implementations registered with
                                      ALLOC_HOOK must use it (restab_oom
                                      fails each allocation in turn); others
                                      ignore it */
    void *alloc_user;              /* passed to alloc */
} rt_config;

typedef enum rt_slot_kind { RT_FREE = 0, RT_OWN = 1, RT_BORROW = 2 } rt_slot_kind;

/* One observed slot. Every field but kind is 0 for a free slot. */
typedef struct rt_slot {
    rt_slot_kind kind;
    uint32_t resource; /* type or RT_HOST; own and borrow */
    uint32_t rep;      /* own and borrow */
    uint32_t lends;    /* own: live lends; borrow: live lends in the spec
                          profile, always 0 in the wasmtime35 profile */
    uint32_t scope;    /* borrow: depth of the scope that lowered it (0 is
                          the outermost); 0 for own */
} rt_slot;

/*
 * One implementation: its name and its functions. Functions marked
 * "optional" may be NULL; every other one must be present.
 */
typedef struct rt_impl {
    /* Named in every report ("mytables and oracle disagree"). */
    const char *name;
    /* The profiles it implements: bit (1u << s) for each rt_semantics s;
       0 means RT_SEMANTICS_WASMTIME35 only. Fuzz inputs, and scripts run
       differentially, of a profile it lacks run in one it has instead: the
       default profile when it has it, else its lowest (rt_impl_ext.profiles
       for profiles known only at run time). */
    unsigned profiles;

    /* Creates an empty table set (no entries, no scopes) from cfg, which
       lives only during the call (copy type_instance if you keep it).
       RT_OK and *self set; RT_DECLINED (rt_decline) for a configuration
       whose features it lacks; RT_OUT_OF_MEMORY when allocation failed.
       Anything else is a failure the harness reports. */
    rt_status (*create)(const rt_config *cfg, void **self);
    /* Frees everything create() and later calls allocated. */
    void (*destroy)(void *self);

    /* The nine operations of docs/semantics.md, with its checks in its
       order. new, lower_own and lower_borrow write the new handle; rep,
       lift_own and lift_borrow write the entry's rep. Each may decline
       (rt_decline) an operation it has no counterpart for. */
    rt_status (*resource_new)(void *self, uint32_t resource, uint32_t rep,
                              uint32_t *handle);
    rt_status (*lower_own)(void *self, uint32_t resource, uint32_t rep,
                           uint32_t *handle);
    rt_status (*lower_borrow)(void *self, uint32_t resource, uint32_t rep,
                              uint32_t *handle);
    rt_status (*resource_rep)(void *self, uint32_t resource, uint32_t handle,
                              uint32_t *rep);
    /* On success *destructor_due is 1 for an own entry, with *rep its rep,
       and 0 for a borrow entry (*rep is then not read). */
    rt_status (*resource_drop)(void *self, uint32_t resource, uint32_t handle,
                               int *destructor_due, uint32_t *rep);
    rt_status (*lift_own)(void *self, uint32_t resource, uint32_t handle,
                          uint32_t *rep);
    rt_status (*lift_borrow)(void *self, uint32_t resource, uint32_t handle,
                             uint32_t *rep);
    rt_status (*call_enter)(void *self);
    rt_status (*call_exit)(void *self);

    /* Optional. The implementation's own integrity check: 0 when every
       invariant holds, else the number (1-7, docs/semantics.md) of the
       first broken one with a sentence in msg (NUL-terminated, at most
       msg_size bytes). Must not change the state. */
    int (*check)(const void *self, char *msg, size_t msg_size);

    /*
     * Observation, optional as a group: either all seven are present, or
     * all are NULL and the harness compares results only. None may change
     * the state; out-of-range arguments return 0 / -1 as stated.
     */
    /* The table's size: the number of slots it has ever used (its highest
       handle so far, live or free). 0 for a table number out of range. */
    uint32_t (*table_size)(const void *self, uint32_t table);
    /* The handle the table's next new entry would get if the limit allowed:
       the most recently freed slot's handle, or size + 1 when no slot is
       free. 0 for a table number out of range. */
    uint32_t (*table_next)(const void *self, uint32_t table);
    /* For 1 <= handle <= table_size: fills *out (a free slot: kind RT_FREE
       and every other field 0) and returns 0. Otherwise returns -1 and
       leaves *out alone. */
    int (*table_slot)(const void *self, uint32_t table, uint32_t handle,
                      rt_slot *out);
    /* The number of active call scopes (the stack height). */
    uint32_t (*scope_count)(const void *self);
    /* The borrow count of the scope at depth (0 outermost): live borrow
       entries it lowered. 0 for a depth out of range. */
    uint32_t (*scope_borrow_count)(const void *self, uint32_t depth);
    /* The number of lender records of the scope at depth (one per
       successful lift_borrow that lent an entry while that scope was on
       top). 0 for a depth out of range. */
    uint32_t (*scope_lender_count)(const void *self, uint32_t depth);
    /* The i-th lender record of the scope at depth, in the order the lends
       were made (0 the oldest): the lent entry's table and handle. 0, or
       -1 (outputs untouched) when depth or i is out of range. */
    int (*scope_lender)(const void *self, uint32_t depth, uint32_t i,
                        uint32_t *table, uint32_t *handle);

    /* Optional. Run once on the final state of every input whose steps all
       agreed: the implementation's own extra probes (restab's checks its
       API's argument validation and its dump). 0, or -1 with a sentence in
       msg. Must leave the observable state unchanged. */
    int (*final_check)(void *self, char *msg, size_t msg_size);
} rt_impl;

/*
 * Optional extensions, for implementations whose capabilities are known only
 * at run time or whose calls are expensive round trips (impls/process/, the
 * process bridge, needs both). An implementation offers them by defining
 * rt_impl_extensions(); the harness refers to it weakly, so implementations
 * that do not define it need nothing. In-process implementations ignore all
 * of this.
 */

/* Bits of rt_impl_ext.capabilities: which optional functions of the table
   (all present in it) this table set really serves. */
#define RT_CAN_OBSERVE 1u /* the seven observation functions */
#define RT_CAN_CHECK 2u   /* check */

/* One operation of a batch. code is the operation's position among the nine
   operation functions above, in their order: 0 resource_new, 1 lower_own,
   2 lower_borrow, 3 resource_rep, 4 resource_drop, 5 lift_own,
   6 lift_borrow, 7 call_enter, 8 call_exit. resource and operand are the
   function's arguments (0 for call_enter and call_exit). */
typedef struct rt_batch_op {
    uint32_t code;
    uint32_t resource;
    uint32_t operand;
} rt_batch_op;

/* One outcome of a batch: the status, and on RT_OK the out-parameters the
   function would have written (value: the handle or rep; destructor_due for
   resource_drop). */
typedef struct rt_batch_result {
    rt_status status;
    int destructor_due;
    uint32_t value;
} rt_batch_result;

typedef struct rt_impl_ext {
    /* Optional. The capabilities of the table set `self` (from create), a
       subset of RT_CAN_OBSERVE | RT_CAN_CHECK. NULL: every optional function
       present in the table is served. */
    unsigned (*capabilities)(const void *self);
    /* Optional. Runs ops[0 .. count-1] in order, exactly as calling the
       operation functions one by one would, and writes each outcome to
       results[i]. The harness uses it only for table sets without
       RT_CAN_OBSERVE and RT_CAN_CHECK (it compares results only, so it needs
       no answer before it can ask the next question). */
    void (*run_batch)(void *self, const rt_batch_op *ops, size_t count,
                      rt_batch_result *results);
    /* Optional. The profiles (bits as in rt_impl.profiles) of an
       implementation that knows them only at run time; it may start the
       implementation to learn them. 0: use rt_impl.profiles. */
    unsigned (*profiles)(void);
    /* Optional. run_batch for table sets that are observed or checked:
       runs ops[0 .. count-1] in order, and after operation i writes
       results[i] and calls step(user, i). During that call the observation
       functions and check answer for the state right after operation i, as
       far as after[i] asked for it (RT_AFTER_* bits; the harness calls
       nothing else). step returns 0 to go on, or nonzero to stop: the
       operations after i then need not run, and the harness ends the
       input. The harness decides every after[i] before it runs the batch,
       from the model alone, so the requests can be sent ahead of the
       replies (the process bridge's pipelining, docs/protocol.md). */
    void (*run_batch_observed)(void *self, const rt_batch_op *ops,
                               const unsigned *after, size_t count,
                               rt_batch_result *results,
                               int (*step)(void *user, size_t i), void *user);
} rt_impl_ext;

/* What the harness asks after an operation of run_batch_observed. */
#define RT_AFTER_SUMMARY 1u /* every table's size and next handle, the scope
                               count, the top scope's counts and its newest
                               lender record */
#define RT_AFTER_STATE 2u   /* the whole observable state */
#define RT_AFTER_CHECK 4u   /* the integrity check */

/* Defined by an implementation that has extensions: its rt_impl_ext when
   impl is its table, else NULL. At most one per program. */
const rt_impl_ext *rt_impl_extensions(const rt_impl *impl);

#ifdef __cplusplus
}
#endif

#endif /* RESTAB_IMPL_H */
