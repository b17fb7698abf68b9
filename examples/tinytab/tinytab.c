/*
 * tinytab: the tables (see tinytab.h for the layout).
 *
 * Planted bugs, for showing what the harness finds; each is off unless its
 * macro is defined (CMake: -DTINYTAB_BUG=...):
 *   TINYTAB_BUG_REUSE_ORDER       a new entry takes the oldest free handle,
 *                                 not the newest, once two or more are free
 *   TINYTAB_BUG_MUTATE_THEN_FAIL  drop of a lent own frees the slot before
 *                                 it refuses with "borrowed"
 *   TINYTAB_BUG_EXIT_LENDS        exit returns only one loan of an entry
 *                                 that its frame lent several times
 */
#include "tinytab.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

enum { E_FREE = 0, E_OWN = 1, E_BORROW = 2 };

/* aux is the own's lend count, the borrow's frame depth, or the free
   entry's position on its table's free stack. */
typedef struct entry {
    uint32_t kind, resource, rep, aux;
} entry;

typedef struct slot_table {
    entry *entries; /* [len] in use, [entries_cap] allocated */
    uint32_t *free; /* handles, the top (last) is reused first */
    uint32_t len, entries_cap, nfree, free_cap;
} slot_table;

typedef struct loan {
    uint32_t table, handle;
} loan;

typedef struct frame {
    uint32_t borrows;    /* live borrow entries lowered in this frame */
    uint32_t first_loan; /* this frame's records: loans[first_loan ..] */
} frame;

struct tinytab {
    rt_alloc_fn alloc;
    void *alloc_user;
    uint32_t instances, types, limit, max_lends;
    uint32_t *type_table; /* [types]: each type's table */
    slot_table *tables;   /* [instances + 1]: the host table is the last */
    frame *frames;
    uint32_t nframes, frames_cap;
    loan *loans; /* one stack for the records of every frame */
    uint32_t nloans, loans_cap;
};

static void *mem(const tinytab *tt, void *p, size_t old_size, size_t new_size)
{
    if (tt->alloc != NULL)
        return tt->alloc(tt->alloc_user, p, old_size, new_size);
    if (new_size == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, new_size);
}

/* Makes room for `need` elements: the (maybe moved) array, or NULL when
   allocation failed and the old array is untouched. */
static void *reserve(const tinytab *tt, void *arr, uint32_t *cap, uint32_t need,
                     size_t elem)
{
    if (need <= *cap)
        return arr;
    size_t n = *cap > 0 ? (size_t)*cap * 2 : 4;
    if (n < need)
        n = need;
    if (n > UINT32_MAX)
        n = UINT32_MAX;
    void *grown = mem(tt, arr, (size_t)*cap * elem, n * elem);
    if (grown != NULL)
        *cap = (uint32_t)n;
    return grown;
}

rt_status tinytab_create(const rt_config *cfg, tinytab **out)
{
    if (cfg->semantics != RT_SEMANTICS_WASMTIME35 ||
        cfg->instances == UINT32_MAX)
        return RT_INVALID;
    for (uint32_t i = 0; i < cfg->types; i++)
        if (cfg->type_instance[i] >= cfg->instances)
            return RT_INVALID;
    tinytab boot = {.alloc = cfg->alloc, .alloc_user = cfg->alloc_user};
    tinytab *tt = mem(&boot, NULL, 0, sizeof *tt);
    if (tt == NULL)
        return RT_OUT_OF_MEMORY;
    *tt = boot;
    tt->instances = cfg->instances;
    tt->types = cfg->types;
    tt->limit = cfg->limit;
    tt->max_lends = cfg->max_lends;
    size_t ntables = (size_t)cfg->instances + 1;
    tt->tables = mem(tt, NULL, 0, ntables * sizeof *tt->tables);
    /* Empty before anything else can fail: destroy() walks them. */
    for (size_t i = 0; tt->tables != NULL && i < ntables; i++)
        tt->tables[i] = (slot_table){0};
    if (cfg->types > 0)
        tt->type_table = mem(tt, NULL, 0, cfg->types * sizeof *tt->type_table);
    if (tt->tables == NULL || (cfg->types > 0 && tt->type_table == NULL)) {
        tinytab_destroy(tt);
        return RT_OUT_OF_MEMORY;
    }
    for (uint32_t i = 0; i < cfg->types; i++)
        tt->type_table[i] = cfg->type_instance[i];
    *out = tt;
    return RT_OK;
}

void tinytab_destroy(tinytab *tt)
{
    if (tt->tables != NULL) {
        for (uint32_t i = 0; i <= tt->instances; i++) {
            slot_table *t = &tt->tables[i];
            mem(tt, t->entries, t->entries_cap * sizeof *t->entries, 0);
            mem(tt, t->free, t->free_cap * sizeof *t->free, 0);
        }
        mem(tt, tt->tables, ((size_t)tt->instances + 1) * sizeof *tt->tables,
            0);
    }
    mem(tt, tt->type_table, tt->types * sizeof *tt->type_table, 0);
    mem(tt, tt->frames, tt->frames_cap * sizeof *tt->frames, 0);
    mem(tt, tt->loans, tt->loans_cap * sizeof *tt->loans, 0);
    mem(tt, tt, sizeof *tt, 0);
}

static rt_status table_of(const tinytab *tt, uint32_t resource, uint32_t *tno)
{
    if (resource == RT_HOST)
        *tno = tt->instances;
    else if (resource < tt->types)
        *tno = tt->type_table[resource];
    else
        return RT_INVALID;
    return RT_OK;
}

/* "Look up I": the live entry, or unknown-handle. */
static rt_status find(const tinytab *tt, uint32_t resource, uint32_t handle,
                      uint32_t *tno, entry **e)
{
    rt_status st = table_of(tt, resource, tno);
    if (st != RT_OK)
        return st;
    const slot_table *t = &tt->tables[*tno];
    if (handle == 0 || handle > t->len || t->entries[handle - 1].kind == E_FREE)
        return RT_UNKNOWN_HANDLE;
    *e = &t->entries[handle - 1];
    return RT_OK;
}

static rt_status insert(tinytab *tt, uint32_t tno, entry fresh,
                        uint32_t *handle)
{
    slot_table *t = &tt->tables[tno];
    uint32_t h;
    if (t->nfree > 0) {
        uint32_t pos = t->nfree - 1;
#ifdef TINYTAB_BUG_REUSE_ORDER
        pos = 0; /* swap-remove from the bottom: the oldest free handle */
#endif
        /* A freed handle was issued under this limit, so it fits. Take
           it, and move the top into its place (a no-op for the top). */
        h = t->free[pos];
        t->free[pos] = t->free[t->nfree - 1];
        t->entries[t->free[pos] - 1].aux = pos;
        t->nfree--;
    } else {
        if ((uint64_t)t->len + 1 >= tt->limit)
            return RT_HANDLE_OVERFLOW;
        /* The free stack grows with the entries, so freeing never allocates. */
        entry *entries = reserve(tt, t->entries, &t->entries_cap, t->len + 1,
                                 sizeof *entries);
        if (entries == NULL)
            return RT_OUT_OF_MEMORY;
        t->entries = entries;
        uint32_t *stack =
            reserve(tt, t->free, &t->free_cap, t->len + 1, sizeof *stack);
        if (stack == NULL)
            return RT_OUT_OF_MEMORY;
        t->free = stack;
        h = ++t->len;
    }
    t->entries[h - 1] = fresh;
    *handle = h;
    return RT_OK;
}

static void release(tinytab *tt, uint32_t tno, uint32_t handle)
{
    slot_table *t = &tt->tables[tno];
    assert(t->nfree < t->len && t->len <= t->free_cap);
    t->entries[handle - 1] = (entry){E_FREE, 0, 0, t->nfree};
    t->free[t->nfree++] = handle;
}

rt_status tinytab_new(tinytab *tt, uint32_t resource, uint32_t rep,
                      uint32_t *handle)
{
    uint32_t tno;
    rt_status st = table_of(tt, resource, &tno);
    if (st != RT_OK)
        return st;
    return insert(tt, tno, (entry){E_OWN, resource, rep, 0}, handle);
}

rt_status tinytab_lower_borrow(tinytab *tt, uint32_t resource, uint32_t rep,
                               uint32_t *handle)
{
    uint32_t tno;
    rt_status st = table_of(tt, resource, &tno);
    if (st != RT_OK)
        return st;
    if (tt->nframes == 0)
        return RT_NO_SCOPE;
    frame *top = &tt->frames[tt->nframes - 1];
    if (top->borrows == UINT32_MAX)
        return RT_HANDLE_OVERFLOW;
    st = insert(tt, tno, (entry){E_BORROW, resource, rep, tt->nframes - 1},
                handle);
    if (st == RT_OK)
        top->borrows++;
    return st;
}

rt_status tinytab_rep(const tinytab *tt, uint32_t resource, uint32_t handle,
                      uint32_t *rep)
{
    uint32_t tno;
    entry *e;
    rt_status st = find(tt, resource, handle, &tno, &e);
    if (st != RT_OK)
        return st;
    if (e->resource != resource)
        return RT_WRONG_TYPE;
    *rep = e->rep;
    return RT_OK;
}

rt_status tinytab_drop(tinytab *tt, uint32_t resource, uint32_t handle,
                       int *destructor_due, uint32_t *rep)
{
    uint32_t tno;
    entry *e;
    rt_status st = find(tt, resource, handle, &tno, &e);
    if (st != RT_OK)
        return st;
    if (e->kind == E_BORROW) {
        if (e->resource != resource)
            return RT_WRONG_TYPE;
        uint32_t depth = e->aux;
        release(tt, tno, handle);
        tt->frames[depth].borrows--;
        *destructor_due = 0;
        return RT_OK;
    }
#ifndef TINYTAB_BUG_MUTATE_THEN_FAIL
    if (e->aux > 0)
        return RT_BORROWED;
#endif
    if (e->resource != resource)
        return RT_WRONG_TYPE;
    uint32_t value = e->rep;
#ifdef TINYTAB_BUG_MUTATE_THEN_FAIL
    uint32_t lends = e->aux;
    release(tt, tno, handle);
    if (lends > 0) /* the destructor must not run while the own is lent */
        return RT_BORROWED;
#else
    release(tt, tno, handle);
#endif
    *destructor_due = 1;
    *rep = value;
    return RT_OK;
}

rt_status tinytab_lift_own(tinytab *tt, uint32_t resource, uint32_t handle,
                           uint32_t *rep)
{
    uint32_t tno;
    entry *e;
    rt_status st = find(tt, resource, handle, &tno, &e);
    if (st != RT_OK)
        return st;
    if (e->kind == E_BORROW)
        return RT_NOT_OWN;
    if (e->aux > 0)
        return RT_BORROWED;
    if (e->resource != resource)
        return RT_WRONG_TYPE;
    *rep = e->rep;
    release(tt, tno, handle);
    return RT_OK;
}

rt_status tinytab_lift_borrow(tinytab *tt, uint32_t resource, uint32_t handle,
                              uint32_t *rep)
{
    uint32_t tno;
    entry *e;
    rt_status st = find(tt, resource, handle, &tno, &e);
    if (st != RT_OK)
        return st;
    if (e->resource != resource)
        return RT_WRONG_TYPE;
    if (e->kind == E_OWN) {
        if (e->aux >= tt->max_lends)
            return RT_LEND_OVERFLOW;
        if (tt->nframes == 0)
            return RT_NO_SCOPE;
        if (tt->nloans == UINT32_MAX)
            return RT_OUT_OF_MEMORY;
        loan *loans = reserve(tt, tt->loans, &tt->loans_cap, tt->nloans + 1,
                              sizeof *loans);
        if (loans == NULL)
            return RT_OUT_OF_MEMORY;
        tt->loans = loans;
        tt->loans[tt->nloans++] = (loan){tno, handle};
        e->aux++;
    }
    *rep = e->rep;
    return RT_OK;
}

rt_status tinytab_enter(tinytab *tt)
{
    if (tt->nframes == UINT32_MAX)
        return RT_OUT_OF_MEMORY;
    frame *frames = reserve(tt, tt->frames, &tt->frames_cap, tt->nframes + 1,
                            sizeof *frames);
    if (frames == NULL)
        return RT_OUT_OF_MEMORY;
    tt->frames = frames;
    tt->frames[tt->nframes++] = (frame){0, tt->nloans};
    return RT_OK;
}

rt_status tinytab_exit(tinytab *tt)
{
    if (tt->nframes == 0)
        return RT_NO_SCOPE;
    const frame *top = &tt->frames[tt->nframes - 1];
    if (top->borrows > 0)
        return RT_BORROWS_REMAIN;
    for (uint32_t i = top->first_loan; i < tt->nloans; i++) {
        const loan *l = &tt->loans[i];
#ifdef TINYTAB_BUG_EXIT_LENDS
        /* An entry this frame lent before has been returned already. */
        uint32_t j = top->first_loan;
        while (j < i && (tt->loans[j].table != l->table ||
                         tt->loans[j].handle != l->handle))
            j++;
        if (j < i)
            continue;
#endif
        entry *e = &tt->tables[l->table].entries[l->handle - 1];
        /* Only a broken state has anything else here; check() names it. */
        if (e->kind == E_OWN && e->aux > 0)
            e->aux--;
    }
    tt->nloans = top->first_loan;
    tt->nframes--;
    return RT_OK;
}

/* ---- observation --------------------------------------------------------- */

uint32_t tinytab_table_size(const tinytab *tt, uint32_t table)
{
    return table <= tt->instances ? tt->tables[table].len : 0;
}

uint32_t tinytab_table_next(const tinytab *tt, uint32_t table)
{
    if (table > tt->instances)
        return 0;
    const slot_table *t = &tt->tables[table];
    return t->nfree > 0 ? t->free[t->nfree - 1] : t->len + 1;
}

int tinytab_slot(const tinytab *tt, uint32_t table, uint32_t handle,
                 rt_slot *out)
{
    if (table > tt->instances || handle == 0 || handle > tt->tables[table].len)
        return -1;
    const entry *e = &tt->tables[table].entries[handle - 1];
    *out = (rt_slot){RT_FREE, 0, 0, 0, 0};
    if (e->kind == E_OWN)
        *out = (rt_slot){RT_OWN, e->resource, e->rep, e->aux, 0};
    else if (e->kind == E_BORROW)
        *out = (rt_slot){RT_BORROW, e->resource, e->rep, 0, e->aux};
    return 0;
}

uint32_t tinytab_frames(const tinytab *tt)
{
    return tt->nframes;
}

uint32_t tinytab_frame_borrows(const tinytab *tt, uint32_t depth)
{
    return depth < tt->nframes ? tt->frames[depth].borrows : 0;
}

static uint32_t loans_end(const tinytab *tt, uint32_t depth)
{
    return depth + 1 < tt->nframes ? tt->frames[depth + 1].first_loan
                                   : tt->nloans;
}

uint32_t tinytab_frame_loans(const tinytab *tt, uint32_t depth)
{
    return depth < tt->nframes
               ? loans_end(tt, depth) - tt->frames[depth].first_loan
               : 0;
}

int tinytab_frame_loan(const tinytab *tt, uint32_t depth, uint32_t i,
                       uint32_t *table, uint32_t *handle)
{
    if (depth >= tt->nframes || i >= tinytab_frame_loans(tt, depth))
        return -1;
    const loan *l = &tt->loans[tt->frames[depth].first_loan + i];
    *table = l->table;
    *handle = l->handle;
    return 0;
}

/* ---- integrity check: SEMANTICS.md's invariants, by number --------------- */

static int broken(char *msg, size_t msg_size, int number, const char *what,
                  uint32_t a, uint32_t b)
{
    if (msg_size > 0)
        snprintf(msg, msg_size, "tinytab invariant %d: %s (%u, %u)", number,
                 what, (unsigned)a, (unsigned)b);
    return number;
}

/* The live own entry a loan names, or NULL. */
static const entry *lender(const tinytab *tt, const loan *l)
{
    if (l->table > tt->instances || l->handle == 0 ||
        l->handle > tt->tables[l->table].len)
        return NULL;
    const entry *e = &tt->tables[l->table].entries[l->handle - 1];
    return e->kind == E_OWN ? e : NULL;
}

int tinytab_check(const tinytab *tt, char *msg, size_t msg_size)
{
    /* 1: the free stack holds each free handle once (a free entry knows its
       position on it, so a handle listed twice shows as a mismatch). */
    for (uint32_t ti = 0; ti <= tt->instances; ti++) {
        const slot_table *t = &tt->tables[ti];
        uint32_t free_entries = 0;
        for (uint32_t h = 1; h <= t->len; h++)
            free_entries += t->entries[h - 1].kind == E_FREE;
        if (free_entries != t->nfree || t->nfree > t->free_cap)
            return broken(msg, msg_size, 1, "free entries vs free stack height",
                          free_entries, t->nfree);
        for (uint32_t p = 0; p < t->nfree; p++) {
            uint32_t h = t->free[p];
            if (h == 0 || h > t->len || t->entries[h - 1].kind != E_FREE ||
                t->entries[h - 1].aux != p)
                return broken(msg, msg_size, 1,
                              "free stack names a live or repeated handle "
                              "(table, handle)",
                              ti, h);
        }
    }
    /* 2: each own's lends equals the records naming it. Every record of a
       live own is counted against its entry, and the totals must agree, so
       no entry has lends without records either. */
    uint64_t lends = 0, named = 0;
    for (uint32_t ti = 0; ti <= tt->instances; ti++)
        for (uint32_t h = 1; h <= tt->tables[ti].len; h++)
            if (tt->tables[ti].entries[h - 1].kind == E_OWN)
                lends += tt->tables[ti].entries[h - 1].aux;
    for (uint32_t i = 0; i < tt->nloans; i++) {
        const loan *l = &tt->loans[i];
        const entry *e = lender(tt, l);
        if (e == NULL)
            continue; /* invariant 5 */
        named++;
        uint32_t same = 0;
        for (uint32_t j = 0; j < tt->nloans; j++)
            same += tt->loans[j].table == l->table &&
                    tt->loans[j].handle == l->handle;
        if (same != e->aux)
            return broken(
                msg, msg_size, 2,
                "lends differ from the records naming the own (table, handle)",
                l->table, l->handle);
    }
    if (lends != named)
        return broken(msg, msg_size, 2, "total lends vs lender records",
                      (uint32_t)lends, (uint32_t)named);
    /* 3 and 4: borrow counts, and every borrow in a live frame. */
    for (uint32_t ti = 0; ti <= tt->instances; ti++)
        for (uint32_t h = 1; h <= tt->tables[ti].len; h++) {
            const entry *e = &tt->tables[ti].entries[h - 1];
            if (e->kind == E_BORROW && e->aux >= tt->nframes)
                return broken(msg, msg_size, 4,
                              "borrow of a frame that is gone (table, handle)",
                              ti, h);
        }
    for (uint32_t d = 0; d < tt->nframes; d++) {
        uint32_t count = 0;
        for (uint32_t ti = 0; ti <= tt->instances; ti++)
            for (uint32_t h = 1; h <= tt->tables[ti].len; h++) {
                const entry *e = &tt->tables[ti].entries[h - 1];
                count += e->kind == E_BORROW && e->aux == d;
            }
        if (count != tt->frames[d].borrows)
            return broken(msg, msg_size, 3,
                          "frame's borrow count vs its borrows (depth, count)",
                          d, tt->frames[d].borrows);
    }
    /* 5: records name live owns, and the frames' record ranges nest. */
    for (uint32_t d = 0; d < tt->nframes; d++)
        if ((d == 0 && tt->frames[0].first_loan != 0) ||
            tt->frames[d].first_loan > loans_end(tt, d))
            return broken(msg, msg_size, 5,
                          "frame's records out of order (depth, first)", d,
                          tt->frames[d].first_loan);
    if (tt->nframes == 0 && tt->nloans > 0)
        return broken(msg, msg_size, 5, "lender records without a frame",
                      tt->nloans, 0);
    for (uint32_t i = 0; i < tt->nloans; i++)
        if (lender(tt, &tt->loans[i]) == NULL)
            return broken(msg, msg_size, 5,
                          "record names no live own (table, handle)",
                          tt->loans[i].table, tt->loans[i].handle);
    /* 6: the limit, and entries in the tables their resources belong to. */
    for (uint32_t ti = 0; ti <= tt->instances; ti++) {
        const slot_table *t = &tt->tables[ti];
        if (t->len > 0 && t->len >= tt->limit)
            return broken(msg, msg_size, 6,
                          "handle at or past the limit (table, handle)", ti,
                          t->len);
        for (uint32_t h = 1; h <= t->len; h++) {
            const entry *e = &t->entries[h - 1];
            if (e->kind == E_FREE)
                continue;
            int home = ti == tt->instances
                           ? e->resource == RT_HOST
                           : e->resource < tt->types &&
                                 tt->type_table[e->resource] == ti;
            if (!home)
                return broken(msg, msg_size, 6,
                              "entry in the wrong table (table, handle)", ti,
                              h);
        }
    }
    return 0;
}
