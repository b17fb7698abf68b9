/*
 * Table sets, their lifecycle and the canonical-ABI resource operations.
 *
 * Every operation validates everything it will check before it writes
 * anything, and reserves the memory it may need before it changes state, so
 * a returned error always means "nothing changed". wasmtime 35 mutates before
 * some of its checks (drop, lift_own, exit, handle overflow); the checks here
 * are in wasmtime's order but all come first. The spec profile
 * (restab_config.semantics) differs in check order and in lending borrows;
 * its branches sit behind one test of the profile per operation, and the
 * wasmtime paths are otherwise the same as without it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- Status ----------------------------------------------------------- */

/* The status texts, indexed by the pinned status values. */
static const char *const status_names[] = {
#define RESTAB_STATUS_NAME_(name, value, word, text) [value] = (word),
    RESTAB_STATUS_MAP(RESTAB_STATUS_NAME_)
#undef RESTAB_STATUS_NAME_
};

static const char *const status_texts[] = {
#define RESTAB_STATUS_TEXT_(name, value, word, text) [value] = (text),
    RESTAB_STATUS_MAP(RESTAB_STATUS_TEXT_)
#undef RESTAB_STATUS_TEXT_
};

#define STATUS_COUNT (sizeof status_names / sizeof status_names[0])

const char *restab_status_name(restab_status status)
{
    size_t i = (size_t)status;
    return i < STATUS_COUNT && status_names[i] != NULL ? status_names[i]
                                                       : "unknown-status";
}

const char *restab_status_str(restab_status status)
{
    size_t i = (size_t)status;
    return i < STATUS_COUNT && status_texts[i] != NULL ? status_texts[i]
                                                       : "unknown status";
}

/* ---- Memory ----------------------------------------------------------- */

static void *default_alloc(void *user, void *ptr, size_t old_size,
                           size_t new_size)
{
    (void)user;
    (void)old_size;
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, new_size);
}

static void release(const restab_tables *t, void *ptr, size_t size)
{
    if (ptr != NULL)
        t->alloc(t->alloc_user, ptr, size, 0);
}

/*
 * The capacity that a full array of cap elements of elem_size bytes grows
 * to: double, up to what a uint32_t count and a size_t byte size can hold.
 * 0 when it cannot hold more than len (which is out of memory too).
 */
static uint64_t grown_cap(uint32_t cap, uint32_t len, size_t elem_size)
{
    uint64_t most = SIZE_MAX / elem_size < UINT32_MAX ? SIZE_MAX / elem_size
                                                      : UINT32_MAX;
    uint64_t want = cap == 0 ? 8 : (uint64_t)cap * 2;
    uint64_t new_cap = want < most ? want : most;
    return new_cap > len ? new_cap : 0;
}

/* Resizes an array to new_cap elements (0: fail); untouched on failure. */
static restab_status resize(const restab_tables *t, void **array,
                            uint32_t *cap, uint64_t new_cap, size_t elem_size)
{
    void *grown = new_cap > 0 ? t->alloc(t->alloc_user, *array,
                                         (size_t)*cap * elem_size,
                                         (size_t)new_cap * elem_size)
                              : NULL;
    if (grown == NULL)
        return RESTAB_OUT_OF_MEMORY;
    *array = grown;
    *cap = (uint32_t)new_cap;
    return RESTAB_OK;
}

/*
 * Makes room for at least one more element in an array of *cap elements of
 * elem_size bytes (see grown_cap). The array is untouched on failure.
 */
static restab_status reserve_one(const restab_tables *t, void **array,
                                 uint32_t *cap, uint32_t len, size_t elem_size)
{
    if (len < *cap)
        return RESTAB_OK;
    return resize(t, array, cap, grown_cap(*cap, len, elem_size), elem_size);
}

/* ---- Lifecycle -------------------------------------------------------- */

void restab_config_init(restab_config *cfg)
{
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->limit = RESTAB_DEFAULT_LIMIT;
    cfg->max_lends = RESTAB_DEFAULT_MAX_LENDS;
    cfg->semantics = RESTAB_SEMANTICS_WASMTIME35;
}

static restab_status validate_config(const restab_config *cfg)
{
    /* The host table is numbered `instances`, and UINT32_MAX means "none". */
    if (cfg->instances >= UINT32_MAX - 1)
        return RESTAB_INVALID_ARGUMENT;
    /* Compared as a number: an enum object may hold any int. */
    int semantics = (int)cfg->semantics;
    if (semantics != RESTAB_SEMANTICS_WASMTIME35 &&
        semantics != RESTAB_SEMANTICS_SPEC)
        return RESTAB_INVALID_ARGUMENT;
    if (cfg->types > RESTAB_MAX_TYPES)
        return RESTAB_INVALID_ARGUMENT;
    if (cfg->types > 0 && cfg->type_instance == NULL)
        return RESTAB_INVALID_ARGUMENT;
    for (uint32_t ty = 0; ty < cfg->types; ty++) {
        if (cfg->type_instance[ty] >= cfg->instances)
            return RESTAB_INVALID_ARGUMENT;
    }
    return RESTAB_OK;
}

restab_status restab_create(const restab_config *cfg, restab_tables **out)
{
    if (cfg == NULL || out == NULL)
        return RESTAB_INVALID_ARGUMENT;
    restab_status status = validate_config(cfg);
    if (status != RESTAB_OK)
        return status;

    restab_alloc_fn alloc = cfg->alloc != NULL ? cfg->alloc : default_alloc;
    restab_tables *t = alloc(cfg->alloc_user, NULL, 0, sizeof *t);
    if (t == NULL)
        return RESTAB_OUT_OF_MEMORY;
    memset(t, 0, sizeof *t);
    t->alloc = alloc;
    t->alloc_user = cfg->alloc_user;
    t->limit = cfg->limit;
    t->max_lends = cfg->max_lends;
    t->semantics = cfg->semantics;
    t->instances = cfg->instances;
    t->types = cfg->types;

    size_t types_size = (size_t)cfg->types * sizeof *t->type_instance;
    uint64_t table_count = (uint64_t)cfg->instances + 1;
    /* 0 (no allocation, so out of memory) when the size does not fit. */
    size_t tables_size = table_count <= SIZE_MAX / sizeof *t->tables
                             ? (size_t)table_count * sizeof *t->tables
                             : 0;

    if (types_size > 0) {
        t->type_instance = alloc(cfg->alloc_user, NULL, 0, types_size);
        if (t->type_instance == NULL)
            goto out_of_memory;
        memcpy(t->type_instance, cfg->type_instance, types_size);
    }
    t->tables = tables_size > 0 ? alloc(cfg->alloc_user, NULL, 0, tables_size)
                                : NULL;
    if (t->tables == NULL)
        goto out_of_memory;
    for (uint64_t i = 0; i < table_count; i++) {
        t->tables[i] = (restab__table){NULL, 0, 0, RESTAB__NIL, 0, NULL};
    }
    *out = t;
    return RESTAB_OK;

out_of_memory:
    restab_destroy(t);
    return RESTAB_OUT_OF_MEMORY;
}

void restab_destroy(restab_tables *t)
{
    if (t == NULL)
        return;
    if (t->tables != NULL) {
        for (uint32_t i = 0; i <= t->instances; i++) {
            const restab__table *tab = &t->tables[i];
            release(t, tab->slots, (size_t)tab->cap * sizeof *tab->slots);
            release(t, tab->borrow_lends,
                    (size_t)tab->lends_cap * sizeof *tab->borrow_lends);
        }
        release(t, t->tables, ((size_t)t->instances + 1) * sizeof *t->tables);
    }
    release(t, t->type_instance, (size_t)t->types * sizeof *t->type_instance);
    release(t, t->scopes, (size_t)t->scope_cap * sizeof *t->scopes);
    release(t, t->lenders, (size_t)t->lender_cap * sizeof *t->lenders);
    restab_alloc_fn alloc = t->alloc;
    alloc(t->alloc_user, t, sizeof *t, 0);
}

/* ---- Tables ----------------------------------------------------------- */

static int resource_ok(const restab_tables *t, restab_resource resource)
{
    return resource == RESTAB_HOST || resource < t->types;
}

/* The table number of a valid resource. */
static uint32_t table_number(const restab_tables *t, restab_resource resource)
{
    return resource == RESTAB_HOST ? t->instances : t->type_instance[resource];
}

/*
 * Look up: the live slot that handle names, or NULL (handle 0, past the end,
 * or free: RESTAB_UNKNOWN_HANDLE).
 */
static restab__slot *lookup(const restab__table *tab, uint32_t handle)
{
    if (handle == 0 || handle > tab->len)
        return NULL;
    restab__slot *slot = &tab->slots[handle - 1];
    return restab__tag_kind(slot->tag) == RESTAB__KIND_FREE ? NULL : slot;
}

/*
 * Type check: guest entries match only their own type; the host table holds
 * only host entries, which match any host look-up, so comparing codes covers
 * both.
 */
static int type_matches(const restab__slot *slot, restab_resource resource)
{
    return restab__tag_code(slot->tag) == restab__code_of(resource);
}

/*
 * Fills the slot at index `at`, which is the free-list head or the end of
 * the table (room reserved), and returns its handle.
 */
static uint32_t fill_slot(restab__table *tab, uint32_t at, uint32_t tag,
                          uint32_t rep, uint32_t aux)
{
    if (at == tab->free_head) {
        tab->free_head = tab->slots[at].aux;
    } else {
        assert(at == tab->len && at < tab->cap);
        tab->len++;
    }
    tab->slots[at] = (restab__slot){rep, aux, tag};
    return at + 1;
}

static void free_slot(restab__table *tab, uint32_t handle)
{
    uint32_t at = handle - 1;
    tab->slots[at] = (restab__slot){0, tab->free_head, RESTAB__KIND_FREE};
    tab->free_head = at;
}

/*
 * Spec profile: before a full table's slots grow, makes the borrow lend
 * counts at least as large as the slots will be, zeroing the new part. Done
 * first so that lends_cap >= cap holds even when the slots then fail to grow.
 */
static restab_status grow_borrow_lends(const restab_tables *t,
                                       restab__table *tab)
{
    uint64_t new_cap = grown_cap(tab->cap, tab->len, sizeof *tab->slots);
    if (tab->lends_cap >= new_cap && new_cap > 0)
        return RESTAB_OK;
    uint32_t old_cap = tab->lends_cap;
    restab_status status = resize(t, (void **)&tab->borrow_lends,
                                  &tab->lends_cap, new_cap,
                                  sizeof *tab->borrow_lends);
    if (status == RESTAB_OK)
        memset(tab->borrow_lends + old_cap, 0,
               (size_t)(tab->lends_cap - old_cap) * sizeof *tab->borrow_lends);
    return status;
}

/*
 * The slow path of insert: appending needs a handle below the limit and may
 * need the table to grow. Slots on the free list were issued below the
 * limit, so only an append can overflow.
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static restab_status insert_append(restab_tables *t, restab__table *tab,
                                   uint32_t tag, uint32_t rep, uint32_t aux,
                                   uint32_t *handle)
{
    if ((uint64_t)tab->len + 1 >= t->limit)
        return RESTAB_HANDLE_OVERFLOW;
    if (restab__spec(t) && tab->len == tab->cap) {
        restab_status status = grow_borrow_lends(t, tab);
        if (status != RESTAB_OK)
            return status;
    }
    restab_status status = reserve_one(t, (void **)&tab->slots, &tab->cap,
                                       tab->len, sizeof *tab->slots);
    if (status != RESTAB_OK)
        return status;
    *handle = fill_slot(tab, tab->len, tag, rep, aux);
    return RESTAB_OK;
}

/*
 * The common part of new, lower_own and lower_borrow: puts a new entry in
 * the most recently freed slot, else appends one. Reuse is the hot path and
 * stays small enough to inline.
 */
static inline restab_status insert(restab_tables *t, restab_resource resource,
                                   uint32_t kind, uint32_t rep, uint32_t aux,
                                   uint32_t *handle)
{
    restab__table *tab = &t->tables[table_number(t, resource)];
    uint32_t tag = restab__tag(restab__code_of(resource), kind);
    if (tab->free_head != RESTAB__NIL) {
        *handle = fill_slot(tab, tab->free_head, tag, rep, aux);
        return RESTAB_OK;
    }
    if (tab->len < tab->cap && (uint64_t)tab->len + 1 < t->limit) {
        *handle = fill_slot(tab, tab->len, tag, rep, aux);
        return RESTAB_OK;
    }
    return insert_append(t, tab, tag, rep, aux, handle);
}

/* ---- Operations ------------------------------------------------------- */

restab_status restab_resource_new(restab_tables *t, restab_resource resource,
                                  uint32_t rep, uint32_t *handle)
{
    if (t == NULL || handle == NULL || !resource_ok(t, resource))
        return RESTAB_INVALID_ARGUMENT;
    return insert(t, resource, RESTAB__KIND_OWN, rep, 0, handle);
}

restab_status restab_resource_lower_own(restab_tables *t,
                                        restab_resource resource, uint32_t rep,
                                        uint32_t *handle)
{
    return restab_resource_new(t, resource, rep, handle);
}

restab_status restab_resource_lower_borrow(restab_tables *t,
                                           restab_resource resource,
                                           uint32_t rep, uint32_t *handle)
{
    if (t == NULL || handle == NULL || !resource_ok(t, resource))
        return RESTAB_INVALID_ARGUMENT;
    if (t->scope_len == 0)
        return RESTAB_NO_SCOPE;
    uint32_t depth = t->scope_len - 1;
    restab__scope *scope = &t->scopes[depth];
    /* A borrow count at its maximum cannot take another borrow either. */
    restab_status status =
        scope->borrow_count == UINT32_MAX
            ? RESTAB_HANDLE_OVERFLOW
            : insert(t, resource, RESTAB__KIND_BORROW, rep, depth, handle);
    if (status == RESTAB_OK)
        scope->borrow_count++;
    return status;
}

restab_status restab_resource_rep(const restab_tables *t,
                                  restab_resource resource, uint32_t handle,
                                  uint32_t *rep)
{
    if (t == NULL || rep == NULL || !resource_ok(t, resource))
        return RESTAB_INVALID_ARGUMENT;
    const restab__slot *slot =
        lookup(&t->tables[table_number(t, resource)], handle);
    if (slot == NULL)
        return RESTAB_UNKNOWN_HANDLE;
    if (!type_matches(slot, resource))
        return RESTAB_WRONG_TYPE;
    *rep = slot->rep;
    return RESTAB_OK;
}

restab_status restab_resource_drop(restab_tables *t, restab_resource resource,
                                   uint32_t handle, restab_dropped *out)
{
    if (t == NULL || out == NULL || !resource_ok(t, resource))
        return RESTAB_INVALID_ARGUMENT;
    restab__table *tab = &t->tables[table_number(t, resource)];
    restab__slot *slot = lookup(tab, handle);
    if (slot == NULL)
        return RESTAB_UNKNOWN_HANDLE;
    int own = restab__tag_kind(slot->tag) == RESTAB__KIND_OWN;
    /*
     * wasmtime 35 reports a lent own before looking at its type; the spec
     * checks the type first, then the lends of any entry. Both orders agree
     * on an unlent own, so only a lent own or a borrow tests the profile.
     */
    if (own && slot->aux > 0)
        return restab__spec(t) && !type_matches(slot, resource)
                   ? RESTAB_WRONG_TYPE
                   : RESTAB_BORROWED;
    if (!type_matches(slot, resource))
        return RESTAB_WRONG_TYPE;
    if (!own && restab__spec(t) && tab->borrow_lends[handle - 1] > 0)
        return RESTAB_BORROWED;
    uint32_t rep = slot->rep;
    if (!own) {
        assert(slot->aux < t->scope_len);
        assert(t->scopes[slot->aux].borrow_count > 0);
        t->scopes[slot->aux].borrow_count--;
    }
    free_slot(tab, handle);
    out->destructor_due = own;
    out->rep = rep;
    return RESTAB_OK;
}

/* Why lift_own refuses an entry that is not an unlent own of its type. */
static restab_status lift_own_refused(const restab_tables *t,
                                      const restab__table *tab,
                                      const restab__slot *slot,
                                      uint32_t handle, restab_resource resource)
{
    if (restab__spec(t)) {
        /* A lent borrow is "borrowed" before it is "not own". */
        if (!type_matches(slot, resource))
            return RESTAB_WRONG_TYPE;
        if (restab__lends(tab, handle - 1) > 0)
            return RESTAB_BORROWED;
        assert(restab__tag_kind(slot->tag) != RESTAB__KIND_OWN);
        return RESTAB_NOT_OWN;
    }
    if (restab__tag_kind(slot->tag) != RESTAB__KIND_OWN)
        return RESTAB_NOT_OWN;
    if (slot->aux > 0)
        return RESTAB_BORROWED;
    assert(!type_matches(slot, resource));
    return RESTAB_WRONG_TYPE;
}

restab_status restab_resource_lift_own(restab_tables *t,
                                       restab_resource resource,
                                       uint32_t handle, uint32_t *rep)
{
    if (t == NULL || rep == NULL || !resource_ok(t, resource))
        return RESTAB_INVALID_ARGUMENT;
    restab__table *tab = &t->tables[table_number(t, resource)];
    restab__slot *slot = lookup(tab, handle);
    if (slot == NULL)
        return RESTAB_UNKNOWN_HANDLE;
    /* An unlent own of the right type is lifted in both profiles; only the
       order of the errors differs. */
    if (restab__tag_kind(slot->tag) != RESTAB__KIND_OWN || slot->aux > 0 ||
        !type_matches(slot, resource))
        return lift_own_refused(t, tab, slot, handle, resource);
    *rep = slot->rep;
    free_slot(tab, handle);
    return RESTAB_OK;
}

/* Room for one more lender record; the check stays inline at each use. */
static inline restab_status reserve_lender(restab_tables *t)
{
    if (t->lender_len < t->lender_cap)
        return RESTAB_OK;
    return reserve_one(t, (void **)&t->lenders, &t->lender_cap, t->lender_len,
                       sizeof *t->lenders);
}

/*
 * Why lift_borrow cannot go on with an entry: called when the look-up or the
 * type check failed or no scope is active, it reports the first check that
 * fails in the profile's order. The spec asserts a scope before anything
 * else; wasmtime 35 looks up and type checks first, then checks an own's
 * lend bound before the scope.
 */
static restab_status lift_borrow_refused(const restab_tables *t,
                                         const restab__slot *slot,
                                         restab_resource resource)
{
    if (restab__spec(t) && t->scope_len == 0)
        return RESTAB_NO_SCOPE;
    if (slot == NULL)
        return RESTAB_UNKNOWN_HANDLE;
    if (!type_matches(slot, resource))
        return RESTAB_WRONG_TYPE;
    /* Left: the wasmtime profile without a scope, where no borrow entry
       exists (invariant 4). */
    assert(!restab__spec(t) && t->scope_len == 0);
    assert(restab__tag_kind(slot->tag) == RESTAB__KIND_OWN);
    return slot->aux >= t->max_lends ? RESTAB_LEND_OVERFLOW : RESTAB_NO_SCOPE;
}

restab_status restab_resource_lift_borrow(restab_tables *t,
                                          restab_resource resource,
                                          uint32_t handle, uint32_t *rep)
{
    if (t == NULL || rep == NULL || !resource_ok(t, resource))
        return RESTAB_INVALID_ARGUMENT;
    uint32_t table = table_number(t, resource);
    restab__table *tab = &t->tables[table];
    restab__slot *slot = lookup(tab, handle);
    if (slot == NULL || !type_matches(slot, resource) || t->scope_len == 0)
        return lift_borrow_refused(t, slot, resource);
    /* Both profiles lend an own; only the spec lends a borrow. Growing the
       lender records leaves the slots where they are. */
    restab_status status;
    if (restab__tag_kind(slot->tag) == RESTAB__KIND_OWN) {
        if (slot->aux >= t->max_lends)
            return RESTAB_LEND_OVERFLOW;
        status = reserve_lender(t);
        if (status != RESTAB_OK)
            return status;
        slot->aux++;
    } else if (restab__spec(t)) {
        uint32_t *lends = &tab->borrow_lends[handle - 1];
        if (*lends >= t->max_lends)
            return RESTAB_LEND_OVERFLOW;
        status = reserve_lender(t);
        if (status != RESTAB_OK)
            return status;
        (*lends)++;
    } else {
        *rep = slot->rep;
        return RESTAB_OK;
    }
    t->lenders[t->lender_len++] = (restab__lender){table, handle};
    *rep = slot->rep;
    return RESTAB_OK;
}

/* ---- Call scopes ------------------------------------------------------ */

restab_status restab_call_enter(restab_tables *t)
{
    if (t == NULL)
        return RESTAB_INVALID_ARGUMENT;
    restab_status status = reserve_one(t, (void **)&t->scopes, &t->scope_cap,
                                       t->scope_len, sizeof *t->scopes);
    if (status != RESTAB_OK)
        return status;
    t->scopes[t->scope_len++] = (restab__scope){0, t->lender_len};
    return RESTAB_OK;
}

restab_status restab_call_exit(restab_tables *t)
{
    if (t == NULL)
        return RESTAB_INVALID_ARGUMENT;
    if (t->scope_len == 0)
        return RESTAB_NO_SCOPE;
    uint32_t depth = t->scope_len - 1;
    if (t->scopes[depth].borrow_count > 0)
        return RESTAB_BORROWS_REMAIN;
    uint32_t first, end;
    restab__scope_lenders(t, depth, &first, &end);
    if (restab__spec(t)) {
        for (uint32_t i = first; i < end; i++) {
            const restab__lender *lender = &t->lenders[i];
            /* A lent entry, own or borrow, cannot be removed. */
            restab__table *tab = &t->tables[lender->table];
            restab__slot *slot = lookup(tab, lender->handle);
            assert(slot != NULL);
            uint32_t *lends = restab__tag_kind(slot->tag) == RESTAB__KIND_OWN
                                  ? &slot->aux
                                  : &tab->borrow_lends[lender->handle - 1];
            assert(*lends > 0);
            (*lends)--;
        }
        t->lender_len = first;
        t->scope_len = depth;
        return RESTAB_OK;
    }
    for (uint32_t i = first; i < end; i++) {
        const restab__lender *lender = &t->lenders[i];
        /* An own entry cannot be removed while lent, so the record still
           names it. */
        restab__slot *slot =
            lookup(&t->tables[lender->table], lender->handle);
        assert(slot != NULL);
        assert(restab__tag_kind(slot->tag) == RESTAB__KIND_OWN);
        assert(slot->aux > 0);
        slot->aux--;
    }
    t->lender_len = first;
    t->scope_len = depth;
    return RESTAB_OK;
}
