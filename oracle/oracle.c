/*
 * The oracle: a deliberately plain model of the resource tables described in
 * SEMANTICS.md (the wasmtime35 profile) and SEMANTICS-SPEC.md (the spec
 * profile), written only from those contracts so that the differential
 * fuzzer has an independent opinion to compare restab against.
 *
 * Everything here favours being obviously right over being fast: tables are
 * arrays searched linearly, each table keeps an explicit stack of freed
 * handles, and every operation performs all of its checks (and reserves any
 * memory it needs) before it changes anything, which makes it all-or-nothing
 * by construction.  The names follow the component model's canonical ABI
 * (num_lends, borrow_scope, lenders, borrow_count).
 *
 * The two profiles share the state and every operation but drop, lift_own,
 * lift_borrow and exit; those four have one function per profile, each a
 * straight transcription of its contract's row, so that the check order of
 * either can be read off without following flags.  In the spec profile a
 * borrow entry's lends live in the same rt_slot.lends field as an own's; in
 * the wasmtime35 profile that field stays 0 for borrows.
 */
#include "oracle.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A handle whose entry a scope has lent out: (table number, handle).  The
   entry is an own one, or in the spec profile an own or a borrow one. */
typedef struct lender {
    uint32_t table;
    uint32_t handle;
} lender;

typedef struct borrow_scope {
    uint32_t borrow_count;
    lender *lenders;
    uint32_t num_lenders;
    size_t lenders_cap;
} borrow_scope;

/*
 * One handle space.  `slots` and `freed` share one capacity so that freeing a
 * slot can never need an allocation (and so can never fail half-way).
 */
typedef struct handle_table {
    uint32_t number;   /* 0..instances-1 guest, `instances` host */
    rt_slot *slots;    /* slots[h-1] is handle h; RT_FREE slots are all zero */
    uint32_t size;     /* slots ever created */
    uint32_t *freed;   /* freed handles; the last one is reused first */
    uint32_t num_freed;
    size_t cap;
} handle_table;

typedef struct oracle {
    rt_semantics semantics;
    uint32_t instances;
    uint32_t types;
    uint32_t *type_instance;
    uint32_t limit;
    uint32_t max_lends;
    /* Tables are created when first written to, so a huge `instances` costs
       nothing; an absent table observes as empty. */
    handle_table *tables;
    size_t num_tables;
    size_t tables_cap;
    borrow_scope *scopes; /* scopes[0] is the outermost */
    uint32_t num_scopes;
    size_t scopes_cap;
    /* Counters for the checker (o_check), kept between calls so that a
       check allocates nothing once the state stops growing; and
       table_index's memory. Mutable even where the oracle is const. */
    struct tally *tally;
} oracle;

typedef struct tally {
    uint32_t *count;
    size_t cap;
    size_t last_table; /* table_index's last answer, tried first */
} tally;

/* ---- growing arrays ---------------------------------------------------- */

/* A capacity of at least `need` elements of `elem` bytes; 0 on overflow. */
static size_t grown(size_t cap, size_t need, size_t elem)
{
    size_t n = cap ? cap : 4;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return 0;
        n *= 2;
    }
    return n > SIZE_MAX / elem ? 0 : n;
}

static int table_reserve(handle_table *t, size_t need)
{
    size_t n;
    rt_slot *slots;
    uint32_t *freed;

    if (need <= t->cap)
        return 1;
    n = grown(t->cap, need, sizeof *slots);
    if (n == 0)
        return 0;
    slots = realloc(t->slots, n * sizeof *slots);
    if (slots == NULL)
        return 0;
    t->slots = slots; /* still valid at the old capacity if the next fails */
    freed = realloc(t->freed, n * sizeof *freed);
    if (freed == NULL)
        return 0;
    t->freed = freed;
    t->cap = n;
    return 1;
}

static int scope_reserve_lender(borrow_scope *s)
{
    size_t n;
    lender *l;

    if (s->num_lenders == UINT32_MAX)
        return 0;
    if ((size_t)s->num_lenders < s->lenders_cap)
        return 1;
    n = grown(s->lenders_cap, (size_t)s->num_lenders + 1, sizeof *l);
    if (n == 0)
        return 0;
    l = realloc(s->lenders, n * sizeof *l);
    if (l == NULL)
        return 0;
    s->lenders = l;
    s->lenders_cap = n;
    return 1;
}

/* ---- tables ------------------------------------------------------------ */

/* Position of table `number` in o->tables, or o->num_tables when absent. */
static size_t table_index(const oracle *o, uint32_t number)
{
    size_t i = o->tally->last_table;

    /* Observation asks for one table's slots in a row: try the last one. */
    if (i < o->num_tables && o->tables[i].number == number)
        return i;
    for (i = 0; i < o->num_tables; i++)
        if (o->tables[i].number == number)
            break;
    o->tally->last_table = i;
    return i;
}

static handle_table *table_get_or_add(oracle *o, uint32_t number)
{
    size_t i = table_index(o, number);
    handle_table *grown_tables;
    size_t n;

    if (i < o->num_tables)
        return &o->tables[i];
    if (o->num_tables == o->tables_cap) {
        n = grown(o->tables_cap, o->num_tables + 1, sizeof *grown_tables);
        if (n == 0)
            return NULL;
        grown_tables = realloc(o->tables, n * sizeof *grown_tables);
        if (grown_tables == NULL)
            return NULL;
        o->tables = grown_tables;
        o->tables_cap = n;
    }
    memset(&o->tables[i], 0, sizeof o->tables[i]);
    o->tables[i].number = number;
    o->num_tables++;
    return &o->tables[i];
}

/* The table a resource's handles live in; RT_INVALID for no such resource. */
static rt_status table_of(const oracle *o, uint32_t resource, uint32_t *table)
{
    if (resource == RT_HOST) {
        *table = o->instances;
        return RT_OK;
    }
    if (resource >= o->types)
        return RT_INVALID;
    *table = o->type_instance[resource];
    return RT_OK;
}

/* The handle the next insertion takes, as 64 bits so size+1 cannot wrap. */
static uint64_t next_handle(const handle_table *t)
{
    if (t->num_freed > 0)
        return t->freed[t->num_freed - 1];
    return (uint64_t)t->size + 1;
}

static rt_status insert(oracle *o, uint32_t table, rt_slot entry,
                        uint32_t *handle)
{
    handle_table *t = table_get_or_add(o, table);
    uint64_t h;

    if (t == NULL)
        return RT_OUT_OF_MEMORY;
    h = next_handle(t);
    if (h >= o->limit)
        return RT_HANDLE_OVERFLOW;
    if (t->num_freed > 0) {
        t->num_freed--;
    } else {
        if (!table_reserve(t, (size_t)t->size + 1))
            return RT_OUT_OF_MEMORY;
        t->size++;
    }
    t->slots[h - 1] = entry;
    *handle = (uint32_t)h;
    return RT_OK;
}

/* The live entry named by (table, handle), or NULL for unknown-handle. */
static rt_slot *live_entry(oracle *o, uint32_t table, uint32_t handle)
{
    size_t i = table_index(o, table);
    rt_slot *s;

    if (i == o->num_tables || handle == 0 || handle > o->tables[i].size)
        return NULL;
    s = &o->tables[i].slots[handle - 1];
    return s->kind == RT_FREE ? NULL : s;
}

/* "Look up I": resolves the resource, then finds the live entry. */
static rt_status look_up(oracle *o, uint32_t resource, uint32_t handle,
                         uint32_t *table, rt_slot **entry)
{
    rt_status st = table_of(o, resource, table);

    if (st != RT_OK)
        return st;
    *entry = live_entry(o, *table, handle);
    return *entry == NULL ? RT_UNKNOWN_HANDLE : RT_OK;
}

/* Host tables only hold host entries and guest tables only guest ones, so
   plain equality is both "same guest type" and "any host matches host". */
static int type_matches(const rt_slot *entry, uint32_t resource)
{
    return entry->resource == resource;
}

/* Frees a live slot; never allocates (see handle_table). */
static void release(oracle *o, uint32_t table, uint32_t handle)
{
    handle_table *t = &o->tables[table_index(o, table)];
    rt_slot none = {RT_FREE, 0, 0, 0, 0};

    t->slots[handle - 1] = none;
    t->freed[t->num_freed++] = handle;
}

/* ---- create / destroy -------------------------------------------------- */

static rt_status o_create(const rt_config *cfg, void **self)
{
    oracle *o;
    uint32_t k;

    if (cfg == NULL || self == NULL)
        return RT_INVALID;
    if (cfg->semantics != RT_SEMANTICS_WASMTIME35 &&
        cfg->semantics != RT_SEMANTICS_SPEC)
        return RT_INVALID;
    if (cfg->types > 0 && cfg->type_instance == NULL)
        return RT_INVALID;
    for (k = 0; k < cfg->types; k++)
        if (cfg->type_instance[k] >= cfg->instances)
            return RT_INVALID;
    o = calloc(1, sizeof *o);
    if (o == NULL)
        return RT_OUT_OF_MEMORY;
    o->tally = calloc(1, sizeof *o->tally);
    if (o->tally == NULL) {
        free(o);
        return RT_OUT_OF_MEMORY;
    }
    if (cfg->types > 0) {
        o->type_instance = malloc((size_t)cfg->types * sizeof *o->type_instance);
        if (o->type_instance == NULL) {
            free(o->tally);
            free(o);
            return RT_OUT_OF_MEMORY;
        }
        memcpy(o->type_instance, cfg->type_instance,
               (size_t)cfg->types * sizeof *o->type_instance);
    }
    o->semantics = cfg->semantics;
    o->instances = cfg->instances;
    o->types = cfg->types;
    o->limit = cfg->limit;
    o->max_lends = cfg->max_lends;
    *self = o;
    return RT_OK;
}

static void o_destroy(void *self)
{
    oracle *o = self;
    size_t i;

    if (o == NULL)
        return;
    for (i = 0; i < o->num_tables; i++) {
        free(o->tables[i].slots);
        free(o->tables[i].freed);
    }
    for (i = 0; i < o->num_scopes; i++)
        free(o->scopes[i].lenders);
    free(o->tables);
    free(o->scopes);
    free(o->type_instance);
    free(o->tally->count);
    free(o->tally);
    free(o);
}

/* ---- operations -------------------------------------------------------- */

static rt_status add_own(oracle *o, uint32_t resource, uint32_t rep,
                         uint32_t *handle)
{
    rt_slot entry = {RT_OWN, resource, rep, 0, 0};
    uint32_t table;
    rt_status st = table_of(o, resource, &table);

    return st != RT_OK ? st : insert(o, table, entry, handle);
}

static rt_status o_new(void *self, uint32_t resource, uint32_t rep,
                       uint32_t *handle)
{
    return add_own(self, resource, rep, handle);
}

static rt_status o_lower_own(void *self, uint32_t resource, uint32_t rep,
                             uint32_t *handle)
{
    return add_own(self, resource, rep, handle);
}

static rt_status o_lower_borrow(void *self, uint32_t resource, uint32_t rep,
                                uint32_t *handle)
{
    oracle *o = self;
    uint32_t table;
    uint32_t top;
    rt_slot entry = {RT_BORROW, resource, rep, 0, 0};
    rt_status st = table_of(o, resource, &table);

    if (st != RT_OK)
        return st;
    if (o->num_scopes == 0)
        return RT_NO_SCOPE;
    top = o->num_scopes - 1;
    /* wasmtime's checked_add on the count; unreachable in practice, but a
       count that cannot grow is the same kind of exhaustion as the table. */
    if (o->scopes[top].borrow_count == UINT32_MAX)
        return RT_HANDLE_OVERFLOW;
    entry.scope = top;
    st = insert(o, table, entry, handle);
    if (st == RT_OK)
        o->scopes[top].borrow_count++;
    return st;
}

static rt_status o_rep(void *self, uint32_t resource, uint32_t handle,
                       uint32_t *rep)
{
    uint32_t table;
    rt_slot *entry;
    rt_status st = look_up(self, resource, handle, &table, &entry);

    if (st != RT_OK)
        return st;
    if (!type_matches(entry, resource))
        return RT_WRONG_TYPE;
    *rep = entry->rep;
    return RT_OK;
}

/* The effect of a successful drop or lift_own: frees the slot and, for a
   borrow, takes it off its scope's borrow count.  Returns the rep. */
static uint32_t remove_entry(oracle *o, uint32_t table, uint32_t handle)
{
    rt_slot *entry = live_entry(o, table, handle);
    uint32_t value = entry->rep;
    uint32_t depth = entry->scope;
    rt_slot_kind kind = entry->kind;

    release(o, table, handle);
    if (kind == RT_BORROW)
        o->scopes[depth].borrow_count--;
    return value;
}

/* The effect of a successful lift_borrow that lends: the entry's lends +1
   and a lender record in the top scope.  The caller has checked the lend
   count and reserved the record, so this cannot fail. */
static void lend(oracle *o, uint32_t table, uint32_t handle, rt_slot *entry)
{
    borrow_scope *top = &o->scopes[o->num_scopes - 1];

    entry->lends++;
    top->lenders[top->num_lenders].table = table;
    top->lenders[top->num_lenders].handle = handle;
    top->num_lenders++;
}

/* drop, wasmtime35 (SEMANTICS.md): look up; an own's lends; type. */
static rt_status wt_drop(oracle *o, uint32_t resource, uint32_t handle,
                         int *destructor_due, uint32_t *rep)
{
    uint32_t table;
    rt_slot *entry;
    int own;
    rt_status st = look_up(o, resource, handle, &table, &entry);

    if (st != RT_OK)
        return st;
    if (entry->kind == RT_OWN && entry->lends > 0)
        return RT_BORROWED;
    if (!type_matches(entry, resource))
        return RT_WRONG_TYPE;
    own = entry->kind == RT_OWN;
    *rep = remove_entry(o, table, handle);
    *destructor_due = own;
    return RT_OK;
}

/* drop, spec (SEMANTICS-SPEC.md, defs 2326-2339): look up; type; lends,
   for own and borrow entries alike. */
static rt_status spec_drop(oracle *o, uint32_t resource, uint32_t handle,
                           int *destructor_due, uint32_t *rep)
{
    uint32_t table;
    rt_slot *entry;
    int own;
    rt_status st = look_up(o, resource, handle, &table, &entry);

    if (st != RT_OK)
        return st;
    if (!type_matches(entry, resource))
        return RT_WRONG_TYPE;
    if (entry->lends > 0)
        return RT_BORROWED;
    own = entry->kind == RT_OWN;
    *rep = remove_entry(o, table, handle);
    *destructor_due = own;
    return RT_OK;
}

static rt_status o_drop(void *self, uint32_t resource, uint32_t handle,
                        int *destructor_due, uint32_t *rep)
{
    oracle *o = self;
    uint32_t value;
    int due;
    rt_status st = o->semantics == RT_SEMANTICS_SPEC
                       ? spec_drop(o, resource, handle, &due, &value)
                       : wt_drop(o, resource, handle, &due, &value);

    if (st != RT_OK)
        return st;
    *destructor_due = due;
    *rep = value;
    return RT_OK;
}

/* lift_own, wasmtime35: look up; not-own; lends; type. */
static rt_status wt_lift_own(oracle *o, uint32_t resource, uint32_t handle,
                             uint32_t *rep)
{
    uint32_t table;
    rt_slot *entry;
    rt_status st = look_up(o, resource, handle, &table, &entry);

    if (st != RT_OK)
        return st;
    if (entry->kind == RT_BORROW)
        return RT_NOT_OWN;
    if (entry->lends > 0)
        return RT_BORROWED;
    if (!type_matches(entry, resource))
        return RT_WRONG_TYPE;
    *rep = remove_entry(o, table, handle);
    return RT_OK;
}

/* lift_own, spec (defs 1513-1517): look up; type; lends; not-own. */
static rt_status spec_lift_own(oracle *o, uint32_t resource, uint32_t handle,
                               uint32_t *rep)
{
    uint32_t table;
    rt_slot *entry;
    rt_status st = look_up(o, resource, handle, &table, &entry);

    if (st != RT_OK)
        return st;
    if (!type_matches(entry, resource))
        return RT_WRONG_TYPE;
    if (entry->lends > 0)
        return RT_BORROWED;
    if (entry->kind == RT_BORROW)
        return RT_NOT_OWN;
    *rep = remove_entry(o, table, handle);
    return RT_OK;
}

static rt_status o_lift_own(void *self, uint32_t resource, uint32_t handle,
                            uint32_t *rep)
{
    oracle *o = self;

    return o->semantics == RT_SEMANTICS_SPEC
               ? spec_lift_own(o, resource, handle, rep)
               : wt_lift_own(o, resource, handle, rep);
}

/* lift_borrow, wasmtime35: look up; type; a borrow is returned as is; an
   own's lend count; no scope; lend. */
static rt_status wt_lift_borrow(oracle *o, uint32_t resource, uint32_t handle,
                                uint32_t *rep)
{
    uint32_t table;
    rt_slot *entry;
    rt_status st = look_up(o, resource, handle, &table, &entry);

    if (st != RT_OK)
        return st;
    if (!type_matches(entry, resource))
        return RT_WRONG_TYPE;
    if (entry->kind == RT_BORROW) {
        *rep = entry->rep;
        return RT_OK;
    }
    if (entry->lends >= o->max_lends)
        return RT_LEND_OVERFLOW;
    if (o->num_scopes == 0)
        return RT_NO_SCOPE;
    if (!scope_reserve_lender(&o->scopes[o->num_scopes - 1]))
        return RT_OUT_OF_MEMORY;
    lend(o, table, handle, entry);
    *rep = entry->rep;
    return RT_OK;
}

/* lift_borrow, spec (defs 1521-1526): no scope (the spec's assertion, so
   first); look up; type; the lend count (the project's max_lends); lend,
   own and borrow entries alike. */
static rt_status spec_lift_borrow(oracle *o, uint32_t resource,
                                  uint32_t handle, uint32_t *rep)
{
    uint32_t table;
    rt_slot *entry;
    rt_status st;

    if (o->num_scopes == 0)
        return RT_NO_SCOPE;
    st = look_up(o, resource, handle, &table, &entry);
    if (st != RT_OK)
        return st;
    if (!type_matches(entry, resource))
        return RT_WRONG_TYPE;
    if (entry->lends >= o->max_lends)
        return RT_LEND_OVERFLOW;
    if (!scope_reserve_lender(&o->scopes[o->num_scopes - 1]))
        return RT_OUT_OF_MEMORY;
    lend(o, table, handle, entry);
    *rep = entry->rep;
    return RT_OK;
}

static rt_status o_lift_borrow(void *self, uint32_t resource, uint32_t handle,
                               uint32_t *rep)
{
    oracle *o = self;

    return o->semantics == RT_SEMANTICS_SPEC
               ? spec_lift_borrow(o, resource, handle, rep)
               : wt_lift_borrow(o, resource, handle, rep);
}

static rt_status o_enter(void *self)
{
    oracle *o = self;
    borrow_scope *grown_scopes;
    size_t n;

    if (o->num_scopes == UINT32_MAX)
        return RT_OUT_OF_MEMORY;
    if ((size_t)o->num_scopes == o->scopes_cap) {
        n = grown(o->scopes_cap, (size_t)o->num_scopes + 1,
                  sizeof *grown_scopes);
        if (n == 0)
            return RT_OUT_OF_MEMORY;
        grown_scopes = realloc(o->scopes, n * sizeof *grown_scopes);
        if (grown_scopes == NULL)
            return RT_OUT_OF_MEMORY;
        o->scopes = grown_scopes;
        o->scopes_cap = n;
    }
    memset(&o->scopes[o->num_scopes], 0, sizeof o->scopes[o->num_scopes]);
    o->num_scopes++;
    return RT_OK;
}

/* exit, both profiles: no scope; borrows remain; each lender record gives
   one lend back (an own entry in wasmtime35, own or borrow in spec). */
static rt_status o_exit(void *self)
{
    oracle *o = self;
    borrow_scope *top;
    rt_slot *entry;
    uint32_t i;

    if (o->num_scopes == 0)
        return RT_NO_SCOPE;
    top = &o->scopes[o->num_scopes - 1];
    if (top->borrow_count > 0)
        return RT_BORROWS_REMAIN;
    for (i = 0; i < top->num_lenders; i++) {
        entry = live_entry(o, top->lenders[i].table, top->lenders[i].handle);
        /* Invariant 5 says this is a lent entry of the kinds the profile
           lends; check() reports it if not, and skipping keeps the model
           from crashing on its own bug. */
        if (entry != NULL && entry->lends > 0 &&
            (entry->kind == RT_OWN || o->semantics == RT_SEMANTICS_SPEC))
            entry->lends--;
    }
    free(top->lenders);
    o->num_scopes--;
    return RT_OK;
}

/* ---- invariants -------------------------------------------------------- */

static int broken(char *msg, size_t msg_size, int number, const char *what,
                  uint32_t a, uint32_t b)
{
    if (msg != NULL && msg_size > 0)
        snprintf(msg, msg_size, "oracle invariant %d: %s (%" PRIu32
                 ", %" PRIu32 ")", number, what, a, b);
    return number;
}

/* n counters, all 0, or NULL when memory runs out (the callers then count
   the plain quadratic way, with the same result). */
static uint32_t *zeroed_counters(const oracle *o, size_t n)
{
    tally *c = o->tally;
    uint32_t *grown_count;

    n = n > 0 ? n : 1; /* never a NULL array, even for nothing to count */
    if (n > c->cap) {
        grown_count = realloc(c->count, n * sizeof *grown_count);
        if (grown_count == NULL)
            return NULL;
        c->count = grown_count;
        c->cap = n;
    }
    memset(c->count, 0, n * sizeof *c->count);
    return c->count;
}

/* 1 when some handle is on the freed stack twice.  The stack only names
   handles 1..size (checked before). */
static int freed_has_duplicate(const oracle *o, const handle_table *t)
{
    uint32_t *seen = zeroed_counters(o, (size_t)t->size + 1);
    uint32_t i, j;
    int dup = 0;

    if (seen == NULL) { /* quadratic fallback, still exact */
        for (i = 0; i < t->num_freed && !dup; i++)
            for (j = i + 1; j < t->num_freed && !dup; j++)
                dup = t->freed[i] == t->freed[j];
        return dup;
    }
    for (i = 0; i < t->num_freed && !dup; i++) {
        dup = seen[t->freed[i]] != 0;
        seen[t->freed[i]] = 1;
    }
    return dup;
}

/* Invariant 1: the freed stack holds exactly the free slots, once each. */
static int check_free_lists(const oracle *o, char *msg, size_t msg_size)
{
    const handle_table *t;
    size_t i;
    uint32_t h, free_slots;

    for (i = 0; i < o->num_tables; i++) {
        t = &o->tables[i];
        free_slots = 0;
        for (h = 1; h <= t->size; h++)
            free_slots += t->slots[h - 1].kind == RT_FREE;
        if (free_slots != t->num_freed)
            return broken(msg, msg_size, 1, "free slots vs freed stack size",
                          free_slots, t->num_freed);
        for (h = 0; h < t->num_freed; h++)
            if (t->freed[h] == 0 || t->freed[h] > t->size ||
                t->slots[t->freed[h] - 1].kind != RT_FREE)
                return broken(msg, msg_size, 1,
                              "freed stack names a non-free slot (table, "
                              "handle)", t->number, t->freed[h]);
        if (freed_has_duplicate(o, t))
            return broken(msg, msg_size, 1, "freed stack repeats a handle "
                          "(table, size)", t->number, t->size);
    }
    return 0;
}

/* Lender records, across all scopes, naming (table, handle). */
static uint32_t count_lenders(const oracle *o, uint32_t table, uint32_t handle)
{
    uint32_t d, i, n = 0;

    for (d = 0; d < o->num_scopes; d++)
        for (i = 0; i < o->scopes[d].num_lenders; i++)
            n += o->scopes[d].lenders[i].table == table &&
                 o->scopes[d].lenders[i].handle == handle;
    return n;
}

/* Whether the profile lends entries of this kind: own entries in both,
   borrow entries too in spec. */
static int lendable(const oracle *o, rt_slot_kind kind)
{
    return kind == RT_OWN ||
           (kind == RT_BORROW && o->semantics == RT_SEMANTICS_SPEC);
}

/* Invariant 2: every own entry's num_lends equals its lender records (spec:
   every entry's, own or borrow). */
static int check_lends(const oracle *o, char *msg, size_t msg_size)
{
    const handle_table *t;
    const lender *l;
    size_t i;
    uint32_t h, d, k, *naming;

    for (i = 0; i < o->num_tables; i++) {
        t = &o->tables[i];
        /* naming[h]: the records naming handle h of this table, counted in
           one pass over the records (count_lenders when out of memory). */
        naming = zeroed_counters(o, (size_t)t->size + 1);
        for (d = 0; naming != NULL && d < o->num_scopes; d++)
            for (k = 0; k < o->scopes[d].num_lenders; k++) {
                l = &o->scopes[d].lenders[k];
                if (l->table == t->number && l->handle <= t->size)
                    naming[l->handle]++;
            }
        for (h = 1; h <= t->size; h++)
            if (lendable(o, t->slots[h - 1].kind) &&
                t->slots[h - 1].lends != (naming != NULL
                                              ? naming[h]
                                              : count_lenders(o, t->number, h)))
                return broken(msg, msg_size, 2, "lends differ from lender "
                              "records (table, handle)", t->number, h);
    }
    return 0;
}

/* Borrow entries, across all tables, whose scope is `depth`. */
static uint32_t count_borrows(const oracle *o, uint32_t depth)
{
    size_t i;
    uint32_t h, n = 0;

    for (i = 0; i < o->num_tables; i++)
        for (h = 1; h <= o->tables[i].size; h++)
            n += o->tables[i].slots[h - 1].kind == RT_BORROW &&
                 o->tables[i].slots[h - 1].scope == depth;
    return n;
}

/* Invariant 3: each scope's borrow_count equals its borrow entries. */
static int check_borrow_counts(const oracle *o, char *msg, size_t msg_size)
{
    uint32_t d, n, h, *entries = zeroed_counters(o, o->num_scopes);
    const rt_slot *s;
    size_t i;

    /* entries[d]: the borrow entries of scope d, in one pass over the
       slots (count_borrows per scope when out of memory). */
    for (i = 0; entries != NULL && i < o->num_tables; i++)
        for (h = 1; h <= o->tables[i].size; h++) {
            s = &o->tables[i].slots[h - 1];
            if (s->kind == RT_BORROW && s->scope < o->num_scopes)
                entries[s->scope]++;
        }
    for (d = 0; d < o->num_scopes; d++) {
        n = entries != NULL ? entries[d] : count_borrows(o, d);
        if (o->scopes[d].borrow_count != n)
            return broken(msg, msg_size, 3, "borrow_count differs from "
                          "borrow entries (depth, entries)", d, n);
    }
    return 0;
}

/* Invariant 4: every borrow entry's scope is live. */
static int check_borrow_scopes(const oracle *o, char *msg, size_t msg_size)
{
    size_t i;
    uint32_t h;

    for (i = 0; i < o->num_tables; i++)
        for (h = 1; h <= o->tables[i].size; h++)
            if (o->tables[i].slots[h - 1].kind == RT_BORROW &&
                o->tables[i].slots[h - 1].scope >= o->num_scopes)
                return broken(msg, msg_size, 4, "borrow in a dead scope "
                              "(table, handle)", o->tables[i].number, h);
    return 0;
}

/* Invariant 5: every lender record names a live own entry (spec: a live
   entry, own or borrow). */
static int check_lenders(const oracle *o, char *msg, size_t msg_size)
{
    size_t i;
    uint32_t d, k;
    const lender *l;
    const handle_table *t;

    for (d = 0; d < o->num_scopes; d++)
        for (k = 0; k < o->scopes[d].num_lenders; k++) {
            l = &o->scopes[d].lenders[k];
            i = table_index(o, l->table);
            t = i < o->num_tables ? &o->tables[i] : NULL;
            if (t == NULL || l->handle == 0 || l->handle > t->size ||
                !lendable(o, t->slots[l->handle - 1].kind))
                return broken(msg, msg_size, 5, "lender record names no "
                              "live lendable entry (table, handle)", l->table,
                              l->handle);
        }
    return 0;
}

/* Whether a live entry of `resource` may sit in table `table`. */
static int belongs_in(const oracle *o, uint32_t resource, uint32_t table)
{
    if (table == o->instances)
        return resource == RT_HOST;
    return resource != RT_HOST && resource < o->types &&
           o->type_instance[resource] == table;
}

/* Invariant 6: no handle at or past the limit; entries in the right table. */
static int check_placement(const oracle *o, char *msg, size_t msg_size)
{
    const handle_table *t;
    size_t i;
    uint32_t h;

    for (i = 0; i < o->num_tables; i++) {
        t = &o->tables[i];
        if (t->number > o->instances)
            return broken(msg, msg_size, 6, "no such table (table, tables)",
                          t->number, o->instances);
        if (t->size > 0 && t->size >= o->limit)
            return broken(msg, msg_size, 6, "handle at or past the limit "
                          "(table, handle)", t->number, t->size);
        for (h = 1; h <= t->size; h++)
            if (t->slots[h - 1].kind != RT_FREE &&
                !belongs_in(o, t->slots[h - 1].resource, t->number))
                return broken(msg, msg_size, 6, "entry in the wrong table "
                              "(table, handle)", t->number, h);
    }
    return 0;
}

/* Invariant 7 (spec): a lender record of the scope at depth d names an own
   entry or a borrow entry of a scope at depth <= d.  Runs after invariant 5,
   so every record names a live entry. */
static int check_lender_depths(const oracle *o, char *msg, size_t msg_size)
{
    uint32_t d, k;
    const lender *l;
    const rt_slot *entry;

    for (d = 0; d < o->num_scopes; d++)
        for (k = 0; k < o->scopes[d].num_lenders; k++) {
            l = &o->scopes[d].lenders[k];
            entry = &o->tables[table_index(o, l->table)].slots[l->handle - 1];
            if (entry->kind == RT_BORROW && entry->scope > d)
                return broken(msg, msg_size, 7, "lender record names a "
                              "borrow of a deeper scope (depth, handle)", d,
                              l->handle);
        }
    return 0;
}

static int o_check(const void *self, char *msg, size_t msg_size)
{
    const oracle *o = self;
    int r = check_free_lists(o, msg, msg_size);

    if (r == 0)
        r = check_lends(o, msg, msg_size);
    if (r == 0)
        r = check_borrow_counts(o, msg, msg_size);
    if (r == 0)
        r = check_borrow_scopes(o, msg, msg_size);
    if (r == 0)
        r = check_lenders(o, msg, msg_size);
    if (r == 0)
        r = check_placement(o, msg, msg_size);
    if (r == 0 && o->semantics == RT_SEMANTICS_SPEC)
        r = check_lender_depths(o, msg, msg_size);
    if (r == 0 && msg != NULL && msg_size > 0)
        msg[0] = '\0';
    return r;
}

/* ---- observation ------------------------------------------------------- */

/* The table if it exists and has been written to, else NULL. */
static const handle_table *table_peek(const oracle *o, uint32_t table)
{
    size_t i;

    if (table > o->instances)
        return NULL;
    i = table_index(o, table);
    return i < o->num_tables ? &o->tables[i] : NULL;
}

static uint32_t o_table_size(const void *self, uint32_t table)
{
    const handle_table *t = table_peek(self, table);

    return t == NULL ? 0 : t->size;
}

static uint32_t o_table_next(const void *self, uint32_t table)
{
    const oracle *o = self;
    const handle_table *t = table_peek(o, table);

    if (table > o->instances)
        return 0;
    /* size < limit <= UINT32_MAX, so this fits. */
    return t == NULL ? 1 : (uint32_t)next_handle(t);
}

static int o_table_slot(const void *self, uint32_t table, uint32_t handle,
                        rt_slot *out)
{
    const handle_table *t = table_peek(self, table);

    if (t == NULL || handle == 0 || handle > t->size)
        return -1;
    *out = t->slots[handle - 1];
    return 0;
}

static uint32_t o_scope_count(const void *self)
{
    const oracle *o = self;

    return o->num_scopes;
}

static uint32_t o_scope_borrow_count(const void *self, uint32_t depth)
{
    const oracle *o = self;

    return depth < o->num_scopes ? o->scopes[depth].borrow_count : 0;
}

static uint32_t o_scope_lender_count(const void *self, uint32_t depth)
{
    const oracle *o = self;

    return depth < o->num_scopes ? o->scopes[depth].num_lenders : 0;
}

static int o_scope_lender(const void *self, uint32_t depth, uint32_t i,
                          uint32_t *table, uint32_t *handle)
{
    const oracle *o = self;

    if (depth >= o->num_scopes || i >= o->scopes[depth].num_lenders)
        return -1;
    *table = o->scopes[depth].lenders[i].table;
    *handle = o->scopes[depth].lenders[i].handle;
    return 0;
}

const rt_impl rt_oracle = {
    "oracle",
    (1u << RT_SEMANTICS_WASMTIME35) | (1u << RT_SEMANTICS_SPEC),
    o_create,
    o_destroy,
    o_new,
    o_lower_own,
    o_lower_borrow,
    o_rep,
    o_drop,
    o_lift_own,
    o_lift_borrow,
    o_enter,
    o_exit,
    o_check,
    o_table_size,
    o_table_next,
    o_table_slot,
    o_scope_count,
    o_scope_borrow_count,
    o_scope_lender_count,
    o_scope_lender,
    NULL,
};
