/*
 * restab: the WebAssembly Component Model's resource-handle tables.
 *
 * One table set holds a guest table per component instance, one host table,
 * and a stack of call scopes. Its observable behaviour (results, handle
 * numbers, the order in which errors are checked) is that of wasmtime 35's
 * crates/wasmtime/src/runtime/vm/component/resources.rs, except that every
 * operation is all-or-nothing: a call that returns an error status has
 * changed nothing. docs/semantics.md is the contract.
 *
 * A second profile, chosen per table set with restab_config.semantics,
 * follows the Component Model specification's own reference of the canonical
 * ABI instead (definitions.py): borrow handles can be lent too, and drop and
 * lift_own check in the spec's order. docs/semantics.md ("The spec
 * profile") lists the differences.
 *
 * The library never aborts, exits or prints, and holds no global state; all
 * memory comes from the allocation hook given at creation.
 */
#ifndef RESTAB_H
#define RESTAB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(RESTAB_STATIC)
#define RESTAB_API
#elif defined(_WIN32)
#if defined(RESTAB_BUILDING)
#define RESTAB_API __declspec(dllexport)
#else
#define RESTAB_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define RESTAB_API __attribute__((visibility("default")))
#else
#define RESTAB_API
#endif

/* ---- Constants -------------------------------------------------------- */

#define RESTAB_VERSION_MAJOR 0
#define RESTAB_VERSION_MINOR 1
#define RESTAB_VERSION_PATCH 0

/*
 * The default per-table handle limit: no handle >= this is ever issued.
 * wasmtime 35's MAX_RESOURCE_HANDLE (1 << 30), which keeps the top bit of a
 * handle free for the component's own use (CanonicalABI.md).
 */
#define RESTAB_DEFAULT_LIMIT (UINT32_C(1) << 30)

/*
 * The handle limit that matches the specification, for table sets of the
 * spec profile (restab_config_init keeps RESTAB_DEFAULT_LIMIT; set this
 * explicitly): the spec's Table.MAX_LENGTH is 2^28-1 and Table.add traps when
 * a new slot's index would exceed it, so the largest handle is 2^28-1 and no
 * handle >= 2^28 is issued.
 */
#define RESTAB_SPEC_DEFAULT_LIMIT (UINT32_C(1) << 28)

/*
 * The default bound on a handle's lend count: wasmtime 35's u32. (The spec's
 * counts are unbounded; the spec profile keeps this bound as an extension.)
 */
#define RESTAB_DEFAULT_MAX_LENDS UINT32_MAX

/* The resource value that names the host table (any host resource). */
#define RESTAB_HOST UINT32_MAX

/* The largest number of guest resource types a table set may have. */
#define RESTAB_MAX_TYPES ((UINT32_C(1) << 30) - 2)

/* ---- Types ------------------------------------------------------------ */

/* A table set: guest tables, the host table and the call-scope stack. */
typedef struct restab_tables restab_tables;

/*
 * A resource kind as the operations take it: a guest resource type index
 * (0 .. types-1), whose handles live in that type's instance table, or
 * RESTAB_HOST for the host table.
 */
typedef uint32_t restab_resource;

/*
 * Allocation hook, lua_Alloc style. Called with new_size 0 to free ptr
 * (old_size is then its size); otherwise it resizes ptr (NULL: a new block)
 * from old_size to new_size bytes and returns the block, or NULL on failure,
 * leaving ptr untouched.
 */
typedef void *(*restab_alloc_fn)(void *user, void *ptr, size_t old_size,
                                 size_t new_size);

/*
 * Which behaviour a table set follows.
 *   RESTAB_SEMANTICS_WASMTIME35: wasmtime 35's resources.rs, all-or-nothing
 *     (the default).
 *   RESTAB_SEMANTICS_SPEC: the Component Model specification's
 *     definitions.py, all-or-nothing: lift_borrow lends borrow handles as
 *     well as own ones, a lent borrow cannot be dropped or lifted, drop checks
 *     the type before the lends and lift_own checks look up, type, lends,
 *     own; lift_borrow without a scope fails before the look-up. Slots of a
 *     spec-profile table take 4 more bytes (a lend count for borrows).
 */
typedef enum restab_semantics {
    RESTAB_SEMANTICS_WASMTIME35 = 0,
    RESTAB_SEMANTICS_SPEC = 1
} restab_semantics;

/* How a table set is shaped. Fill with restab_config_init(), then adjust. */
typedef struct restab_config {
    uint32_t instances;            /* guest tables, numbered 0 .. instances-1 */
    uint32_t types;                /* guest resource types, 0 .. types-1 */
    const uint32_t *type_instance; /* [types]: the instance of each type */
    uint32_t limit;                /* per-table handle limit (handles < limit) */
    uint32_t max_lends;            /* largest lend count an entry may reach */
    restab_alloc_fn alloc;         /* NULL: the C library's realloc/free */
    void *alloc_user;              /* passed to alloc */
    restab_semantics semantics;    /* the profile; default WASMTIME35 */
} restab_config;

/* The kind of a slot as the observation API reports it. */
typedef enum restab_slot_kind {
    RESTAB_SLOT_FREE = 0,
    RESTAB_SLOT_OWN = 1,
    RESTAB_SLOT_BORROW = 2
} restab_slot_kind;

/* One slot of a table, as observed. */
typedef struct restab_slot_info {
    restab_slot_kind kind;
    restab_resource resource; /* type index or RESTAB_HOST (not for free) */
    uint32_t rep;             /* not for free */
    uint32_t lends;           /* own: live loans; borrow: live loans in the
                                 spec profile, always 0 in the wasmtime one */
    uint32_t scope;           /* borrow: depth of its call scope, 0 outermost */
} restab_slot_info;

/* What resource.drop did. */
typedef struct restab_dropped {
    int destructor_due; /* 1: an own handle was dropped, its destructor is due;
                           0: a borrow handle was dropped */
    uint32_t rep;       /* the dropped entry's rep */
} restab_dropped;

/* ---- Status ----------------------------------------------------------- */

/*
 * X(NAME, value, kind word, sentence). Values are pinned and never reused;
 * the kind word is the one .ops scripts print after "error".
 */
#define RESTAB_STATUS_MAP(X)                                                   \
    X(OK, 0, "ok", "success")                                                  \
    X(UNKNOWN_HANDLE, 1, "unknown-handle",                                     \
      "the handle is 0, past the end of its table, or names a free slot")      \
    X(WRONG_TYPE, 2, "wrong-type",                                             \
      "the handle names an entry of a different resource type")                \
    X(BORROWED, 3, "borrowed",                                                 \
      "the own handle is lent out and cannot be removed")                      \
    X(NOT_OWN, 4, "not-own", "an own handle was expected but it is a borrow")  \
    X(BORROWS_REMAIN, 5, "borrows-remain",                                     \
      "borrow handles created in this call scope are still live")              \
    X(HANDLE_OVERFLOW, 6, "handle-overflow",                                   \
      "the table cannot issue another handle below its limit")                 \
    X(NO_SCOPE, 7, "no-scope", "the operation needs an active call scope")     \
    X(OUT_OF_MEMORY, 8, "out-of-memory", "an allocation failed")               \
    X(LEND_OVERFLOW, 9, "lend-overflow",                                       \
      "the own handle's lend count is at its maximum")                         \
    X(INVALID_ARGUMENT, 10, "invalid-argument",                                \
      "an argument is out of range (configuration, resource type or pointer)")

typedef enum restab_status {
#define RESTAB_STATUS_ENUM_(name, value, word, text) RESTAB_##name = (value),
    RESTAB_STATUS_MAP(RESTAB_STATUS_ENUM_)
#undef RESTAB_STATUS_ENUM_
} restab_status;

/* The .ops kind word of a status ("wrong-type"); "unknown-status" if none. */
RESTAB_API const char *restab_status_name(restab_status status);

/* A one-sentence description of a status. */
RESTAB_API const char *restab_status_str(restab_status status);

/* ---- Lifecycle -------------------------------------------------------- */

/*
 * Fills cfg with the defaults: 0 instances, 0 types, limit
 * RESTAB_DEFAULT_LIMIT, max_lends RESTAB_DEFAULT_MAX_LENDS, the C library's
 * allocator, semantics RESTAB_SEMANTICS_WASMTIME35. (A caller choosing
 * RESTAB_SEMANTICS_SPEC will usually also set limit to
 * RESTAB_SPEC_DEFAULT_LIMIT.) Does nothing when cfg is NULL.
 */
RESTAB_API void restab_config_init(restab_config *cfg);

/*
 * Creates an empty table set shaped by cfg (which is copied; type_instance
 * need not outlive the call). On success writes the new set to *out.
 * Returns RESTAB_INVALID_ARGUMENT when cfg or out is NULL, when instances
 * >= UINT32_MAX - 1 (table numbers must fit below UINT32_MAX), when types > 0
 * and type_instance is NULL, when types > RESTAB_MAX_TYPES, when a type
 * names an instance >= instances, or when semantics is not one of the
 * restab_semantics values; RESTAB_OUT_OF_MEMORY when an allocation
 * failed. On failure nothing is allocated and *out is not written.
 */
RESTAB_API restab_status restab_create(const restab_config *cfg,
                                       restab_tables **out);

/* Frees a table set and everything in it. NULL is allowed. */
RESTAB_API void restab_destroy(restab_tables *t);

/* ---- Operations ------------------------------------------------------- */
/*
 * Every operation below returns RESTAB_INVALID_ARGUMENT, before any other
 * check, when t or an out-parameter is NULL or when resource is neither
 * RESTAB_HOST nor a type index < types. Out-parameters are written only on
 * success; on any error the table set is unchanged.
 *
 * "Look up" fails with RESTAB_UNKNOWN_HANDLE when the handle is 0, past the
 * end of the resource's table, or names a free slot. "Type check" fails with
 * RESTAB_WRONG_TYPE when the entry's resource differs from `resource` (host
 * entries match any host lookup).
 */

/*
 * canon resource.new: adds own(resource, rep, lends 0) to the resource's
 * table, in the most recently freed slot or else a new slot at the end, and
 * writes its handle. RESTAB_HANDLE_OVERFLOW: the handle would be >= limit.
 * RESTAB_OUT_OF_MEMORY: the table could not grow.
 */
RESTAB_API restab_status restab_resource_new(restab_tables *t,
                                             restab_resource resource,
                                             uint32_t rep, uint32_t *handle);

/*
 * Canonical ABI lower_own: the same as restab_resource_new (an own handle
 * passed into a component).
 */
RESTAB_API restab_status restab_resource_lower_own(restab_tables *t,
                                                   restab_resource resource,
                                                   uint32_t rep,
                                                   uint32_t *handle);

/*
 * Canonical ABI lower_borrow: adds borrow(resource, rep, top scope) and adds
 * one to the top scope's borrow count. Checks: RESTAB_NO_SCOPE when no call
 * scope is active; then RESTAB_HANDLE_OVERFLOW as for new (also when the
 * scope's borrow count is at UINT32_MAX); RESTAB_OUT_OF_MEMORY.
 */
RESTAB_API restab_status restab_resource_lower_borrow(restab_tables *t,
                                                      restab_resource resource,
                                                      uint32_t rep,
                                                      uint32_t *handle);

/*
 * canon resource.rep: writes the rep of the handle's entry (own or borrow).
 * Checks: look up, type check. Changes nothing.
 */
RESTAB_API restab_status restab_resource_rep(const restab_tables *t,
                                             restab_resource resource,
                                             uint32_t handle, uint32_t *rep);

/*
 * canon resource.drop (without running the destructor): frees the handle's
 * slot. For an own entry, checks look up, RESTAB_BORROWED when lends > 0,
 * type check, and reports destructor_due = 1 with the rep. For a borrow
 * entry, checks look up and type check, takes one from the borrow count of
 * the entry's scope, and reports destructor_due = 0.
 * Spec profile (canon resource.drop, definitions.py 2323-2340): look up, type
 * check, then RESTAB_BORROWED when lends > 0, for own and borrow entries
 * alike.
 */
RESTAB_API restab_status restab_resource_drop(restab_tables *t,
                                              restab_resource resource,
                                              uint32_t handle,
                                              restab_dropped *out);

/*
 * Canonical ABI lift_own: removes an own handle, writing its rep. Checks:
 * look up; RESTAB_NOT_OWN for a borrow entry; RESTAB_BORROWED when lends > 0;
 * type check. Spec profile (lift_own, definitions.py 1512-1518): look up, type
 * check, RESTAB_BORROWED when lends > 0 (a lent borrow included), then
 * RESTAB_NOT_OWN for a borrow entry.
 */
RESTAB_API restab_status restab_resource_lift_own(restab_tables *t,
                                                  restab_resource resource,
                                                  uint32_t handle,
                                                  uint32_t *rep);

/*
 * Canonical ABI lift_borrow: writes the entry's rep. For an own entry, checks
 * look up, type check, RESTAB_LEND_OVERFLOW when lends is at max_lends,
 * RESTAB_NO_SCOPE when no scope is active, RESTAB_OUT_OF_MEMORY; then adds
 * one to lends and records the handle as a lender of the top scope. For a
 * borrow entry, checks look up and type check only, and changes nothing
 * (no scope is needed).
 * Spec profile (lift_borrow, definitions.py 1520-1526): own and borrow
 * entries alike; checks RESTAB_NO_SCOPE first (where the spec asserts a
 * scope), then look up, type check, RESTAB_LEND_OVERFLOW when lends is at
 * max_lends, RESTAB_OUT_OF_MEMORY; then adds one to the entry's lends and
 * records it as a lender of the top scope (Subtask.add_lender).
 */
RESTAB_API restab_status restab_resource_lift_borrow(restab_tables *t,
                                                     restab_resource resource,
                                                     uint32_t handle,
                                                     uint32_t *rep);

/* ---- Call scopes ------------------------------------------------------ */

/*
 * Enters a call: pushes a scope with borrow count 0 and no lenders.
 * RESTAB_OUT_OF_MEMORY when the stack could not grow.
 */
RESTAB_API restab_status restab_call_enter(restab_tables *t);

/*
 * Exits the current call. Checks: RESTAB_NO_SCOPE when no scope is active;
 * RESTAB_BORROWS_REMAIN when the top scope's borrow count is > 0. Then takes
 * one from the lends of each lender record's entry (once per record; own
 * entries, and in the spec profile borrow entries too: Subtask's
 * deliver_resolve) and pops the scope. Runs in time proportional to the
 * scope's lender records.
 */
RESTAB_API restab_status restab_call_exit(restab_tables *t);

/* ---- Debugging and observation ---------------------------------------- */

/*
 * Checks every invariant of docs/semantics.md (1: free lists, 2: lend counts,
 * 3: borrow counts, 4: borrow scopes live, 5: lenders live, 6: handle limit
 * and table placement; spec profile: 2 and 5 for borrow entries too, and 7:
 * a lender record of depth d names an own entry or a borrow of depth <= d).
 * Returns 0 when all hold; otherwise the number of the
 * first broken invariant, with a sentence naming it and the offending entry
 * written to msg (truncated to msg_size, NUL-terminated; msg may be NULL when
 * msg_size is 0). Never changes the set and never allocates.
 */
RESTAB_API int restab_check(const restab_tables *t, char *msg,
                            size_t msg_size);

/* Receives text from restab_dump(); text is not NUL-terminated. */
typedef void (*restab_write_fn)(void *user, const char *text, size_t len);

/*
 * Writes a readable description of the whole state (configuration, every
 * table's slots and free list, every scope) through write, in pieces. The
 * spec profile's dump also names the profile and borrow entries' lends.
 */
RESTAB_API void restab_dump(const restab_tables *t, restab_write_fn write,
                            void *user);

/* The profile the table set follows (restab_config.semantics);
   RESTAB_SEMANTICS_WASMTIME35 for NULL. */
RESTAB_API restab_semantics restab_semantics_of(const restab_tables *t);

/*
 * Tables are numbered 0 .. instances-1 for the guest instances; the host
 * table is number `instances` (restab_table_count() - 1).
 */
RESTAB_API uint32_t restab_table_count(const restab_tables *t);

/* The table that holds a resource's handles; UINT32_MAX if no such type. */
RESTAB_API uint32_t restab_table_of(const restab_tables *t,
                                    restab_resource resource);

/*
 * The number of slots of a table (free or not): every handle in
 * 1 .. size names a slot. 0 for a table number out of range.
 */
RESTAB_API uint32_t restab_table_size(const restab_tables *t, uint32_t table);

/*
 * The handle the next insertion into a table would return, ignoring the
 * limit: the most recently freed slot's, else size + 1. 0 for a table number
 * out of range.
 */
RESTAB_API uint32_t restab_table_next(const restab_tables *t, uint32_t table);

/*
 * Describes the slot that handle names in a table. Returns 0 and fills *out
 * (for a free slot: kind RESTAB_SLOT_FREE and every other field 0); returns
 * -1 when table or handle is out of range.
 */
RESTAB_API int restab_table_slot(const restab_tables *t, uint32_t table,
                                 uint32_t handle, restab_slot_info *out);

/* The number of active call scopes (the stack height). */
RESTAB_API uint32_t restab_scope_count(const restab_tables *t);

/* The borrow count of the scope at depth (0 outermost); 0 if out of range. */
RESTAB_API uint32_t restab_scope_borrow_count(const restab_tables *t,
                                              uint32_t depth);

/* The number of lender records of the scope at depth; 0 if out of range. */
RESTAB_API uint32_t restab_scope_lender_count(const restab_tables *t,
                                              uint32_t depth);

/*
 * The i-th lender record (in the order recorded) of the scope at depth:
 * writes its table and handle and returns 0, or returns -1 when out of range.
 */
RESTAB_API int restab_scope_lender(const restab_tables *t, uint32_t depth,
                                   uint32_t i, uint32_t *table,
                                   uint32_t *handle);

#ifdef __cplusplus
}
#endif

#endif /* RESTAB_H */
