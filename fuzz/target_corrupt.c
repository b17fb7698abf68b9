/*
 * restab_corrupt: checks the integrity checker. Each input runs a program on
 * restab, breaks the resulting state in one place through lib/src/internal.h,
 * and requires restab_check() to report exactly the invariant that the damage
 * breaks first (docs/semantics.md numbers them 1..7), with a message that
 * names it. This is what reaches the checker's failure paths: no sequence of
 * operations on a correct library can.
 *
 * Input: the prefix of harness/prefix.h (`corrupt NAME VICTIM`): byte 0
 * chooses the corruption (fuzz/corruptions.h), byte 1 the victim among the
 * entries, records,
 * scopes or free-list links the corruption applies to (modulo their number),
 * and the rest is a restab_ops input (fuzz/FORMAT.md). The program is decoded
 * against the oracle and replayed on restab; the final state must pass the
 * checker; then one corruption is applied, checked, dumped (the dump must
 * still list each scope's lender records, within those that exist) and
 * undone before the table set is destroyed. A corruption the final state has
 * no victim for (lends-minus without an own that is lent out, say) makes the
 * input a no-op.
 */
#include "api_probe.h"
#include "corruptions.h"
#include "decode.h"
#include "impl_restab.h"
#include "oracle.h"
#include "text_buffer.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- The corruptions ---------------------------------------------------- */

/* CORRUPT_MAP: fuzz/corruptions.h. The expected invariant is worked out
   per victim in corrupt(); the comment there says why. */
typedef enum corruption {
#define CORRUPT_ENUM_(name, word, text) CORRUPT_##name,
    CORRUPT_MAP(CORRUPT_ENUM_)
#undef CORRUPT_ENUM_
        CORRUPT_COUNT
} corruption;

static const char *const corrupt_names[] = {
#define CORRUPT_NAME_(name, word, text) word,
    CORRUPT_MAP(CORRUPT_NAME_)
#undef CORRUPT_NAME_
};

static const char *const corrupt_texts[] = {
#define CORRUPT_TEXT_(name, word, text) text,
    CORRUPT_MAP(CORRUPT_TEXT_)
#undef CORRUPT_TEXT_
};

/* ---- Patches: every corruption writes at most four words ---------------- */

typedef struct patch {
    uint32_t *at[4];
    uint32_t old[4];
    unsigned count;
    char what[160]; /* the victim, for reports */
    char names[128]; /* when set: text the checker's message must contain */
} patch;

static void patch_set(patch *p, uint32_t *at, uint32_t value)
{
    p->at[p->count] = at;
    p->old[p->count] = *at;
    p->count++;
    *at = value;
}

static void patch_undo(patch *p)
{
    while (p->count > 0) {
        p->count--;
        *p->at[p->count] = p->old[p->count];
    }
}

/* ---- Choosing a victim -------------------------------------------------- */

typedef enum slot_filter {
    ANY_SLOT,
    LIVE_SLOT,
    FREE_SLOT,
    OWN_SLOT,
    OWN_LENT,      /* own with lends > 0 */
    OWN_LENDABLE,  /* own with lends < UINT32_MAX */
    BORROW_SLOT,
    BORROW_LENT,   /* spec: borrow with lends > 0 */
    NOT_BORROW     /* free or own */
} slot_filter;

static int slot_matches(const restab_tables *t, uint32_t table,
                        const restab__slot *slot, slot_filter filter)
{
    uint32_t kind = restab__tag_kind(slot->tag);
    const restab__table *tab = &t->tables[table];
    switch (filter) {
    case ANY_SLOT:
        return 1;
    case LIVE_SLOT:
        return kind != RESTAB__KIND_FREE;
    case FREE_SLOT:
        return kind == RESTAB__KIND_FREE;
    case OWN_SLOT:
        return kind == RESTAB__KIND_OWN;
    case OWN_LENT:
        return kind == RESTAB__KIND_OWN && slot->aux > 0;
    case OWN_LENDABLE:
        return kind == RESTAB__KIND_OWN && slot->aux < UINT32_MAX;
    case BORROW_SLOT:
        return kind == RESTAB__KIND_BORROW;
    case BORROW_LENT:
        return kind == RESTAB__KIND_BORROW &&
               restab__lends(tab, (uint32_t)(slot - tab->slots)) > 0;
    case NOT_BORROW:
        return kind != RESTAB__KIND_BORROW;
    }
    return 0;
}

/* The pick-th (modulo their number) slot that passes filter, skipping the
   slot `except` (NULL: none). 0 and *table, *index set; -1 when none. */
static int pick_slot(const restab_tables *t, slot_filter filter,
                     const restab__slot *except, uint32_t pick,
                     uint32_t *table, uint32_t *index)
{
    uint32_t count = 0;
    for (uint32_t tb = 0; tb <= t->instances; tb++) {
        const restab__table *tab = &t->tables[tb];
        for (uint32_t i = 0; i < tab->len; i++) {
            if (&tab->slots[i] != except &&
                slot_matches(t, tb, &tab->slots[i], filter))
                count++;
        }
    }
    if (count == 0)
        return -1;
    uint32_t want = pick % count;
    for (uint32_t tb = 0; tb <= t->instances; tb++) {
        const restab__table *tab = &t->tables[tb];
        for (uint32_t i = 0; i < tab->len; i++) {
            if (&tab->slots[i] == except ||
                !slot_matches(t, tb, &tab->slots[i], filter))
                continue;
            if (want == 0) {
                *table = tb;
                *index = i;
                return 0;
            }
            want--;
        }
    }
    return -1;
}

/*
 * Free-list links: per table, link 0 is free_head and link j (1..F) is the
 * aux of the j-th free slot on the list; link F holds RESTAB__NIL.
 */
typedef enum link_filter {
    ALL_LINKS,     /* 0 .. F */
    LIVE_LINKS,    /* 0 .. F-1: links that point at a free slot */
    SLOT_LINKS     /* 1 .. F: links stored in a free slot */
} link_filter;

typedef struct link_pick {
    uint32_t table;
    uint32_t position; /* j */
    uint32_t *link;
    uint32_t owner;    /* SLOT_LINKS: the index of the slot holding it */
} link_pick;

/* The number of free slots of a table (its free list is well formed). */
static uint32_t free_count(const restab__table *tab)
{
    uint32_t n = 0;
    for (uint32_t at = tab->free_head; at != RESTAB__NIL; at = tab->slots[at].aux)
        n++;
    return n;
}

static uint32_t links_of(uint32_t free_slots, link_filter filter)
{
    return filter == ALL_LINKS ? free_slots + 1 : free_slots;
}

static int pick_link(restab_tables *t, link_filter filter, uint32_t pick,
                     link_pick *out)
{
    uint64_t count = 0;
    for (uint32_t tb = 0; tb <= t->instances; tb++)
        count += links_of(free_count(&t->tables[tb]), filter);
    if (count == 0)
        return -1;
    uint64_t want = pick % count;
    for (uint32_t tb = 0; tb <= t->instances; tb++) {
        restab__table *tab = &t->tables[tb];
        uint32_t n = links_of(free_count(tab), filter);
        if (want >= n) {
            want -= n;
            continue;
        }
        /* Walk to link number `position`. */
        uint32_t position = (uint32_t)want + (filter == SLOT_LINKS ? 1u : 0u);
        uint32_t *link = &tab->free_head;
        uint32_t owner = RESTAB__NIL;
        for (uint32_t j = 0; j < position; j++) {
            owner = *link;
            link = &tab->slots[owner].aux;
        }
        out->table = tb;
        out->position = position;
        out->link = link;
        out->owner = owner;
        return 0;
    }
    return -1;
}

/* The number of lender records naming table/handle. */
static uint32_t records_naming(const restab_tables *t, uint32_t table,
                               uint32_t handle)
{
    uint32_t n = 0;
    for (uint32_t r = 0; r < t->lender_len; r++) {
        if (t->lenders[r].table == table && t->lenders[r].handle == handle)
            n++;
    }
    return n;
}

/* ---- Applying one corruption -------------------------------------------- */

#define WHAT(...) snprintf(p->what, sizeof p->what, __VA_ARGS__)
/* For a victim the checker must find by itself: its sentence names it. */
#define NAMES(...) snprintf(p->names, sizeof p->names, __VA_ARGS__)
/* The checker's sentences for invariant 5 (lib/src/observe.c). */
#define OUT_OF_ORDER                                                           \
    "scope %u's lender records start at %u, out of order (%u records in all)"
#define NO_SCOPE "%u lender records belong to no scope"
/* Invariant 5's sentence for a record naming no lendable entry: "own " in
   the wasmtime profile, nothing in the spec profile (borrows lend too). */
#define NOT_LIVE                                                               \
    "lender record %u names table %u handle %u, which is not a live %sentry"
#define LIVE_KIND(t) (restab__spec(t) ? "" : "own ")
/* Invariant 2's sentence for a side-array entry that must be 0. */
#define SIDE_NOT_BORROW                                                        \
    "table %u slot %u is not a borrow but has borrow lends %u"

/*
 * Applies corruption c to the victim `pick` chooses and returns the invariant
 * restab_check must then report, or 0 (nothing changed) when the state has no
 * victim for it. Each case says why that invariant is the first to break:
 * the checker runs invariant 1 on every table, then 5 and 2 (lender records
 * against scopes, then against lend counts), then 4 and 3 (borrow entries
 * against scopes), then 6 on every table, and returns the first failure.
 */
static int corrupt(restab_tables *t, corruption c, uint32_t pick, patch *p)
{
    uint32_t tb, i;
    link_pick lp;
    switch (c) {
    case CORRUPT_KIND_UNKNOWN: {
        /* The free-list check rejects an unknown kind before walking. */
        if (pick_slot(t, ANY_SLOT, NULL, pick, &tb, &i) != 0)
            return 0;
        restab__slot *slot = &t->tables[tb].slots[i];
        WHAT("table %u handle %u: tag %u -> kind 3", tb, i + 1, slot->tag);
        NAMES("table %u handle %u has an unknown slot kind 3", tb, i + 1);
        patch_set(p, &slot->tag, slot->tag | RESTAB__KIND_MASK);
        return 1;
    }
    case CORRUPT_LIVE_TO_FREE: {
        /* One free slot more than the list holds: the walk ends early. */
        if (pick_slot(t, LIVE_SLOT, NULL, pick, &tb, &i) != 0)
            return 0;
        restab__slot *slot = &t->tables[tb].slots[i];
        WHAT("table %u handle %u: tag %u -> free", tb, i + 1, slot->tag);
        patch_set(p, &slot->tag, slot->tag & ~RESTAB__KIND_MASK);
        return 1;
    }
    case CORRUPT_FREE_SELF:
        /* The walk loops on the slot until it has taken F steps. */
        if (pick_link(t, SLOT_LINKS, pick, &lp) != 0)
            return 0;
        WHAT("table %u free handle %u (list position %u): next -> itself",
             lp.table, lp.owner + 1, lp.position);
        patch_set(p, lp.link, lp.owner);
        return 1;
    case CORRUPT_FREE_TO_LIVE: {
        /* The walk meets a live slot, or ends on one after F steps. */
        if (pick_link(t, ALL_LINKS, pick, &lp) != 0)
            return 0;
        /* A live slot of the link's own table. */
        const restab__table *tab = &t->tables[lp.table];
        uint32_t live = RESTAB__NIL;
        for (uint32_t k = 0; k < tab->len && live == RESTAB__NIL; k++) {
            uint32_t at = (k + pick / 2) % tab->len;
            if (restab__tag_kind(tab->slots[at].tag) != RESTAB__KIND_FREE)
                live = at;
        }
        if (live == RESTAB__NIL)
            return 0;
        WHAT("table %u free-list link %u -> live handle %u", lp.table,
             lp.position, live + 1);
        /* Links 0 .. F-1 are followed inside the walk, which then names the
           live slot; link F (the last free slot's) only lengthens the list. */
        if (lp.position < free_count(tab))
            NAMES("table %u: the free list holds live handle %u", lp.table,
                  live + 1);
        patch_set(p, lp.link, live);
        return 1;
    }
    case CORRUPT_FREE_PAST_END:
        /* The walk leaves the table, or ends past it after F steps. */
        if (pick_link(t, ALL_LINKS, pick, &lp) != 0)
            return 0;
        WHAT("table %u free-list link %u -> index %u (the length)", lp.table,
             lp.position, t->tables[lp.table].len);
        if (lp.position < free_count(&t->tables[lp.table]))
            NAMES("table %u: the free list points past the end (%u)", lp.table,
                  t->tables[lp.table].len + 1);
        patch_set(p, lp.link, t->tables[lp.table].len);
        return 1;
    case CORRUPT_FREE_TRUNCATE:
        /* The walk reaches the end before it has seen every free slot. */
        if (pick_link(t, LIVE_LINKS, pick, &lp) != 0)
            return 0;
        WHAT("table %u free-list link %u -> end", lp.table, lp.position);
        patch_set(p, lp.link, RESTAB__NIL);
        return 1;
    case CORRUPT_FREE_TO_OWN: {
        /* The walk meets the now live slot, or ends on it. */
        if (pick_slot(t, FREE_SLOT, NULL, pick, &tb, &i) != 0)
            return 0;
        restab__slot *slot = &t->tables[tb].slots[i];
        WHAT("table %u free handle %u: kind -> own", tb, i + 1);
        patch_set(p, &slot->tag,
                  (slot->tag & ~RESTAB__KIND_MASK) | RESTAB__KIND_OWN);
        return 1;
    }
    case CORRUPT_LENDS_PLUS: {
        /* Named by records: its tally differs; else the total does. */
        if (pick_slot(t, OWN_LENDABLE, NULL, pick, &tb, &i) != 0)
            return 0;
        restab__slot *slot = &t->tables[tb].slots[i];
        uint32_t naming = records_naming(t, tb, i + 1);
        WHAT("table %u own handle %u: lends %u -> %u (%u lender records)", tb,
             i + 1, slot->aux, slot->aux + 1, naming);
        if (naming > 0)
            NAMES("table %u own handle %u has lends %u but %u lender records "
                  "name it", tb, i + 1, slot->aux + 1, naming);
        patch_set(p, &slot->aux, slot->aux + 1);
        return 2;
    }
    case CORRUPT_LENDS_MINUS: {
        /* A lent own is named by records; its tally differs. */
        if (pick_slot(t, OWN_LENT, NULL, pick, &tb, &i) != 0)
            return 0;
        restab__slot *slot = &t->tables[tb].slots[i];
        uint32_t naming = records_naming(t, tb, i + 1);
        WHAT("table %u own handle %u: lends %u -> %u (%u lender records)", tb,
             i + 1, slot->aux, slot->aux - 1, naming);
        NAMES("table %u own handle %u has lends %u but %u lender records "
              "name it", tb, i + 1, slot->aux - 1, naming);
        patch_set(p, &slot->aux, slot->aux - 1);
        return 2;
    }
    case CORRUPT_BORROWS_PLUS:
    case CORRUPT_BORROWS_MINUS: {
        /* Only the borrow count check looks at borrow counts. */
        int plus = c == CORRUPT_BORROWS_PLUS;
        uint32_t count = 0;
        for (uint32_t d = 0; d < t->scope_len; d++) {
            uint32_t n = t->scopes[d].borrow_count;
            if (plus ? n < UINT32_MAX : n > 0)
                count++;
        }
        if (count == 0)
            return 0;
        uint32_t want = pick % count;
        for (uint32_t d = 0; d < t->scope_len; d++) {
            uint32_t n = t->scopes[d].borrow_count;
            if (!(plus ? n < UINT32_MAX : n > 0))
                continue;
            if (want > 0) {
                want--;
                continue;
            }
            uint32_t to = plus ? n + 1 : n - 1;
            WHAT("scope %u: borrow count %u -> %u", d, n, to);
            NAMES("scope %u has borrow count %u but %u borrow entries", d, to, n);
            patch_set(p, &t->scopes[d].borrow_count, to);
            return 3;
        }
        return 0;
    }
    case CORRUPT_BORROW_SCOPE_GONE: {
        /* Borrow scopes are checked before borrow counts. */
        if (pick_slot(t, BORROW_SLOT, NULL, pick, &tb, &i) != 0)
            return 0;
        restab__slot *slot = &t->tables[tb].slots[i];
        WHAT("table %u borrow handle %u: scope %u -> %u (scopes: %u)", tb,
             i + 1, slot->aux, t->scope_len, t->scope_len);
        NAMES("table %u borrow handle %u belongs to scope %u but only %u "
              "scopes are active", tb, i + 1, t->scope_len, t->scope_len);
        patch_set(p, &slot->aux, t->scope_len);
        return 4;
    }
    case CORRUPT_BORROW_SCOPE_MOVE: {
        /* Both scopes are live; the two counts differ from their entries. */
        if (t->scope_len < 2 ||
            pick_slot(t, BORROW_SLOT, NULL, pick, &tb, &i) != 0)
            return 0;
        restab__slot *slot = &t->tables[tb].slots[i];
        uint32_t shift = 1 + (pick / 2) % (t->scope_len - 1);
        uint32_t to = (uint32_t)(((uint64_t)slot->aux + shift) % t->scope_len);
        WHAT("table %u borrow handle %u: scope %u -> %u", tb, i + 1, slot->aux,
             to);
        patch_set(p, &slot->aux, to);
        return 3;
    }
    case CORRUPT_LENDER_TO_FREE:
    case CORRUPT_LENDER_TO_BORROW: {
        /* Every record must name a live own entry (spec: a live entry, so a
           record moved to another borrow only breaks the tallies: the
           borrow it now names has one record more than lends). */
        if (t->lender_len == 0)
            return 0;
        slot_filter filter = c == CORRUPT_LENDER_TO_FREE ? FREE_SLOT : BORROW_SLOT;
        restab__lender *rec = &t->lenders[pick % t->lender_len];
        const restab__slot *now = &t->tables[rec->table].slots[rec->handle - 1];
        if (pick_slot(t, filter, now, pick / 2, &tb, &i) != 0)
            return 0;
        WHAT("lender record %u: %u/%u -> %u/%u (a %s slot)",
             (uint32_t)(rec - t->lenders), rec->table, rec->handle, tb, i + 1,
             filter == FREE_SLOT ? "free" : "borrow");
        patch_set(p, &rec->table, tb);
        patch_set(p, &rec->handle, i + 1);
        if (filter == BORROW_SLOT && restab__spec(t))
            return 2;
        NAMES(NOT_LIVE, (uint32_t)(rec - t->lenders), tb, i + 1, LIVE_KIND(t));
        return 5;
    }
    case CORRUPT_LENDER_BAD_TABLE:
    case CORRUPT_LENDER_HANDLE_ZERO:
    case CORRUPT_LENDER_PAST_END: {
        if (t->lender_len == 0)
            return 0;
        restab__lender *rec = &t->lenders[pick % t->lender_len];
        uint32_t r = (uint32_t)(rec - t->lenders);
        if (c == CORRUPT_LENDER_BAD_TABLE) {
            /* instances < UINT32_MAX - 1 (restab_create checks it). */
            WHAT("lender record %u: table %u -> %u", r, rec->table,
                 t->instances + 1);
            patch_set(p, &rec->table, t->instances + 1);
        } else if (c == CORRUPT_LENDER_HANDLE_ZERO) {
            WHAT("lender record %u: handle %u -> 0", r, rec->handle);
            patch_set(p, &rec->handle, 0);
        } else {
            /* len < limit <= UINT32_MAX, so len + 1 does not wrap. */
            uint32_t past = t->tables[rec->table].len + 1;
            WHAT("lender record %u: handle %u -> %u", r, rec->handle, past);
            patch_set(p, &rec->handle, past);
        }
        NAMES(NOT_LIVE, r, rec->table, rec->handle, LIVE_KIND(t));
        return 5;
    }
    case CORRUPT_LENDER_TO_OTHER_OWN: {
        /* Both entries stay live owns; their tallies change by one. */
        if (t->lender_len == 0)
            return 0;
        restab__lender *rec = &t->lenders[pick % t->lender_len];
        const restab__slot *now = &t->tables[rec->table].slots[rec->handle - 1];
        if (pick_slot(t, OWN_SLOT, now, pick / 2, &tb, &i) != 0)
            return 0;
        WHAT("lender record %u: %u/%u -> %u/%u (another own)",
             (uint32_t)(rec - t->lenders), rec->table, rec->handle, tb, i + 1);
        patch_set(p, &rec->table, tb);
        patch_set(p, &rec->handle, i + 1);
        return 2;
    }
    case CORRUPT_FIRST_LENDER_PAST: {
        /* The scopes below it are in order; it starts past the records. At
           depth d > 0 it also ends scope d - 1's records past the last one,
           which the dump must not read. */
        if (t->scope_len == 0 || t->lender_len == UINT32_MAX)
            return 0;
        uint32_t d = pick % t->scope_len;
        WHAT("scope %u: first lender %u -> %u (records: %u)", d,
             t->scopes[d].first_lender, t->lender_len + 1, t->lender_len);
        NAMES(OUT_OF_ORDER, d, t->lender_len + 1, t->lender_len);
        patch_set(p, &t->scopes[d].first_lender, t->lender_len + 1);
        return 5;
    }
    case CORRUPT_FIRST_LENDER_BACK: {
        uint32_t count = 0;
        for (uint32_t d = 1; d < t->scope_len; d++) {
            if (t->scopes[d - 1].first_lender > 0)
                count++;
        }
        if (count == 0)
            return 0;
        uint32_t want = pick % count;
        for (uint32_t d = 1; d < t->scope_len; d++) {
            uint32_t before = t->scopes[d - 1].first_lender;
            if (before == 0)
                continue;
            if (want > 0) {
                want--;
                continue;
            }
            WHAT("scope %u: first lender %u -> %u (scope %u starts at %u)", d,
                 t->scopes[d].first_lender, before - 1, d - 1, before);
            NAMES(OUT_OF_ORDER, d, before - 1, t->lender_len);
            patch_set(p, &t->scopes[d].first_lender, before - 1);
            return 5;
        }
        return 0;
    }
    case CORRUPT_FIRST_LENDER_SKIP:
        /* Record 0 then belongs to no scope (or, when scope 1 starts at 0,
           the starts are out of order): invariant 5 either way. */
        if (t->scope_len == 0 || t->lender_len == 0)
            return 0;
        WHAT("scope 0: first lender %u -> 1 (records: %u)",
             t->scopes[0].first_lender, t->lender_len);
        if (t->scope_len > 1 && t->scopes[1].first_lender == 0)
            NAMES(OUT_OF_ORDER, 1, 0, t->lender_len);
        else
            NAMES(NO_SCOPE, t->lender_len);
        patch_set(p, &t->scopes[0].first_lender, 1);
        return 5;
    case CORRUPT_SCOPES_DROPPED:
        if (t->lender_len == 0)
            return 0;
        WHAT("scope_len %u -> 0 (records: %u)", t->scope_len, t->lender_len);
        NAMES(NO_SCOPE, t->lender_len);
        patch_set(p, &t->scope_len, 0);
        return 5;
    case CORRUPT_LIMIT_LOWERED: {
        /* Only the placement check reads the limit. */
        uint32_t count = 0;
        for (uint32_t k = 0; k <= t->instances; k++) {
            if (t->tables[k].len > 0)
                count++;
        }
        if (count == 0)
            return 0;
        uint32_t want = pick % count;
        for (uint32_t k = 0; k <= t->instances; k++) {
            uint32_t len = t->tables[k].len;
            if (len == 0)
                continue;
            if (want > 0) {
                want--;
                continue;
            }
            uint32_t limit = len - (pick / 2) % len; /* 1 .. len */
            WHAT("limit %u -> %u (table %u has %u slots)", t->limit, limit, k,
                 len);
            /* The first table that reaches the limit is named. */
            uint32_t first = 0;
            while (t->tables[first].len < limit)
                first++;
            NAMES("table %u holds handle %u, not below the limit %u", first,
                  t->tables[first].len, limit);
            patch_set(p, &t->limit, limit);
            return 6;
        }
        return 0;
    }
    case CORRUPT_WRONG_TABLE: {
        /* Only the placement check reads resource codes. */
        if (pick_slot(t, LIVE_SLOT, NULL, pick, &tb, &i) != 0)
            return 0;
        restab__slot *slot = &t->tables[tb].slots[i];
        uint32_t code = RESTAB__NIL;
        switch ((pick / 2) % 3) {
        case 0: /* a type of another instance (any type in the host table) */
            for (uint32_t ty = 0; ty < t->types && code == RESTAB__NIL; ty++) {
                if (tb == t->instances || t->type_instance[ty] != tb)
                    code = ty;
            }
            break;
        case 1: /* the host code in a guest table */
            if (tb != t->instances)
                code = RESTAB__HOST_CODE;
            break;
        default: /* a code no type has */
            code = t->types;
            break;
        }
        if (code == RESTAB__NIL)
            code = tb == t->instances ? t->types : RESTAB__HOST_CODE;
        WHAT("table %u handle %u: resource code %u -> %u", tb, i + 1,
             restab__tag_code(slot->tag), code);
        NAMES("table %u handle %u holds resource code %u, which belongs to "
              "another table", tb, i + 1, code);
        patch_set(p, &slot->tag, restab__tag(code, restab__tag_kind(slot->tag)));
        return 6;
    }
    case CORRUPT_OWN_TO_BORROW: {
        /* Named by a record: that record no longer names an own (5). Else
           its lends are 0, so the entry becomes a borrow of scope 0: one
           more than scope 0 counts (3), or no scope at all (4). */
        if (pick_slot(t, OWN_SLOT, NULL, pick, &tb, &i) != 0)
            return 0;
        restab__slot *slot = &t->tables[tb].slots[i];
        uint32_t naming = records_naming(t, tb, i + 1);
        WHAT("table %u own handle %u (lends %u, %u lender records): kind -> "
             "borrow",
             tb, i + 1, slot->aux, naming);
        patch_set(p, &slot->tag,
                  (slot->tag & ~RESTAB__KIND_MASK) | RESTAB__KIND_BORROW);
        if (naming > 0 && restab__spec(t)) {
            /* A borrow may be lent here, but its lends (the side array's
               0) differ from the records naming it. */
            NAMES("table %u borrow handle %u has lends 0 but %u lender "
                  "records name it", tb, i + 1, naming);
            return 2;
        }
        return naming > 0 ? 5 : t->scope_len == 0 ? 4 : 3;
    }
    case CORRUPT_BORROW_TO_OWN: {
        /* The entry becomes an own lent `scope` times that no record names:
           the total of lends differs (2); with scope 0 nothing changes for
           the lends, and its scope has one borrow entry too few (3). */
        if (pick_slot(t, BORROW_SLOT, NULL, pick, &tb, &i) != 0)
            return 0;
        restab__slot *slot = &t->tables[tb].slots[i];
        WHAT("table %u borrow handle %u (scope %u): kind -> own", tb, i + 1,
             slot->aux);
        /* Spec: a lent borrow leaves its lends in the side array, which
           must be 0 for an own; the side arrays are checked before the
           tallies. */
        uint32_t side = restab__lends(&t->tables[tb], i);
        if (side > 0)
            NAMES(SIDE_NOT_BORROW, tb, i + 1, side);
        patch_set(p, &slot->tag,
                  (slot->tag & ~RESTAB__KIND_MASK) | RESTAB__KIND_OWN);
        return side > 0 || slot->aux > 0 ? 2 : 3;
    }
    case CORRUPT_BORROW_LENDS_PLUS:
    case CORRUPT_BORROW_LENDS_MINUS: {
        /* Spec only (the wasmtime profile has no side array). Named by
           records: its tally differs; else the total does. */
        int plus = c == CORRUPT_BORROW_LENDS_PLUS;
        if (!restab__spec(t) ||
            pick_slot(t, plus ? BORROW_SLOT : BORROW_LENT, NULL, pick, &tb,
                      &i) != 0)
            return 0;
        uint32_t *lends = &t->tables[tb].borrow_lends[i];
        if (plus && *lends == UINT32_MAX)
            return 0;
        uint32_t to = plus ? *lends + 1 : *lends - 1;
        uint32_t naming = records_naming(t, tb, i + 1);
        WHAT("table %u borrow handle %u: lends %u -> %u (%u lender records)",
             tb, i + 1, *lends, to, naming);
        if (naming > 0)
            NAMES("table %u borrow handle %u has lends %u but %u lender "
                  "records name it", tb, i + 1, to, naming);
        else
            NAMES("own and borrow entries hold %u lends in all but there are "
                  "%u lender records", t->lender_len + 1, t->lender_len);
        patch_set(p, lends, to);
        return 2;
    }
    case CORRUPT_LENDER_BORROW_FREED: {
        /* Spec: a record that names a (lent) borrow now names a free slot of
           any table, as if the borrow had been freed while lent. */
        if (!restab__spec(t) || t->lender_len == 0)
            return 0;
        uint32_t count = 0;
        for (uint32_t r = 0; r < t->lender_len; r++) {
            const restab__lender *rec = &t->lenders[r];
            count += restab__tag_kind(
                         t->tables[rec->table].slots[rec->handle - 1].tag) ==
                     RESTAB__KIND_BORROW;
        }
        if (count == 0 || pick_slot(t, FREE_SLOT, NULL, pick / 2, &tb, &i) != 0)
            return 0;
        uint32_t want = pick % count;
        for (uint32_t r = 0; r < t->lender_len; r++) {
            restab__lender *rec = &t->lenders[r];
            if (restab__tag_kind(
                    t->tables[rec->table].slots[rec->handle - 1].tag) !=
                RESTAB__KIND_BORROW)
                continue;
            if (want > 0) {
                want--;
                continue;
            }
            WHAT("lender record %u: borrow %u/%u -> %u/%u (a free slot)", r,
                 rec->table, rec->handle, tb, i + 1);
            /* The first record naming no live entry is this one. */
            NAMES(NOT_LIVE, r, tb, i + 1, "");
            patch_set(p, &rec->table, tb);
            patch_set(p, &rec->handle, i + 1);
            return 5;
        }
        return 0;
    }
    case CORRUPT_LENDER_DEEPER: {
        /* Spec: a record of scope d moves from the entry it names to a
           borrow B of a scope deeper than d, taking one lend along, so
           every count still matches and only invariant 7 breaks. */
        if (!restab__spec(t) || t->lender_len == 0)
            return 0;
        restab__lender *rec = &t->lenders[pick % t->lender_len];
        uint32_t r = (uint32_t)(rec - t->lenders);
        uint32_t d = 0;
        while (d + 1 < t->scope_len && t->scopes[d + 1].first_lender <= r)
            d++;
        /* The borrows of scopes deeper than d, the pick/2-th of them. */
        uint32_t count = 0;
        for (int pass = 0; pass < 2; pass++) {
            uint32_t want = pass == 0 ? 0 : (pick / 2) % count;
            for (tb = 0; tb <= t->instances; tb++) {
                restab__table *tab = &t->tables[tb];
                for (i = 0; i < tab->len; i++) {
                    const restab__slot *slot = &tab->slots[i];
                    if (restab__tag_kind(slot->tag) != RESTAB__KIND_BORROW ||
                        slot->aux <= d || tab->borrow_lends[i] == UINT32_MAX)
                        continue;
                    if (pass == 0) {
                        count++;
                    } else if (want > 0) {
                        want--;
                    } else {
                        restab__table *from = &t->tables[rec->table];
                        uint32_t at = rec->handle - 1;
                        uint32_t *old_lends =
                            restab__tag_kind(from->slots[at].tag) ==
                                    RESTAB__KIND_OWN
                                ? &from->slots[at].aux
                                : &from->borrow_lends[at];
                        WHAT("lender record %u of scope %u: %u/%u -> borrow "
                             "%u/%u of scope %u, with one lend",
                             r, d, rec->table, rec->handle, tb, i + 1,
                             slot->aux);
                        NAMES("lender record %u of scope %u names table %u "
                              "borrow handle %u of the deeper scope %u",
                              r, d, tb, i + 1, slot->aux);
                        patch_set(p, old_lends, *old_lends - 1);
                        patch_set(p, &tab->borrow_lends[i],
                                  tab->borrow_lends[i] + 1);
                        patch_set(p, &rec->table, tb);
                        patch_set(p, &rec->handle, i + 1);
                        return 7;
                    }
                }
            }
            if (count == 0)
                return 0;
        }
        return 0;
    }
    case CORRUPT_SIDE_SHORT: {
        /* Spec: a table with slots whose side array is shorter than them. */
        if (!restab__spec(t))
            return 0;
        uint32_t count = 0;
        for (uint32_t k = 0; k <= t->instances; k++)
            count += t->tables[k].cap > 0;
        if (count == 0)
            return 0;
        uint32_t want = pick % count;
        for (tb = 0; tb <= t->instances; tb++) {
            restab__table *tab = &t->tables[tb];
            if (tab->cap == 0)
                continue;
            if (want > 0) {
                want--;
                continue;
            }
            uint32_t to = (pick / 2) % tab->cap; /* 0 .. cap-1 */
            WHAT("table %u: side array of %u slots -> %u (slots: %u)", tb,
                 tab->lends_cap, to, tab->cap);
            NAMES("table %u has borrow lend counts for %u slots, fewer than "
                  "its %u", tb, to, tab->cap);
            patch_set(p, &tab->lends_cap, to);
            return 2;
        }
        return 0;
    }
    case CORRUPT_SIDE_NONZERO: {
        /* Spec: the side entry of a free or own slot, or of an allocated
           slot past the table's end, becomes nonzero. */
        if (!restab__spec(t))
            return 0;
        uint32_t count = 0;
        for (uint32_t k = 0; k <= t->instances; k++) {
            const restab__table *tab = &t->tables[k];
            for (uint32_t j = 0; j < tab->lends_cap; j++)
                count += j >= tab->len ||
                         restab__tag_kind(tab->slots[j].tag) !=
                             RESTAB__KIND_BORROW;
        }
        if (count == 0)
            return 0;
        uint32_t want = pick % count;
        for (tb = 0; tb <= t->instances; tb++) {
            restab__table *tab = &t->tables[tb];
            for (i = 0; i < tab->lends_cap; i++) {
                if (i < tab->len && restab__tag_kind(tab->slots[i].tag) ==
                                        RESTAB__KIND_BORROW)
                    continue;
                if (want > 0) {
                    want--;
                    continue;
                }
                uint32_t to = 1u + pick / 2;
                WHAT("table %u slot %u (not a borrow): side lends 0 -> %u", tb,
                     i + 1, to);
                NAMES(SIDE_NOT_BORROW, tb, i + 1, to);
                patch_set(p, &tab->borrow_lends[i], to);
                return 2;
            }
        }
        return 0;
    }
    case CORRUPT_COUNT:
        break;
    }
    return 0;
}

#undef WHAT
#undef NAMES
#undef OUT_OF_ORDER
#undef NO_SCOPE
#undef NOT_LIVE
#undef LIVE_KIND
#undef SIDE_NOT_BORROW

/* ---- The target --------------------------------------------------------- */


/*
 * restab_dump on a broken state still lists, for each scope, the records
 * from its start up to the next scope's start, cut to the records that
 * exist ("none" when that leaves nothing): the scope lines as
 * dump_scopes_misses() (api_probe.h) reads them. NULL, or the first line
 * part it misses (written to want).
 */
/* A broken state's scope records: from each scope's start up to the next
   scope's start, cut to the records that exist. */
static void broken_lenders(const restab_tables *t, uint32_t depth,
                           uint32_t *first, uint32_t *end)
{
    restab__scope_lenders(t, depth, first, end);
    *end = *end < t->lender_len ? *end : t->lender_len;
    *first = *first < *end ? *first : *end;
}

static uint32_t broken_borrows(const void *user, uint32_t depth)
{
    return ((const restab_tables *)user)->scopes[depth].borrow_count;
}

static uint32_t broken_records(const void *user, uint32_t depth)
{
    uint32_t first, end;
    broken_lenders(user, depth, &first, &end);
    return end - first;
}

static void broken_record(const void *user, uint32_t depth, uint32_t i,
                          uint32_t *table, uint32_t *handle)
{
    const restab_tables *t = user;
    uint32_t first, end;
    broken_lenders(t, depth, &first, &end);
    *table = t->lenders[first + i].table;
    *handle = t->lenders[first + i].handle;
}

static const char *dump_scopes_wrong(const restab_tables *t, const char *dump,
                                     char *want, size_t size)
{
    const char *at = strstr(dump, "\nscopes: ");
    if (at == NULL) {
        snprintf(want, size, "scopes: %u\n", t->scope_len);
        return want;
    }
    at++;
    const dump_scopes scopes = {t->scope_len, t, broken_borrows, broken_records,
                                broken_record};
    return dump_scopes_misses(&at, &scopes, want, size);
}

/* Prints a failure report and aborts. */
static _Noreturn void fail(const program *prog, corruption c, uint32_t pick,
                 const patch *p, int expected, int got, const char *msg,
                 const char *why)
{
    fprintf(stderr,
            "==== restab harness: %s ====\n"
            "corruption %u (%s: %s), pick %u\n"
            "victim: %s\n"
            "expected invariant %d, restab_check returned %d\n"
            "message: \"%s\"\n"
            "the program (before the corruption):\n",
            why, (unsigned)c, corrupt_names[c], corrupt_texts[c], pick,
            p->what[0] != '\0' ? p->what : "(none)", expected, got, msg);
    program_print(prog, prog->len, text_write_file, stderr);
    abort();
}

/* The checker's answer for the corrupted state, also with short or missing
   message buffers; all must agree with the full one. Returns the number,
   or -1 (with why) when the answers disagree. */
static int check_all_ways(const restab_tables *t, char *msg, size_t msg_size,
                          const char **why)
{
    int got = restab_check(t, msg, msg_size);
    char untouched = 'x';
    if (restab_check(t, NULL, 0) != got ||
        restab_check(t, &untouched, 0) != got) {
        *why = "restab_check without a message buffer returned another number";
        return -1;
    }
    if (untouched != 'x') {
        *why = "restab_check wrote to a message buffer of size 0";
        return -1;
    }
    static const size_t short_sizes[] = {1, 8, 20};
    for (size_t k = 0; k < sizeof short_sizes / sizeof short_sizes[0]; k++) {
        char small[20];
        size_t n = short_sizes[k];
        memset(small, 'x', sizeof small);
        if (restab_check(t, small, n) != got) {
            *why = "restab_check with a short message buffer returned another number";
            return -1;
        }
        if (memchr(small, '\0', n) == NULL ||
            strncmp(small, msg, n - 1) != 0 || strlen(small) > n - 1) {
            *why = "restab_check's truncated message is not a prefix of the full one";
            return -1;
        }
    }
    return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[256];
    /* The NULL table set is invariant 1 too. */
    if (restab_check(NULL, msg, sizeof msg) != 1 ||
        strncmp(msg, "invariant 1: ", 13) != 0) {
        fprintf(stderr, "==== restab harness: restab_check(NULL) did not "
                        "report invariant 1: \"%s\" ====\n",
                msg);
        abort();
    }
    program prog;
    program_init(&prog);
    prefix_names names = corruption_names();
    size_t skip = prefix_read(PREFIX_CORRUPT, &names, data, size, &prog);
    if (skip == SIZE_MAX) {
        program_free(&prog);
        return 0;
    }
    corruption c = (corruption)(data[0] % CORRUPT_COUNT);
    uint32_t pick = prog.corrupt_victim;
    if (decode_program(data + skip, size - skip, &rt_oracle, &prog) != 0) {
        program_free(&prog);
        return 0;
    }
    rt_config cfg = program_config(&prog);
    void *self = NULL;
    if (rt_restab.create(&cfg, &self) != RT_OK) {
        program_free(&prog);
        return 0;
    }
    restab_tables *t = self;
    for (size_t k = 0; k < prog.len; k++) {
        for (uint32_t n = 0; n < op_times(&prog.ops[k]); n++) {
            const op one = op_repetition(&prog.ops[k], n);
            (void)op_run(&rt_restab, t, &one);
        }
    }

    patch p;
    memset(&p, 0, sizeof p);
    int before = restab_check(t, msg, sizeof msg);
    if (before != 0)
        fail(&prog, c, pick, &p, 0, before, msg,
             "restab_check fails before the corruption");

    int expected = corrupt(t, c, pick, &p);
    if (expected != 0) {
        const char *why = NULL;
        int got = check_all_ways(t, msg, sizeof msg, &why);
        if (got < 0)
            fail(&prog, c, pick, &p, expected, got, msg, why);
        if (got != expected)
            fail(&prog, c, pick, &p, expected, got, msg,
                 "restab_check reported the wrong invariant");
        char prefix[16];
        int n = snprintf(prefix, sizeof prefix, "invariant %d: ", expected);
        if (n < 0 || strncmp(msg, prefix, (size_t)n) != 0 ||
            msg[n] == '\0')
            fail(&prog, c, pick, &p, expected, got, msg,
                 "restab_check's message does not name the invariant");
        if (p.names[0] != '\0' && strstr(msg, p.names) == NULL)
            fail(&prog, c, pick, &p, expected, got, msg,
                 "restab_check's message does not name the victim");
        text_buffer dump = {NULL, 0, 0, 0};
        restab_dump(t, text_buffer_append, &dump);
        char want[96], why_dump[160];
        const char *missing = NULL;
        if (dump.text == NULL && !dump.failed)
            missing = "anything";
        else if (!dump.failed)
            missing = dump_scopes_wrong(t, dump.text, want, sizeof want);
        text_buffer_free(&dump);
        if (missing != NULL) {
            snprintf(why_dump, sizeof why_dump,
                     "restab_dump of the broken state lacks \"%.*s\"",
                     (int)strcspn(missing, "\n"), missing);
            fail(&prog, c, pick, &p, expected, got, msg, why_dump);
        }
        patch_undo(&p);
        int after = restab_check(t, msg, sizeof msg);
        if (after != 0)
            fail(&prog, c, pick, &p, 0, after, msg,
                 "restab_check fails after the corruption was undone");
    }
    restab_destroy(t);
    program_free(&prog);
    return 0;
}
