/*
 * Read-only access: the integrity checker, the state dump and the
 * observation API. Nothing here allocates or changes the table set.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Observation ------------------------------------------------------ */

restab_semantics restab_semantics_of(const restab_tables *t)
{
    return t != NULL && restab__spec(t) ? RESTAB_SEMANTICS_SPEC
                                        : RESTAB_SEMANTICS_WASMTIME35;
}

uint32_t restab_table_count(const restab_tables *t)
{
    return t == NULL ? 0 : t->instances + 1;
}

uint32_t restab_table_of(const restab_tables *t, restab_resource resource)
{
    if (t == NULL)
        return UINT32_MAX;
    if (resource == RESTAB_HOST)
        return t->instances;
    return resource < t->types ? t->type_instance[resource] : UINT32_MAX;
}

static const restab__table *table_at(const restab_tables *t, uint32_t table)
{
    return t == NULL || table > t->instances ? NULL : &t->tables[table];
}

uint32_t restab_table_size(const restab_tables *t, uint32_t table)
{
    const restab__table *tab = table_at(t, table);
    return tab == NULL ? 0 : tab->len;
}

uint32_t restab_table_next(const restab_tables *t, uint32_t table)
{
    const restab__table *tab = table_at(t, table);
    if (tab == NULL)
        return 0;
    return (tab->free_head != RESTAB__NIL ? tab->free_head : tab->len) + 1;
}

int restab_table_slot(const restab_tables *t, uint32_t table, uint32_t handle,
                      restab_slot_info *out)
{
    const restab__table *tab = table_at(t, table);
    if (tab == NULL || out == NULL || handle == 0 || handle > tab->len)
        return -1;
    const restab__slot *slot = &tab->slots[handle - 1];
    restab_slot_info info = {RESTAB_SLOT_FREE, 0, 0, 0, 0};
    switch (restab__tag_kind(slot->tag)) {
    case RESTAB__KIND_OWN:
        info.kind = RESTAB_SLOT_OWN;
        info.lends = slot->aux;
        break;
    case RESTAB__KIND_BORROW:
        info.kind = RESTAB_SLOT_BORROW;
        info.scope = slot->aux;
        info.lends = restab__lends(tab, handle - 1);
        break;
    default:
        *out = info;
        return 0;
    }
    info.resource = restab__resource_of(restab__tag_code(slot->tag));
    info.rep = slot->rep;
    *out = info;
    return 0;
}

uint32_t restab_scope_count(const restab_tables *t)
{
    return t == NULL ? 0 : t->scope_len;
}

uint32_t restab_scope_borrow_count(const restab_tables *t, uint32_t depth)
{
    return t == NULL || depth >= t->scope_len ? 0
                                              : t->scopes[depth].borrow_count;
}

uint32_t restab_scope_lender_count(const restab_tables *t, uint32_t depth)
{
    if (t == NULL || depth >= t->scope_len)
        return 0;
    uint32_t first, end;
    restab__scope_lenders(t, depth, &first, &end);
    return end - first;
}

int restab_scope_lender(const restab_tables *t, uint32_t depth, uint32_t i,
                        uint32_t *table, uint32_t *handle)
{
    if (t == NULL || table == NULL || handle == NULL || depth >= t->scope_len)
        return -1;
    uint32_t first, end;
    restab__scope_lenders(t, depth, &first, &end);
    if (i >= end - first)
        return -1;
    *table = t->lenders[first + i].table;
    *handle = t->lenders[first + i].handle;
    return 0;
}

/* ---- Integrity check -------------------------------------------------- */

/* Writes the failure message and returns the invariant's number. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int broken(char *msg, size_t msg_size, int invariant, const char *fmt,
                  ...)
{
    if (msg != NULL && msg_size > 0) {
        int n = snprintf(msg, msg_size, "invariant %d: ", invariant);
        if (n >= 0 && (size_t)n < msg_size) {
            va_list args;
            va_start(args, fmt);
            vsnprintf(msg + n, msg_size - (size_t)n, fmt, args);
            va_end(args);
        }
    }
    return invariant;
}

/* Borrow counts are compared a chunk of scopes at a time, so the check is
   linear for all but very deep stacks and still allocates nothing. */
enum { CHUNK = 64 };

/*
 * What restab_check's one walk over every slot finds for the invariants it
 * reports after the free lists, in its order: each keeps the first
 * offending slot in table and handle order, which is the one a walk per
 * invariant would name.
 */
typedef struct slot_walk {
    uint64_t lends;          /* own entries' lends (spec: borrows' too) */
    uint32_t borrows[CHUNK]; /* borrow entries of scopes 0 .. CHUNK-1 */
    /* Invariant 4: the first borrow of a scope that is not active. */
    int dead;
    uint32_t dead_table, dead_handle, dead_scope;
    /* Invariant 6: 1, a table that reached the limit (mis_value its size);
       2, an entry in another table's place (mis_value its handle). */
    int misplaced;
    uint32_t mis_table, mis_value, mis_code;
} slot_walk;

/* Whether an entry of resource code `code` belongs in `table`. */
static int in_place(const restab_tables *t, uint32_t table, uint32_t code)
{
    return table == t->instances
               ? code == RESTAB__HOST_CODE
               : code < t->types && t->type_instance[code] == table;
}

/*
 * Invariant 1 for one table: every free slot is on the free list once,
 * nothing else is. On the way, what the later invariants need (slot_walk).
 */
static int walk_table(const restab_tables *t, uint32_t table, slot_walk *w,
                      char *msg, size_t msg_size)
{
    const restab__table *tab = &t->tables[table];
    if (!w->misplaced && tab->len > 0 && tab->len >= t->limit) {
        w->misplaced = 1;
        w->mis_table = table;
        w->mis_value = tab->len;
    }
    uint32_t free_slots = 0;
    for (uint32_t i = 0; i < tab->len; i++) {
        const restab__slot *slot = &tab->slots[i];
        uint32_t kind = restab__tag_kind(slot->tag);
        if (kind == RESTAB__KIND_FREE) {
            free_slots++;
            continue;
        }
        if (kind != RESTAB__KIND_OWN && kind != RESTAB__KIND_BORROW)
            return broken(msg, msg_size, 1,
                          "table %u handle %u has an unknown slot kind %u",
                          table, i + 1, kind);
        uint32_t code = restab__tag_code(slot->tag);
        if (!w->misplaced && !in_place(t, table, code)) {
            w->misplaced = 2;
            w->mis_table = table;
            w->mis_value = i + 1;
            w->mis_code = code;
        }
        if (kind == RESTAB__KIND_OWN) {
            w->lends += slot->aux;
            continue;
        }
        /* Within the side array even in a broken state (invariant 2 checks
           that it covers every slot). */
        if (tab->borrow_lends != NULL && i < tab->lends_cap)
            w->lends += tab->borrow_lends[i];
        if (slot->aux >= t->scope_len) {
            if (!w->dead) {
                w->dead = 1;
                w->dead_table = table;
                w->dead_handle = i + 1;
                w->dead_scope = slot->aux;
            }
        } else if (slot->aux < CHUNK) {
            w->borrows[slot->aux]++;
        }
    }
    /* Exactly free_slots steps, each onto a free slot, then the end: a
       repeated slot would make a cycle that never reaches the end. */
    uint32_t at = tab->free_head;
    for (uint32_t step = 0; step < free_slots; step++) {
        if (at == RESTAB__NIL)
            return broken(msg, msg_size, 1,
                          "table %u: the free list has %u slots but %u are free",
                          table, step, free_slots);
        if (at >= tab->len)
            return broken(msg, msg_size, 1,
                          "table %u: the free list points past the end (%u)",
                          table, at + 1);
        if (restab__tag_kind(tab->slots[at].tag) != RESTAB__KIND_FREE)
            return broken(msg, msg_size, 1,
                          "table %u: the free list holds live handle %u",
                          table, at + 1);
        at = tab->slots[at].aux;
    }
    if (at != RESTAB__NIL)
        return broken(msg, msg_size, 1,
                      "table %u: the free list is longer than the %u free "
                      "slots (a cycle or a live slot)",
                      table, free_slots);
    return 0;
}

/* Invariant 6: handles below the limit, entries in their own table. */
static int check_placement(const slot_walk *w, const restab_tables *t,
                           char *msg, size_t msg_size)
{
    if (w->misplaced == 1)
        return broken(msg, msg_size, 6,
                      "table %u holds handle %u, not below the limit %u",
                      w->mis_table, w->mis_value, t->limit);
    if (w->misplaced == 2)
        return broken(msg, msg_size, 6,
                      "table %u handle %u holds resource code %u, which "
                      "belongs to another table",
                      w->mis_table, w->mis_value, w->mis_code);
    return 0;
}

/* Invariants 3 and 4: borrow entries against their scopes. */
static int check_borrows(const restab_tables *t, const slot_walk *w,
                         char *msg, size_t msg_size)
{
    if (w->dead)
        return broken(msg, msg_size, 4,
                      "table %u borrow handle %u belongs to scope %u "
                      "but only %u scopes are active",
                      w->dead_table, w->dead_handle, w->dead_scope,
                      t->scope_len);
    /* The first chunk was counted by the walk; deeper ones take a walk of
       their own each. */
    uint32_t deeper[CHUNK];
    for (uint32_t base = 0; base < t->scope_len; base += CHUNK) {
        uint32_t span = t->scope_len - base < CHUNK ? t->scope_len - base : CHUNK;
        const uint32_t *borrows = w->borrows;
        if (base > 0) {
            memset(deeper, 0, sizeof deeper);
            for (uint32_t table = 0; table <= t->instances; table++) {
                const restab__table *tab = &t->tables[table];
                for (uint32_t i = 0; i < tab->len; i++) {
                    const restab__slot *slot = &tab->slots[i];
                    if (restab__tag_kind(slot->tag) == RESTAB__KIND_BORROW &&
                        slot->aux >= base && slot->aux - base < span)
                        deeper[slot->aux - base]++;
                }
            }
            borrows = deeper;
        }
        for (uint32_t k = 0; k < span; k++) {
            if (borrows[k] != t->scopes[base + k].borrow_count)
                return broken(msg, msg_size, 3,
                              "scope %u has borrow count %u but %u borrow "
                              "entries",
                              base + k, t->scopes[base + k].borrow_count,
                              borrows[k]);
        }
    }
    return 0;
}

/*
 * The slot a lender record names, or NULL when it names none that may be
 * lent: an own entry, or in the spec profile a borrow entry too.
 */
static const restab__slot *lender_slot(const restab_tables *t,
                                       const restab__lender *lender)
{
    if (lender->table > t->instances)
        return NULL;
    const restab__table *tab = &t->tables[lender->table];
    if (lender->handle == 0 || lender->handle > tab->len)
        return NULL;
    const restab__slot *slot = &tab->slots[lender->handle - 1];
    uint32_t kind = restab__tag_kind(slot->tag);
    int lendable = kind == RESTAB__KIND_OWN ||
                   (kind == RESTAB__KIND_BORROW && restab__spec(t));
    return lendable ? slot : NULL;
}

/* The lend count of the entry a lender record names (lender_slot's). */
static uint32_t lender_lends(const restab_tables *t,
                             const restab__lender *lender)
{
    assert(lender_slot(t, lender) != NULL);
    return restab__lends(&t->tables[lender->table], lender->handle - 1);
}

static int lends_mismatch(const restab_tables *t, char *msg, size_t msg_size,
                          const restab__lender *lender, uint32_t lends,
                          uint32_t naming)
{
    const restab__slot *slot = lender_slot(t, lender);
    return broken(msg, msg_size, 2,
                  "table %u %s handle %u has lends %u but %u lender records "
                  "name it",
                  lender->table,
                  restab__tag_kind(slot->tag) == RESTAB__KIND_OWN ? "own"
                                                                  : "borrow",
                  lender->handle, lends, naming);
}

/*
 * Invariant 2: count the records naming each entry in an open-addressing
 * table on the stack, without allocating. The table holds the entries of
 * TALLY_MAX records at a time, and each batch counts over every record: one
 * pass for up to TALLY_MAX records, ceil(records / TALLY_MAX) passes beyond.
 * Every record names a lendable entry (checked before).
 */
enum { TALLY_SIZE = 1024, TALLY_MAX = TALLY_SIZE / 2 };

typedef struct lend_tally {
    restab__lender key;
    uint32_t count; /* 0: empty; else 1 + the records counted */
} lend_tally;

/* The tally slot of key: its own, or the empty one where it belongs. */
static lend_tally *tally_slot(lend_tally *tally, uint32_t size,
                              const restab__lender *key)
{
    uint32_t at =
        (uint32_t)(((uint64_t)key->table * 0x9e3779b1U) ^ key->handle) &
        (size - 1);
    while (tally[at].count > 0 && (tally[at].key.table != key->table ||
                                   tally[at].key.handle != key->handle))
        at = (at + 1) & (size - 1);
    return &tally[at];
}

static int check_lends_tallied(const restab_tables *t, char *msg,
                               size_t msg_size)
{
    lend_tally tally[TALLY_SIZE];
    for (uint32_t first = 0; first < t->lender_len; first += TALLY_MAX) {
        uint32_t batch = t->lender_len - first < TALLY_MAX
                             ? t->lender_len - first
                             : TALLY_MAX;
        /* A power of two at least twice the batch, so the table stays
           sparse and only that much of it is cleared. */
        uint32_t size = 16;
        while (size < 2 * batch)
            size *= 2;
        memset(tally, 0, size * sizeof *tally);
        for (uint32_t r = first; r < first + batch; r++) {
            lend_tally *slot = tally_slot(tally, size, &t->lenders[r]);
            slot->key = t->lenders[r];
            slot->count = 1;
        }
        for (uint32_t r = 0; r < t->lender_len; r++) {
            lend_tally *slot = tally_slot(tally, size, &t->lenders[r]);
            slot->count += slot->count > 0;
        }
        for (uint32_t at = 0; at < size; at++) {
            if (tally[at].count == 0)
                continue;
            uint32_t lends = lender_lends(t, &tally[at].key);
            if (lends != tally[at].count - 1)
                return lends_mismatch(t, msg, msg_size, &tally[at].key, lends,
                                      tally[at].count - 1);
        }
    }
    return 0;
}

/*
 * Part of invariant 2 (spec profile): the side array of borrow lend counts
 * covers every allocated slot and holds 0 for every slot that is not a
 * borrow (which the inserts rely on). The wasmtime profile has none (and
 * never reads one).
 */
static int check_borrow_lends(const restab_tables *t, uint32_t table,
                              char *msg, size_t msg_size)
{
    const restab__table *tab = &t->tables[table];
    if (!restab__spec(t))
        return 0;
    if (tab->cap > 0 && (tab->borrow_lends == NULL || tab->lends_cap < tab->cap))
        return broken(msg, msg_size, 2,
                      "table %u has borrow lend counts for %u slots, fewer "
                      "than its %u",
                      table, tab->lends_cap, tab->cap);
    for (uint32_t i = 0; i < tab->lends_cap; i++) {
        int borrow = i < tab->len && restab__tag_kind(tab->slots[i].tag) ==
                                         RESTAB__KIND_BORROW;
        if (!borrow && tab->borrow_lends[i] != 0)
            return broken(msg, msg_size, 2,
                          "table %u slot %u is not a borrow but has borrow "
                          "lends %u",
                          table, i + 1, tab->borrow_lends[i]);
    }
    return 0;
}

/* Invariants 2 and 5: lend counts against lender records. */
static int check_lenders(const restab_tables *t, uint64_t lends, char *msg,
                         size_t msg_size)
{
    uint32_t previous = 0;
    for (uint32_t depth = 0; depth < t->scope_len; depth++) {
        uint32_t first = t->scopes[depth].first_lender;
        if (first < previous || first > t->lender_len)
            return broken(msg, msg_size, 5,
                          "scope %u's lender records start at %u, out of "
                          "order (%u records in all)",
                          depth, first, t->lender_len);
        previous = first;
    }
    if (t->lender_len > 0 && (t->scope_len == 0 || t->scopes[0].first_lender))
        return broken(msg, msg_size, 5,
                      "%u lender records belong to no scope", t->lender_len);

    uint64_t records = 0;
    for (uint32_t r = 0; r < t->lender_len; r++) {
        const restab__lender *lender = &t->lenders[r];
        if (lender_slot(t, lender) == NULL)
            return broken(msg, msg_size, 5,
                          "lender record %u names table %u handle %u, which is "
                          "not a live %sentry",
                          r, lender->table, lender->handle,
                          restab__spec(t) ? "" : "own ");
        records++;
    }
    /* The side arrays first: the tallies read them. */
    for (uint32_t table = 0; table <= t->instances; table++) {
        int failed = check_borrow_lends(t, table, msg, msg_size);
        if (failed)
            return failed;
    }
    int failed = records == 0 ? 0 : check_lends_tallied(t, msg, msg_size);
    if (failed)
        return failed;
    /* Every named entry matched; the rest must have no lends at all
       (`lends`: the sum over every entry, from restab_check's walk). */
    if (lends != records)
        return broken(msg, msg_size, 2,
                      "%s entries hold %llu lends in all but there are %llu "
                      "lender records",
                      restab__spec(t) ? "own and borrow" : "own",
                      (unsigned long long)lends, (unsigned long long)records);
    return 0;
}

/*
 * Invariant 7 (spec profile): a lender record of the scope at depth d names
 * an own entry or a borrow entry of a scope at depth <= d. Runs after
 * invariants 2 and 5, so every record names a lendable entry.
 */
static int check_lender_depths(const restab_tables *t, char *msg,
                               size_t msg_size)
{
    for (uint32_t depth = 0; depth < t->scope_len; depth++) {
        uint32_t first, end;
        restab__scope_lenders(t, depth, &first, &end);
        for (uint32_t r = first; r < end; r++) {
            const restab__slot *slot = lender_slot(t, &t->lenders[r]);
            assert(slot != NULL);
            if (restab__tag_kind(slot->tag) == RESTAB__KIND_BORROW &&
                slot->aux > depth)
                return broken(msg, msg_size, 7,
                              "lender record %u of scope %u names table %u "
                              "borrow handle %u of the deeper scope %u",
                              r, depth, t->lenders[r].table,
                              t->lenders[r].handle, slot->aux);
        }
    }
    return 0;
}

int restab_check(const restab_tables *t, char *msg, size_t msg_size)
{
    if (msg != NULL && msg_size > 0)
        msg[0] = '\0';
    if (t == NULL)
        return broken(msg, msg_size, 1, "the table set is NULL");
    /* One walk over every slot checks invariant 1 and gathers what the
       others need; they are then reported in their order. */
    slot_walk walk;
    memset(&walk, 0, sizeof walk);
    int failed = 0;
    for (uint32_t table = 0; table <= t->instances && !failed; table++)
        failed = walk_table(t, table, &walk, msg, msg_size);
    if (!failed)
        failed = check_lenders(t, walk.lends, msg, msg_size);
    if (!failed)
        failed = check_borrows(t, &walk, msg, msg_size);
    if (!failed)
        failed = check_placement(&walk, t, msg, msg_size);
    if (!failed && restab__spec(t))
        failed = check_lender_depths(t, msg, msg_size);
    return failed;
}

/* ---- Dump ------------------------------------------------------------- */

/*
 * The dump is assembled a line (or, for a scope's lender records, a piece)
 * at a time in a buffer on the stack and handed to the write callback, with
 * a hand-written decimal writer instead of printf: the harness dumps every
 * final state, and the printf family (re-parsing each format, under ASan
 * intercepted as well) cost more than everything else it checks.
 */
enum { DUMP_LINE = 160 }; /* longer than any line: the longest is ~105 */

typedef struct dump_out {
    restab_write_fn write;
    void *user;
    size_t len;
    char line[DUMP_LINE];
} dump_out;

static void put(dump_out *out, const char *text)
{
    size_t n = strlen(text);
    assert(out->len + n <= sizeof out->line);
    memcpy(out->line + out->len, text, n);
    out->len += n;
}

static void put_u32(dump_out *out, uint32_t value)
{
    char digits[10];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    assert(out->len + n <= sizeof out->line);
    while (n != 0)
        out->line[out->len++] = digits[--n];
}

/* Hands what was put so far to the callback. */
static void flush(dump_out *out)
{
    out->write(out->user, out->line, out->len);
    out->len = 0;
}

static void put_resource(dump_out *out, uint32_t code)
{
    if (code == RESTAB__HOST_CODE) {
        put(out, "host");
        return;
    }
    put(out, "t");
    put_u32(out, code);
}

static void dump_table(const restab_tables *t, uint32_t table, dump_out *out)
{
    const restab__table *tab = &t->tables[table];
    put(out, "table ");
    put_u32(out, table);
    if (table == t->instances) {
        put(out, " (host): ");
    } else {
        put(out, " (instance ");
        put_u32(out, table);
        put(out, "): ");
    }
    put_u32(out, tab->len);
    put(out, " slots, next handle ");
    put_u32(out, restab_table_next(t, table));
    put(out, "\n");
    flush(out);
    for (uint32_t i = 0; i < tab->len; i++) {
        const restab__slot *slot = &tab->slots[i];
        uint32_t kind = restab__tag_kind(slot->tag);
        put(out, "  ");
        put_u32(out, i + 1);
        if (kind == RESTAB__KIND_FREE && slot->aux == RESTAB__NIL) {
            put(out, ": free (last)\n");
        } else if (kind == RESTAB__KIND_FREE) {
            put(out, ": free -> ");
            put_u32(out, slot->aux + 1);
            put(out, "\n");
        } else {
            put(out, kind == RESTAB__KIND_OWN ? ": own " : ": borrow ");
            put_resource(out, restab__tag_code(slot->tag));
            put(out, " rep ");
            put_u32(out, slot->rep);
            if (kind != RESTAB__KIND_OWN) { /* a borrow, or a broken kind */
                put(out, " scope ");
                put_u32(out, slot->aux);
            }
            if (kind == RESTAB__KIND_OWN) {
                put(out, " lends ");
                put_u32(out, slot->aux);
            } else if (restab__spec(t)) {
                /* Within the side array even in a broken state. */
                put(out, " lends ");
                put_u32(out, i < tab->lends_cap ? tab->borrow_lends[i] : 0);
            }
            put(out, "\n");
        }
        flush(out);
    }
}

void restab_dump(const restab_tables *t, restab_write_fn write, void *user)
{
    if (t == NULL || write == NULL)
        return;
    dump_out out;
    out.write = write;
    out.user = user;
    out.len = 0;
    put(&out, "restab: ");
    put_u32(&out, t->instances);
    put(&out, " instances, ");
    put_u32(&out, t->types);
    put(&out, " types, limit ");
    put_u32(&out, t->limit);
    put(&out, ", max lends ");
    put_u32(&out, t->max_lends);
    put(&out, restab__spec(t) ? ", semantics spec\n" : "\n");
    flush(&out);
    for (uint32_t ty = 0; ty < t->types; ty++) {
        put(&out, "  t");
        put_u32(&out, ty);
        put(&out, " in instance ");
        put_u32(&out, t->type_instance[ty]);
        put(&out, "\n");
        flush(&out);
    }
    for (uint32_t table = 0; table <= t->instances; table++)
        dump_table(t, table, &out);
    put(&out, "scopes: ");
    put_u32(&out, t->scope_len);
    put(&out, "\n");
    flush(&out);
    for (uint32_t depth = 0; depth < t->scope_len; depth++) {
        uint32_t first, end;
        restab__scope_lenders(t, depth, &first, &end);
        /* The dump serves debugging, broken states included: stay within
           the records that exist. */
        end = end < t->lender_len ? end : t->lender_len;
        first = first < end ? first : end;
        put(&out, "  scope ");
        put_u32(&out, depth);
        put(&out, ": borrow count ");
        put_u32(&out, t->scopes[depth].borrow_count);
        put(&out, ", lenders:");
        flush(&out);
        /* One piece per record: a scope may have any number. */
        for (uint32_t i = first; i < end; i++) {
            put(&out, " ");
            put_u32(&out, t->lenders[i].table);
            put(&out, "/");
            put_u32(&out, t->lenders[i].handle);
            flush(&out);
        }
        put(&out, first == end ? " none\n" : "\n");
        flush(&out);
    }
}
