/*
 * restab_check() catches broken states: each test builds a sound state,
 * corrupts one field of the internal layout (lib/src/internal.h, which only
 * this test includes), expects the number of the broken invariant, and
 * repairs the field before destroying the set. The spec profile's
 * invariants 2, 5 and 7 for borrow entries, and the wasmtime profile's rule
 * that a lender record names an own entry.
 */
#include "test_support.h"

#include "internal.h"

#include <stdio.h>
#include <string.h>

#define CHECK_BROKEN(t, invariant) check_broken(TST_HERE, (t), (invariant))

static void check_broken(tst_loc loc, const restab_tables *t, int invariant)
{
    char msg[256];
    int got = restab_check(t, msg, sizeof msg);
    tst_checkf(loc, got == invariant, "restab_check() names the invariant",
               "got %d (%s), want %d", got, msg, invariant);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "invariant %d: ", invariant);
    tst_checkf(loc, strncmp(msg, prefix, strlen(prefix)) == 0,
               "message names the invariant", "%s", msg);
}

#define SPEC() tst_create_spec(RESTAB_SPEC_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS)

/* Invariant 2: a borrow's lends must equal its lender records. */
static void test_spec_borrow_lends(void)
{
    restab_tables *t = SPEC();
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T0, 7);
    ENTER(t);
    LIFT_BORROW(t, T0, b);
    uint32_t *lends = &t->tables[TAB0].borrow_lends[b - 1];
    CHECK_EQ(*lends, 1);
    *lends = 2; /* one more than its records */
    CHECK_BROKEN(t, 2);
    *lends = 0; /* a record naming an entry that holds no lend */
    CHECK_BROKEN(t, 2);
    *lends = 1;
    CHECK_INTEGRITY(t);
    EXIT(t);
    /* a lend with no record at all */
    *lends = 1;
    CHECK_BROKEN(t, 2);
    *lends = 0;
    /* a stray count on a slot that is not a borrow */
    uint32_t o = NEW(t, T0, 8);
    t->tables[TAB0].borrow_lends[o - 1] = 3;
    CHECK_BROKEN(t, 2);
    t->tables[TAB0].borrow_lends[o - 1] = 0;
    /* and past the end of the table */
    t->tables[TAB0].borrow_lends[t->tables[TAB0].lends_cap - 1] = 1;
    CHECK_BROKEN(t, 2);
    t->tables[TAB0].borrow_lends[t->tables[TAB0].lends_cap - 1] = 0;
    /* a side array shorter than the slots */
    uint32_t cap = t->tables[TAB0].lends_cap;
    t->tables[TAB0].lends_cap = t->tables[TAB0].cap - 1;
    CHECK_BROKEN(t, 2);
    t->tables[TAB0].lends_cap = cap;
    CHECK_INTEGRITY(t);
    restab_destroy(t);
}

/* Invariant 5: a record must name a live entry, own or borrow. */
static void test_spec_lender_live(void)
{
    restab_tables *t = SPEC();
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T0, 7);
    uint32_t gone = LOWER_BORROW(t, T0, 8);
    DROP_BORROW(t, T0, gone, 8);
    ENTER(t);
    LIFT_BORROW(t, T0, b);
    CHECK_INTEGRITY(t); /* a record naming a borrow is sound here */
    t->lenders[0].handle = gone; /* a free slot */
    CHECK_BROKEN(t, 5);
    t->lenders[0].handle = 0;
    CHECK_BROKEN(t, 5);
    t->lenders[0].handle = b;
    t->lenders[0].table = TAB1; /* an empty table */
    CHECK_BROKEN(t, 5);
    t->lenders[0].table = 99; /* no such table */
    CHECK_BROKEN(t, 5);
    t->lenders[0].table = TAB0;
    CHECK_INTEGRITY(t);
    restab_destroy(t);
}

/* Invariant 7: a record of depth d names no borrow deeper than d. */
static void test_spec_lender_depth(void)
{
    restab_tables *t = SPEC();
    uint32_t o = NEW(t, T0, 6);
    ENTER(t);
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T0, 7); /* a borrow of scope 1 */
    LIFT_BORROW(t, T0, o);               /* record 0, scope 1 */
    LIFT_BORROW(t, T0, b);               /* record 1, scope 1 */
    CHECK_INTEGRITY(t);
    /* hand scope 1's records to scope 0: the own is fine, the borrow not */
    t->scopes[1].first_lender = 2;
    CHECK_BROKEN(t, 7);
    char msg[256];
    restab_check(t, msg, sizeof msg);
    tst_checkf(TST_HERE, strstr(msg, "scope 0") != NULL, "names scope 0",
               "%s", msg);
    /* only the own's record in scope 0: sound again */
    t->scopes[1].first_lender = 1;
    CHECK_INTEGRITY(t);
    t->scopes[1].first_lender = 0;
    CHECK_INTEGRITY(t);
    restab_destroy(t);
}

/* The wasmtime profile: a lender record naming a borrow breaks 5. */
static void test_wasmtime_lender_names_borrow(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t o = NEW(t, T0, 6);
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T0, 7);
    LIFT_BORROW(t, T0, o);
    CHECK_INTEGRITY(t);
    t->lenders[0].handle = b;
    CHECK_BROKEN(t, 5);
    char msg[256];
    restab_check(t, msg, sizeof msg);
    tst_checkf(TST_HERE, strstr(msg, "not a live own entry") != NULL,
               "the wasmtime message is unchanged", "%s", msg);
    t->lenders[0].handle = o;
    /* and it has no side array */
    CHECK(t->tables[TAB0].borrow_lends == NULL);
    CHECK_EQ(t->tables[TAB0].lends_cap, 0);
    CHECK_INTEGRITY(t);
    restab_destroy(t);
}

typedef struct dump_text {
    char text[1024];
    size_t len;
} dump_text;

static void collect(void *user, const char *text, size_t len)
{
    dump_text *d = user;
    if (d->len + len < sizeof d->text) {
        memcpy(d->text + d->len, text, len);
        d->len += len;
        d->text[d->len] = '\0';
    }
}

/* restab_dump of a broken spec state whose side array is shorter than a
   lent borrow's slot stays within the array and shows the lends as 0. */
static void test_spec_dump_short_side_array(void)
{
    restab_tables *t = SPEC();
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T0, 7);
    ENTER(t);
    LIFT_BORROW(t, T0, b);
    uint32_t cap = t->tables[TAB0].lends_cap;
    t->tables[TAB0].lends_cap = b - 1;
    dump_text d = {{0}, 0};
    restab_dump(t, collect, &d);
    tst_checkf(TST_HERE, strstr(d.text, " scope 0 lends 0\n") != NULL,
               "the dump shows lends 0 past the side array", "%s", d.text);
    t->tables[TAB0].lends_cap = cap;
    d.len = 0;
    restab_dump(t, collect, &d);
    tst_checkf(TST_HERE, strstr(d.text, " scope 0 lends 1\n") != NULL,
               "the dump shows the borrow's lend", "%s", d.text);
    EXIT(t);
    restab_destroy(t);
}

int main(void)
{
    test_spec_dump_short_side_array();
    test_spec_borrow_lends();
    test_spec_lender_live();
    test_spec_lender_depth();
    test_wasmtime_lender_names_borrow();
    return tst_finish("test_check");
}
