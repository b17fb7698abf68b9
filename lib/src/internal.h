/*
 * restab internals shared by the library's source files.
 */
#ifndef RESTAB_INTERNAL_H
#define RESTAB_INTERNAL_H

#include "restab.h"

#include <assert.h>

/*
 * A slot is 12 bytes: rep, a word whose meaning depends on the kind, and a
 * tag packing the kind (low 2 bits) with the resource code (high 30 bits).
 *   free:   aux = slot index of the next free slot, or RESTAB__NIL
 *   own:    aux = lends
 *   borrow: aux = depth of the call scope the borrow belongs to
 * Packing the resource and kind into one word lets a typed look-up compare
 * a single word against the tag it expects.
 *
 * The spec profile also lends borrow entries, and a borrow already uses all
 * three words (rep, scope, type), so its lend count lives in a side array of
 * the table, borrow_lends (4 bytes a slot, indexed like slots): 16 bytes a
 * slot in the spec profile, 12 in the wasmtime profile, which never
 * allocates the side array. Own entries keep their lends in aux in both
 * profiles, so the own paths are the same code. Every side entry that is not
 * a lent borrow's is 0 (it is zeroed when allocated, and a borrow is freed
 * only with lends 0), so lower_borrow needs no extra store.
 */
typedef struct restab__slot {
    uint32_t rep;
    uint32_t aux;
    uint32_t tag;
} restab__slot;

#define RESTAB__KIND_MASK UINT32_C(3)
#define RESTAB__KIND_FREE UINT32_C(0)
#define RESTAB__KIND_OWN UINT32_C(1)
#define RESTAB__KIND_BORROW UINT32_C(2)

/* The resource code of the host table's entries (types are below it). */
#define RESTAB__HOST_CODE (RESTAB_MAX_TYPES + 1)

/* End of a free list. */
#define RESTAB__NIL UINT32_MAX

/*
 * One table: a slab whose free slots form a singly linked list, most
 * recently freed first, threaded through the slots themselves.
 */
typedef struct restab__table {
    restab__slot *slots;
    uint32_t len;       /* slots in use or free; handles 1 .. len */
    uint32_t cap;       /* slots allocated */
    uint32_t free_head; /* slot index of the most recently freed, or NIL */
    /* Spec profile only (NULL otherwise): [lends_cap] lend counts of borrow
       entries, 0 for every other slot. Grown before slots, so lends_cap >=
       cap and an append within cap always has its side entry. */
    uint32_t lends_cap;
    uint32_t *borrow_lends;
} restab__table;

/*
 * A lender record: an own handle (spec profile: or a borrow handle) lent by
 * lift_borrow in some scope. 8 bytes: the table number and the handle, which
 * is all exit needs to find the entry.
 */
typedef struct restab__lender {
    uint32_t table;
    uint32_t handle;
} restab__lender;

/*
 * A call scope. Its lender records are lenders[first_lender .. next scope's
 * first_lender) (or .. lender_len for the top scope): the records of all
 * scopes live on one stack, so exit pops a contiguous run.
 */
typedef struct restab__scope {
    uint32_t borrow_count;
    uint32_t first_lender;
} restab__scope;

struct restab_tables {
    restab_alloc_fn alloc;
    void *alloc_user;
    uint32_t limit;
    uint32_t max_lends;
    restab_semantics semantics;

    uint32_t instances;
    uint32_t types;
    uint32_t *type_instance; /* [types] */
    restab__table *tables;   /* [instances + 1]; the host table last */

    restab__scope *scopes;
    uint32_t scope_len;
    uint32_t scope_cap;

    restab__lender *lenders;
    uint32_t lender_len;
    uint32_t lender_cap;
};

static inline uint32_t restab__tag(uint32_t code, uint32_t kind)
{
    return (code << 2) | kind;
}

static inline uint32_t restab__tag_kind(uint32_t tag)
{
    return tag & RESTAB__KIND_MASK;
}

static inline uint32_t restab__tag_code(uint32_t tag)
{
    return tag >> 2;
}

/* The resource code that a public restab_resource is stored as. */
static inline uint32_t restab__code_of(restab_resource resource)
{
    return resource == RESTAB_HOST ? RESTAB__HOST_CODE : resource;
}

/* The public restab_resource of a stored resource code. */
static inline restab_resource restab__resource_of(uint32_t code)
{
    return code == RESTAB__HOST_CODE ? RESTAB_HOST : code;
}

static inline int restab__spec(const restab_tables *t)
{
    return t->semantics == RESTAB_SEMANTICS_SPEC;
}

/* The lend count of a live entry at slot index `at` of tab (spec profile
   for borrows: the side array; the wasmtime profile never lends borrows). */
static inline uint32_t restab__lends(const restab__table *tab, uint32_t at)
{
    const restab__slot *slot = &tab->slots[at];
    if (restab__tag_kind(slot->tag) == RESTAB__KIND_OWN)
        return slot->aux;
    return tab->borrow_lends != NULL ? tab->borrow_lends[at] : 0;
}

/* The lender records of the scope at depth: [*first, *end). */
static inline void restab__scope_lenders(const restab_tables *t,
                                         uint32_t depth, uint32_t *first,
                                         uint32_t *end)
{
    assert(depth < t->scope_len);
    *first = t->scopes[depth].first_lender;
    *end = depth + 1 < t->scope_len ? t->scopes[depth + 1].first_lender
                                    : t->lender_len;
}

#endif /* RESTAB_INTERNAL_H */
