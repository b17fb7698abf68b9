/*
 * The spec profile (RESTAB_SEMANTICS_SPEC, docs/semantics.md "The spec
 * profile"): every row of its operations table, each difference from the
 * wasmtime profile (the cases of golden-spec/ as C tests, with the wasmtime
 * profile's results beside them where they differ), the configuration, the
 * observation API and the dump.
 *
 * Every failing call goes through FAILS, which also checks that the call
 * changed nothing (borrow lends included) and wrote no out-parameter; every
 * step runs restab_check().
 *
 * The set is the .ops default: t0, t1 in instance 0 (table 0), t2 in
 * instance 1 (table 1), the host table is table 2.
 */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC() tst_create_spec(RESTAB_SPEC_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS)
#define WASMTIME() tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS)

/* The lender record i of the scope at depth is table/handle. */
#define CHECK_LENDER(t, depth, i, table, handle)                               \
    check_lender(TST_HERE, (t), (depth), (i), (table), (handle))

static void check_lender(tst_loc loc, const restab_tables *t, uint32_t depth,
                         uint32_t i, uint32_t table, uint32_t handle)
{
    uint32_t got_table = UINT32_MAX, got_handle = UINT32_MAX;
    int found = restab_scope_lender(t, depth, i, &got_table, &got_handle);
    tst_checkf(loc, found == 0 && got_table == table && got_handle == handle,
               "lender record", "scope %u record %u: got %d %u/%u, want %u/%u",
               depth, i, found, got_table, got_handle, table, handle);
}

/* ---- Configuration ---------------------------------------------------- */

static void test_config(void)
{
    restab_config cfg;
    memset(&cfg, 0x5a, sizeof cfg);
    restab_config_init(&cfg);
    CHECK_EQ(cfg.semantics, RESTAB_SEMANTICS_WASMTIME35);
    CHECK_EQ(RESTAB_SEMANTICS_WASMTIME35, 0);
    CHECK_EQ(RESTAB_SEMANTICS_SPEC, 1);
    /* config_init keeps the wasmtime limit whatever the profile */
    CHECK_EQ(cfg.limit, RESTAB_DEFAULT_LIMIT);
    CHECK_EQ(RESTAB_SPEC_DEFAULT_LIMIT, UINT32_C(268435456));

    restab_tables *good = WASMTIME();
    restab_tables *out = good;
    static const int bad[] = {2, 3, 99, 0x7fffffff};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg.semantics = (restab_semantics)bad[i];
        CHECK_STATUS(restab_create(&cfg, &out), RESTAB_INVALID_ARGUMENT);
        CHECK(out == good);
    }
    /* checked before the shape: a valid shape does not help */
    static const uint32_t types[] = {0};
    cfg.instances = 1;
    cfg.types = 1;
    cfg.type_instance = types;
    cfg.semantics = (restab_semantics)2;
    CHECK_STATUS(restab_create(&cfg, &out), RESTAB_INVALID_ARGUMENT);
    CHECK(out == good);
    cfg.semantics = RESTAB_SEMANTICS_SPEC;
    CHECK_STATUS(restab_create(&cfg, &out), RESTAB_OK);
    CHECK(out != good && out != NULL);
    CHECK_EQ(NEW(out, 0, 5), 1);
    restab_destroy(out);
    restab_destroy(good);
}

/* ---- One row each ----------------------------------------------------- */

/* new and lower_own: as in the wasmtime profile, sharing the free list. */
static void test_new_lower_own(void)
{
    restab_tables *t = SPEC();
    CHECK_EQ(NEW(t, T0, 42), 1);
    CHECK_OWN(t, TAB0, 1, T0, 42, 0);
    CHECK_EQ(LOWER_OWN(t, T1, 43), 2);
    CHECK_OWN(t, TAB0, 2, T1, 43, 0);
    CHECK_EQ(NEW(t, HOST, 44), 1);
    CHECK_EQ(LOWER_OWN(t, T2, 45), 1);
    DROP_OWN(t, T0, 1, 42);
    CHECK_EQ(LOWER_OWN(t, T0, 46), 1);
    CHECK_EQ(restab_scope_count(t), 0);
    restab_destroy(t);
}

/* lower_borrow: unchanged (no-scope before the table is full). */
static void test_lower_borrow(void)
{
    restab_tables *t = tst_create_spec(2, RESTAB_DEFAULT_MAX_LENDS);
    FAILS(t, RESTAB_NO_SCOPE, TST_LOWER_BORROW, T0, 5);
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T0, 5), 1);
    CHECK_BORROW_LENT(t, TAB0, 1, T0, 5, 0, 0);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 1);
    CHECK_EQ(restab_scope_lender_count(t, 0), 0);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_BORROW, T1, 6);
    DROP_BORROW(t, T0, 1, 5);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 0);
    CHECK_EQ(NEW(t, T0, 8), 1); /* the table is full again */
    EXIT(t);
    FAILS(t, RESTAB_NO_SCOPE, TST_LOWER_BORROW, T1, 6); /* scope first */
    ENTER(t);
    DROP_OWN(t, T0, 1, 8);
    /* a reused slot starts with no lends */
    CHECK_EQ(LOWER_BORROW(t, T1, 7), 1);
    CHECK_BORROW_LENT(t, TAB0, 1, T1, 7, 0, 0);
    DROP_BORROW(t, T1, 1, 7);
    EXIT(t);
    restab_destroy(t);
}

/* rep: look up, type check, for own and (lent) borrow entries. */
static void test_rep(void)
{
    restab_tables *t = SPEC();
    uint32_t o = NEW(t, T0, 10);
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T1, 11);
    LIFT_BORROW(t, T1, b);
    CHECK_EQ(REP(t, T0, o), 10);
    CHECK_EQ(REP(t, T1, b), 11);
    FAILS(t, RESTAB_WRONG_TYPE, TST_REP, T1, o);
    FAILS(t, RESTAB_WRONG_TYPE, TST_REP, T0, b);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, 3);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T2, 1);
    restab_destroy(t);
}

/* drop of an own: look up, type check, lends. */
static void test_drop_own(void)
{
    restab_tables *t = SPEC();
    uint32_t o = NEW(t, T0, 20);
    NEW(t, T0, 21);
    DROP_OWN(t, T0, 2, 21);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T0, 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T0, 2); /* free */
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T0, 3); /* past the end */
    ENTER(t);
    LIFT_BORROW(t, T0, o);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, o); /* wasmtime: borrowed */
    FAILS(t, RESTAB_BORROWED, TST_DROP, T0, o);
    CHECK_OWN(t, TAB0, o, T0, 20, 1);
    EXIT(t);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, o);
    DROP_OWN(t, T0, o, 20);
    CHECK_FREE(t, TAB0, o);
    restab_destroy(t);
}

/* drop of a borrow: look up, type, lends; lowers the entry's scope count. */
static void test_drop_borrow(void)
{
    restab_tables *t = SPEC();
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T0, 30);
    ENTER(t);
    LIFT_BORROW(t, T0, b);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, b);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T0, b); /* wasmtime: ok none */
    CHECK_EQ(restab_scope_borrow_count(t, 0), 1);
    EXIT(t);
    /* dropped in scope 0 but counted against it wherever it is dropped */
    ENTER(t);
    DROP_BORROW(t, T0, b, 30);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 0);
    CHECK_EQ(restab_scope_borrow_count(t, 1), 0);
    EXIT(t);
    EXIT(t);
    restab_destroy(t);
}

/* lift_own: look up, type, lends, own. */
static void test_lift_own(void)
{
    restab_tables *t = SPEC();
    uint32_t o = NEW(t, T0, 40);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_OWN, T0, 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_OWN, T0, 2);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_OWN, T1, o);
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T0, 41);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_OWN, T1, b); /* wasmtime: not-own */
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T0, b);
    ENTER(t);
    LIFT_BORROW(t, T0, o);
    LIFT_BORROW(t, T0, b);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_OWN, T1, o); /* wasmtime: borrowed */
    FAILS(t, RESTAB_BORROWED, TST_LIFT_OWN, T0, o);
    FAILS(t, RESTAB_BORROWED, TST_LIFT_OWN, T0, b); /* wasmtime: not-own */
    EXIT(t);
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T0, b);
    DROP_BORROW(t, T0, b, 41);
    EXIT(t);
    CHECK_EQ(LIFT_OWN(t, T0, o), 40);
    CHECK_FREE(t, TAB0, o);
    restab_destroy(t);
}

/* lift_borrow of an own: no scope first, look up, type, lend-overflow. */
static void test_lift_borrow_own(void)
{
    restab_tables *t = tst_create_spec(RESTAB_SPEC_DEFAULT_LIMIT, 2);
    uint32_t o = NEW(t, T0, 50);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T0, o);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T0, 0);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T1, o);
    ENTER(t);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_BORROW, T0, 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_BORROW, T0, 2);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_BORROW, T1, o);
    CHECK_EQ(LIFT_BORROW(t, T0, o), 50);
    CHECK_OWN(t, TAB0, o, T0, 50, 1);
    CHECK_LENDER(t, 0, 0, TAB0, o);
    CHECK_EQ(LIFT_BORROW(t, T0, o), 50);
    CHECK_OWN(t, TAB0, o, T0, 50, 2);
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, T0, o);
    /* the type check comes before the overflow */
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_BORROW, T1, o);
    CHECK_EQ(restab_scope_lender_count(t, 0), 2);
    EXIT(t);
    CHECK_OWN(t, TAB0, o, T0, 50, 0);
    restab_destroy(t);
}

/* lift_borrow of a borrow lends it, up to max_lends. */
static void test_lift_borrow_borrow(void)
{
    restab_tables *t = tst_create_spec(RESTAB_SPEC_DEFAULT_LIMIT, 2);
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T2, 60);
    uint32_t hb = LOWER_BORROW(t, HOST, 61);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, T2, b), 60);
    CHECK_BORROW_LENT(t, TAB1, b, T2, 60, 0, 1);
    CHECK_LENDER(t, 1, 0, TAB1, b);
    CHECK_EQ(LIFT_BORROW(t, T2, b), 60);
    CHECK_BORROW_LENT(t, TAB1, b, T2, 60, 0, 2);
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, T2, b);
    /* host borrows are lent the same way (the host table is an extension) */
    CHECK_EQ(LIFT_BORROW(t, HOST, hb), 61);
    CHECK_BORROW_LENT(t, TABH, hb, HOST, 61, 0, 1);
    FAILS(t, RESTAB_BORROWED, TST_DROP, HOST, hb);
    CHECK_EQ(restab_scope_lender_count(t, 1), 3);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 2);
    EXIT(t);
    CHECK_BORROW_LENT(t, TAB1, b, T2, 60, 0, 0);
    CHECK_BORROW_LENT(t, TABH, hb, HOST, 61, 0, 0);
    DROP_BORROW(t, T2, b, 60);
    DROP_BORROW(t, HOST, hb, 61);
    EXIT(t);
    restab_destroy(t);
}

/* max_lends 0: nothing can be lent, own or borrow. */
static void test_max_lends_zero(void)
{
    restab_tables *t = tst_create_spec(RESTAB_SPEC_DEFAULT_LIMIT, 0);
    uint32_t o = NEW(t, T0, 1);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T0, o); /* scope first */
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T0, 2);
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, T0, o);
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, T0, b);
    DROP_BORROW(t, T0, b, 2);
    EXIT(t);
    restab_destroy(t);
}

/* enter and exit: no-scope, borrows-remain, lends given back per record. */
static void test_enter_exit(void)
{
    restab_tables *t = SPEC();
    FAILS(t, RESTAB_NO_SCOPE, TST_EXIT, 0, 0);
    uint32_t o = NEW(t, T0, 70);
    ENTER(t);
    uint32_t b0 = LOWER_BORROW(t, T0, 71);
    ENTER(t);
    uint32_t b1 = LOWER_BORROW(t, T2, 72);
    LIFT_BORROW(t, T0, o);
    LIFT_BORROW(t, T0, b0);
    LIFT_BORROW(t, T0, b0);
    LIFT_BORROW(t, T2, b1); /* lent in its own scope: pins it */
    FAILS(t, RESTAB_BORROWS_REMAIN, TST_EXIT, 0, 0);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T2, b1);
    CHECK_BORROW_LENT(t, TAB1, b1, T2, 72, 1, 1);
    CHECK_BORROW_LENT(t, TAB0, b0, T0, 71, 0, 2);
    CHECK_OWN(t, TAB0, o, T0, 70, 1);
    /* inner scopes still come and go; their records are their own */
    ENTER(t);
    LIFT_BORROW(t, T0, b0);
    CHECK_BORROW_LENT(t, TAB0, b0, T0, 71, 0, 3);
    EXIT(t);
    CHECK_BORROW_LENT(t, TAB0, b0, T0, 71, 0, 2);
    CHECK_EQ(restab_scope_count(t), 2);
    CHECK_EQ(restab_scope_lender_count(t, 1), 4);
    restab_destroy(t); /* with a pinned scope and lent entries */
}

/* ---- The golden-spec cases ------------------------------------------ */

/* golden-spec/lift-borrow-of-borrow-lends */
static void test_golden_lift_borrow_of_borrow_lends(void)
{
    restab_tables *t = SPEC();
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T0, 7), 1);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, T0, 1), 7);
    CHECK_EQ(LIFT_BORROW(t, T0, 1), 7);
    CHECK_BORROW_LENT(t, TAB0, 1, T0, 7, 0, 2);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T0, 1);
    FAILS(t, RESTAB_BORROWED, TST_LIFT_OWN, T0, 1);
    EXIT(t);
    DROP_BORROW(t, T0, 1, 7);
    EXIT(t);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T0, 1);
    restab_destroy(t);

    /* the wasmtime profile: lift_borrow of a borrow changes nothing */
    t = WASMTIME();
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T0, 7), 1);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, T0, 1), 7);
    CHECK_BORROW_LENT(t, TAB0, 1, T0, 7, 0, 0);
    CHECK_EQ(restab_scope_lender_count(t, 1), 0);
    DROP_BORROW(t, T0, 1, 7);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_OWN, T0, 1);
    EXIT(t);
    EXIT(t);
    restab_destroy(t);
}

/* golden-spec/borrow-lent-in-own-scope */
static void test_golden_borrow_lent_in_own_scope(void)
{
    restab_tables *t = SPEC();
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T0, 7), 1);
    CHECK_EQ(LIFT_BORROW(t, T0, 1), 7);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T0, 1);
    FAILS(t, RESTAB_BORROWS_REMAIN, TST_EXIT, 0, 0);
    ENTER(t);
    EXIT(t);
    FAILS(t, RESTAB_BORROWS_REMAIN, TST_EXIT, 0, 0);
    CHECK_EQ(REP(t, T0, 1), 7);
    CHECK_EQ(restab_scope_count(t), 1);
    restab_destroy(t);

    t = WASMTIME();
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T0, 7), 1);
    CHECK_EQ(LIFT_BORROW(t, T0, 1), 7);
    DROP_BORROW(t, T0, 1, 7);
    EXIT(t);
    ENTER(t);
    EXIT(t);
    FAILS(t, RESTAB_NO_SCOPE, TST_EXIT, 0, 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, 1);
    restab_destroy(t);
}

/* golden-spec/drop-check-order (t0, t1 share instance 0's table) */
static void test_golden_drop_check_order(void)
{
    restab_tables *t = SPEC();
    CHECK_EQ(NEW(t, T0, 5), 1);
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T0, 6), 2);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, T0, 1), 5);
    CHECK_EQ(LIFT_BORROW(t, T0, 2), 6);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, 1);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T0, 1);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, 2);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T0, 2);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T0, 3);
    EXIT(t);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, 1);
    DROP_BORROW(t, T0, 2, 6);
    DROP_OWN(t, T0, 1, 5);
    EXIT(t);
    restab_destroy(t);

    t = WASMTIME();
    CHECK_EQ(NEW(t, T0, 5), 1);
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T0, 6), 2);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, T0, 1), 5);
    CHECK_EQ(LIFT_BORROW(t, T0, 2), 6);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T1, 1);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T0, 1);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, 2);
    DROP_BORROW(t, T0, 2, 6);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T0, 3);
    EXIT(t);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, 1);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T0, 2);
    DROP_OWN(t, T0, 1, 5);
    EXIT(t);
    restab_destroy(t);
}

/* golden-spec/lift-own-check-order */
static void test_golden_lift_own_check_order(void)
{
    restab_tables *t = SPEC();
    CHECK_EQ(NEW(t, T0, 5), 1);
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T0, 6), 2);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_OWN, T0, 9);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_OWN, T1, 2);
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T0, 2);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, T0, 1), 5);
    CHECK_EQ(LIFT_BORROW(t, T0, 2), 6);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_OWN, T1, 1);
    FAILS(t, RESTAB_BORROWED, TST_LIFT_OWN, T0, 1);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_OWN, T1, 2);
    FAILS(t, RESTAB_BORROWED, TST_LIFT_OWN, T0, 2);
    EXIT(t);
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T0, 2);
    DROP_BORROW(t, T0, 2, 6);
    EXIT(t);
    CHECK_EQ(LIFT_OWN(t, T0, 1), 5);
    restab_destroy(t);

    t = WASMTIME();
    CHECK_EQ(NEW(t, T0, 5), 1);
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T0, 6), 2);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_OWN, T0, 9);
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T1, 2);
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T0, 2);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, T0, 1), 5);
    CHECK_EQ(LIFT_BORROW(t, T0, 2), 6);
    FAILS(t, RESTAB_BORROWED, TST_LIFT_OWN, T1, 1);
    FAILS(t, RESTAB_BORROWED, TST_LIFT_OWN, T0, 1);
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T1, 2);
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T0, 2);
    EXIT(t);
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T0, 2);
    DROP_BORROW(t, T0, 2, 6);
    EXIT(t);
    CHECK_EQ(LIFT_OWN(t, T0, 1), 5);
    restab_destroy(t);
}

/* golden-spec/lift-borrow-no-scope */
static void test_golden_lift_borrow_no_scope(void)
{
    restab_tables *t = SPEC();
    CHECK_EQ(NEW(t, T0, 5), 1);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T0, 0);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T0, 2);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T1, 1);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T0, 1);
    DROP_OWN(t, T0, 1, 5);
    restab_destroy(t);

    t = WASMTIME();
    CHECK_EQ(NEW(t, T0, 5), 1);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_BORROW, T0, 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_BORROW, T0, 2);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_BORROW, T1, 1);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T0, 1);
    DROP_OWN(t, T0, 1, 5);
    restab_destroy(t);
}

/* golden-spec/limit-boundary: limit 3 issues handles 1 and 2 per table. */
static void test_golden_limit_boundary(void)
{
    for (int spec = 0; spec <= 1; spec++) {
        restab_tables *t = spec ? tst_create_spec(3, RESTAB_DEFAULT_MAX_LENDS)
                                : tst_create(3, RESTAB_DEFAULT_MAX_LENDS);
        CHECK_EQ(NEW(t, T0, 1), 1);
        CHECK_EQ(NEW(t, T0, 2), 2);
        FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T0, 3);
        FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_OWN, T1, 3);
        CHECK_EQ(NEW(t, T2, 4), 1);
        CHECK_EQ(NEW(t, T2, 5), 2);
        FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T2, 6);
        DROP_OWN(t, T0, 2, 2);
        CHECK_EQ(NEW(t, T0, 7), 2);
        ENTER(t);
        FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_BORROW, T0, 8);
        DROP_OWN(t, T2, 1, 4);
        CHECK_EQ(LOWER_BORROW(t, T2, 9), 1);
        CHECK_EQ(REP(t, T2, 1), 9);
        FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_BORROW, T2, 10);
        DROP_BORROW(t, T2, 1, 9);
        EXIT(t);
        restab_destroy(t);
    }
    /* the spec's own limit accepts ordinary use (2^28 entries are not made) */
    restab_tables *t = SPEC();
    for (uint32_t h = 1; h <= 300; h++)
        CHECK_EQ(NEW(t, T0, h), h);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, RESTAB_SPEC_DEFAULT_LIMIT - 1);
    restab_destroy(t);
}

/* ---- Observation ------------------------------------------------------ */

typedef struct text {
    char buf[8192];
    size_t len;
    int overflow;
} text;

static void collect(void *user, const char *s, size_t len)
{
    text *out = user;
    if (out->len + len >= sizeof out->buf) {
        out->overflow = 1;
        return;
    }
    memcpy(out->buf + out->len, s, len);
    out->len += len;
    out->buf[out->len] = '\0';
}

/* One state in both profiles: an own lent once, a borrow lent twice. */
static restab_tables *dump_state(int spec)
{
    restab_tables *t = spec ? SPEC() : WASMTIME();
    NEW(t, T0, 11);
    ENTER(t);
    LOWER_BORROW(t, T2, 22);
    ENTER(t);
    LIFT_BORROW(t, T0, 1);
    LIFT_BORROW(t, T2, 1);
    LIFT_BORROW(t, T2, 1);
    return t;
}

static void test_dump(void)
{
    text *out = calloc(1, sizeof *out);
    if (!CHECK(out != NULL))
        return;
    /* the wasmtime profile's dump is exactly what it was before profiles */
    restab_tables *t = dump_state(0);
    restab_dump(t, collect, out);
    static const char wasmtime_dump[] =
        "restab: 2 instances, 3 types, limit 1073741824, max lends 4294967295\n"
        "  t0 in instance 0\n"
        "  t1 in instance 0\n"
        "  t2 in instance 1\n"
        "table 0 (instance 0): 1 slots, next handle 2\n"
        "  1: own t0 rep 11 lends 1\n"
        "table 1 (instance 1): 1 slots, next handle 2\n"
        "  1: borrow t2 rep 22 scope 0\n"
        "table 2 (host): 0 slots, next handle 1\n"
        "scopes: 2\n"
        "  scope 0: borrow count 1, lenders: none\n"
        "  scope 1: borrow count 0, lenders: 0/1\n";
    tst_checkf(TST_HERE, strcmp(out->buf, wasmtime_dump) == 0,
               "wasmtime dump unchanged", "got:\n%s", out->buf);
    restab_destroy(t);

    memset(out, 0, sizeof *out);
    t = dump_state(1);
    restab_dump(t, collect, out);
    static const char spec_dump[] =
        "restab: 2 instances, 3 types, limit 268435456, max lends 4294967295, "
        "semantics spec\n"
        "  t0 in instance 0\n"
        "  t1 in instance 0\n"
        "  t2 in instance 1\n"
        "table 0 (instance 0): 1 slots, next handle 2\n"
        "  1: own t0 rep 11 lends 1\n"
        "table 1 (instance 1): 1 slots, next handle 2\n"
        "  1: borrow t2 rep 22 scope 0 lends 2\n"
        "table 2 (host): 0 slots, next handle 1\n"
        "scopes: 2\n"
        "  scope 0: borrow count 1, lenders: none\n"
        "  scope 1: borrow count 0, lenders: 0/1 1/1 1/1\n";
    tst_checkf(TST_HERE, strcmp(out->buf, spec_dump) == 0,
               "spec dump shows the profile and borrow lends", "got:\n%s",
               out->buf);
    CHECK(!out->overflow);
    free(out);
    EXIT(t);
    DROP_BORROW(t, T2, 1, 22);
    EXIT(t);
    DROP_OWN(t, T0, 1, 11);
    restab_destroy(t);
}

/* restab_table_slot reports borrow lends in the spec profile only. */
static void test_slot_info(void)
{
    for (int spec = 0; spec <= 1; spec++) {
        restab_tables *t = spec ? SPEC() : WASMTIME();
        ENTER(t);
        uint32_t b = LOWER_BORROW(t, HOST, 3);
        ENTER(t);
        LIFT_BORROW(t, HOST, b);
        restab_slot_info info;
        memset(&info, 0xee, sizeof info);
        CHECK_EQ(restab_table_slot(t, TABH, b, &info), 0);
        CHECK_EQ(info.kind, RESTAB_SLOT_BORROW);
        CHECK_EQ(info.lends, spec ? 1 : 0);
        CHECK_EQ(info.scope, 0);
        CHECK_EQ(restab_scope_lender_count(t, 1), spec ? 1 : 0);
        EXIT(t);
        memset(&info, 0xee, sizeof info);
        CHECK_EQ(restab_table_slot(t, TABH, b, &info), 0);
        CHECK_EQ(info.lends, 0);
        restab_destroy(t);
    }
}

/* Many borrows in growing tables keep their lends apart (side array). */
static void test_many_lent_borrows(void)
{
    restab_tables *t = SPEC();
    ENTER(t);
    for (uint32_t i = 1; i <= 300; i++)
        CHECK_EQ(LOWER_BORROW(t, T0, 1000 + i), i);
    ENTER(t);
    for (uint32_t i = 1; i <= 300; i += 3) {
        LIFT_BORROW(t, T0, i);
        if (i % 2)
            LIFT_BORROW(t, T0, i);
    }
    for (uint32_t i = 1; i <= 300; i++) {
        uint32_t want = (i - 1) % 3 ? 0 : i % 2 ? 2 : 1;
        CHECK_BORROW_LENT(t, TAB0, i, T0, 1000 + i, 0, want);
    }
    EXIT(t);
    for (uint32_t i = 300; i >= 1; i--)
        DROP_BORROW(t, T0, i, 1000 + i);
    EXIT(t);
    restab_destroy(t);
}

int main(void)
{
    test_config();
    test_new_lower_own();
    test_lower_borrow();
    test_rep();
    test_drop_own();
    test_drop_borrow();
    test_lift_own();
    test_lift_borrow_own();
    test_lift_borrow_borrow();
    test_max_lends_zero();
    test_enter_exit();
    test_golden_lift_borrow_of_borrow_lends();
    test_golden_borrow_lent_in_own_scope();
    test_golden_drop_check_order();
    test_golden_lift_own_check_order();
    test_golden_lift_borrow_no_scope();
    test_golden_limit_boundary();
    test_dump();
    test_slot_info();
    test_many_lent_borrows();
    return tst_finish("test_spec");
}
