/*
 * The operations table of SEMANTICS.md row by row, every error kind, the
 * order of the checks, handle numbering and reuse, host and guest tables,
 * invalid arguments, status names, the observation API and the dump.
 *
 * The set is the .ops default: t0, t1 in instance 0 (table 0), t2 in
 * instance 1 (table 1), the host table is table 2.
 */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- One row each ----------------------------------------------------- */

static void test_new(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(restab_table_size(t, TAB0), 0);
    CHECK_EQ(restab_table_next(t, TAB0), 1);
    CHECK_EQ(NEW(t, T0, 42), 1);
    CHECK_OWN(t, TAB0, 1, T0, 42, 0);
    CHECK_EQ(restab_table_size(t, TAB0), 1);
    CHECK_EQ(restab_table_next(t, TAB0), 2);
    CHECK_EQ(NEW(t, T1, 43), 2);
    CHECK_OWN(t, TAB0, 2, T1, 43, 0);
    CHECK_EQ(NEW(t, T0, 0), 3); /* rep 0 and UINT32_MAX are ordinary reps */
    CHECK_EQ(NEW(t, T0, UINT32_MAX), 4);
    CHECK_EQ(REP(t, T0, 3), 0);
    CHECK_EQ(REP(t, T0, 4), UINT32_MAX);
    /* new needs no scope and touches no scope */
    CHECK_EQ(restab_scope_count(t), 0);
    /* other tables untouched */
    CHECK_EQ(restab_table_size(t, TAB1), 0);
    CHECK_EQ(restab_table_size(t, TABH), 0);
    restab_destroy(t);
}

static void test_lower_own(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(LOWER_OWN(t, T2, 7), 1);
    CHECK_OWN(t, TAB1, 1, T2, 7, 0);
    CHECK_EQ(NEW(t, T2, 8), 2);
    CHECK_EQ(LOWER_OWN(t, HOST, 9), 1);
    CHECK_OWN(t, TABH, 1, HOST, 9, 0);
    /* lower_own in a scope is still an own and does not count as a borrow */
    ENTER(t);
    CHECK_EQ(LOWER_OWN(t, T2, 10), 3);
    CHECK_OWN(t, TAB1, 3, T2, 10, 0);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 0);
    EXIT(t);
    /* it shares the free list with new */
    DROP_OWN(t, T2, 1, 7);
    CHECK_EQ(LOWER_OWN(t, T2, 11), 1);
    CHECK_EQ(LIFT_OWN(t, T2, 1), 11);
    restab_destroy(t);
}

static void test_lower_borrow(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    FAILS(t, RESTAB_NO_SCOPE, TST_LOWER_BORROW, T0, 5);
    FAILS(t, RESTAB_NO_SCOPE, TST_LOWER_BORROW, HOST, 5);
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T0, 5), 1);
    CHECK_BORROW(t, TAB0, 1, T0, 5, 0);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 1);
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T1, 6), 2);
    CHECK_BORROW(t, TAB0, 2, T1, 6, 1);
    CHECK_EQ(LOWER_BORROW(t, HOST, 7), 1);
    CHECK_BORROW(t, TABH, 1, HOST, 7, 1);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 1);
    CHECK_EQ(restab_scope_borrow_count(t, 1), 2);
    /* no lender records: lower_borrow is not a loan of an own */
    CHECK_EQ(restab_scope_lender_count(t, 1), 0);
    DROP_BORROW(t, T1, 2, 6);
    DROP_BORROW(t, HOST, 1, 7);
    EXIT(t);
    DROP_BORROW(t, T0, 1, 5);
    EXIT(t);
    restab_destroy(t);
}

static void test_rep(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t own = NEW(t, T0, 100);
    ENTER(t);
    uint32_t borrow = LOWER_BORROW(t, T1, 101);
    CHECK_EQ(REP(t, T0, own), 100);
    CHECK_EQ(REP(t, T1, borrow), 101);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, 3);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T2, 1); /* other table */
    FAILS(t, RESTAB_WRONG_TYPE, TST_REP, T1, own);
    FAILS(t, RESTAB_WRONG_TYPE, TST_REP, T0, borrow);
    /* a lent own still has a rep */
    CHECK_EQ(LIFT_BORROW(t, T0, own), 100);
    CHECK_EQ(REP(t, T0, own), 100);
    DROP_BORROW(t, T1, borrow, 101);
    EXIT(t);
    restab_destroy(t);
}

static void test_drop_own(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t h = NEW(t, T0, 55);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, h);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T0, 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T0, h + 1);
    ENTER(t);
    LIFT_BORROW(t, T0, h);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T0, h);
    EXIT(t);
    DROP_OWN(t, T0, h, 55);
    CHECK_FREE(t, TAB0, h);
    CHECK_EQ(restab_table_size(t, TAB0), 1); /* slots are not shrunk */
    CHECK_EQ(restab_table_next(t, TAB0), h);
    /* a freed handle is unknown; a second drop fails */
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T0, h);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, h);
    /* dropping an own inside a scope touches no scope */
    ENTER(t);
    uint32_t g = NEW(t, HOST, 56);
    DROP_OWN(t, HOST, g, 56);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 0);
    EXIT(t);
    restab_destroy(t);
}

static void test_drop_borrow(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T1, 66);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T0, b);
    FAILS(t, RESTAB_BORROWS_REMAIN, TST_EXIT, 0, 0);
    DROP_BORROW(t, T1, b, 66);
    CHECK_FREE(t, TAB0, b);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T1, b);
    EXIT(t);
    restab_destroy(t);
}

static void test_lift_own(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t h = NEW(t, T0, 100);
    uint32_t g = NEW(t, T0, 101);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_OWN, T1, h);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_OWN, T0, 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_OWN, T0, 3);
    CHECK_EQ(LIFT_OWN(t, T0, h), 100);
    CHECK_FREE(t, TAB0, h);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_OWN, T0, h);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, h);
    CHECK_EQ(NEW(t, T0, 102), h); /* lift_own frees into the same list */
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T0, 103);
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T0, b);
    LIFT_BORROW(t, T0, g);
    FAILS(t, RESTAB_BORROWED, TST_LIFT_OWN, T0, g);
    DROP_BORROW(t, T0, b, 103);
    EXIT(t);
    CHECK_EQ(LIFT_OWN(t, T0, g), 101);
    CHECK_EQ(LIFT_OWN(t, T0, h), 102);
    restab_destroy(t);
}

static void test_lift_borrow_own(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t h = NEW(t, T2, 77);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T2, h);
    ENTER(t);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_BORROW, T2, 0);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_BORROW, T2, h + 1);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_BORROW, T0, h);
    CHECK_EQ(LIFT_BORROW(t, T2, h), 77);
    CHECK_OWN(t, TAB1, h, T2, 77, 1);
    CHECK_EQ(restab_scope_lender_count(t, 0), 1);
    uint32_t table = 99, handle = 99;
    CHECK_EQ(restab_scope_lender(t, 0, 0, &table, &handle), 0);
    CHECK_EQ(table, TAB1);
    CHECK_EQ(handle, h);
    /* lending creates no borrow entry and no borrow count */
    CHECK_EQ(restab_scope_borrow_count(t, 0), 0);
    CHECK_EQ(restab_table_size(t, TAB1), 1);
    EXIT(t);
    CHECK_OWN(t, TAB1, h, T2, 77, 0);
    DROP_OWN(t, T2, h, 77);
    restab_destroy(t);
}

static void test_lift_borrow_borrow(void)
{
    /* max_lends 0: any loan of an own fails, a borrow still lifts */
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, 0);
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, HOST, 88);
    tst_snapshot before, after;
    tst_snap_take(&before, t);
    CHECK_EQ(LIFT_BORROW(t, HOST, b), 88);
    CHECK_EQ(LIFT_BORROW(t, HOST, b), 88);
    tst_snap_take(&after, t);
    char why[256];
    CHECK(tst_snap_equal(&before, &after, why, sizeof why));
    tst_snap_free(&before);
    tst_snap_free(&after);
    CHECK_EQ(restab_scope_lender_count(t, 0), 0);
    CHECK_BORROW(t, TABH, b, HOST, 88, 0);
    /* a borrow from an outer scope lifts inside an inner scope, unchanged */
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, HOST, b), 88);
    CHECK_EQ(restab_scope_lender_count(t, 1), 0);
    CHECK_EQ(restab_scope_borrow_count(t, 1), 0);
    EXIT(t);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_BORROW, HOST, b + 1);
    uint32_t c = LOWER_BORROW(t, T0, 89);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_BORROW, T1, c);
    DROP_BORROW(t, HOST, b, 88);
    DROP_BORROW(t, T0, c, 89);
    EXIT(t);
    restab_destroy(t);
}

static void test_enter_exit(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    FAILS(t, RESTAB_NO_SCOPE, TST_EXIT, 0, 0);
    CHECK_EQ(restab_scope_count(t), 0);
    for (uint32_t i = 1; i <= 40; i++) {
        ENTER(t);
        CHECK_EQ(restab_scope_count(t), i);
        CHECK_EQ(restab_scope_borrow_count(t, i - 1), 0);
        CHECK_EQ(restab_scope_lender_count(t, i - 1), 0);
    }
    for (uint32_t i = 40; i > 0; i--) {
        EXIT(t);
        CHECK_EQ(restab_scope_count(t), i - 1);
    }
    FAILS(t, RESTAB_NO_SCOPE, TST_EXIT, 0, 0);
    /* borrows-remain comes from the top scope only */
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T0, 1);
    ENTER(t);
    EXIT(t); /* the inner scope has no borrows of its own */
    FAILS(t, RESTAB_BORROWS_REMAIN, TST_EXIT, 0, 0);
    DROP_BORROW(t, T0, b, 1);
    EXIT(t);
    FAILS(t, RESTAB_NO_SCOPE, TST_EXIT, 0, 0);
    restab_destroy(t);
}

/* ---- Check order ------------------------------------------------------ */

static void test_check_order(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t own = NEW(t, T0, 60);
    ENTER(t);
    LIFT_BORROW(t, T0, own);
    /* a lent own with the wrong type: borrowed before wrong-type */
    FAILS(t, RESTAB_BORROWED, TST_DROP, T1, own);
    FAILS(t, RESTAB_BORROWED, TST_LIFT_OWN, T1, own);
    /* look up comes first of all */
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, T1, 0);
    uint32_t borrow = LOWER_BORROW(t, T1, 61);
    /* a borrow in lift_own with the wrong type: not-own before wrong-type */
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T0, borrow);
    FAILS(t, RESTAB_NOT_OWN, TST_LIFT_OWN, T1, borrow);
    /* a borrow is never "borrowed": drop checks only the type */
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T0, borrow);
    /* lift_borrow of an own: type before anything about loans */
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_BORROW, T1, own);
    DROP_BORROW(t, T1, borrow, 61);
    EXIT(t);
    /* unlent own with the wrong type */
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, own);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_OWN, T1, own);
    /* no scope: type check still first */
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_BORROW, T1, own);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_BORROW, T0, own + 1);
    FAILS(t, RESTAB_NO_SCOPE, TST_LIFT_BORROW, T0, own);
    DROP_OWN(t, T0, own, 60);
    restab_destroy(t);

    /*
     * lift_borrow of an own: wrong-type before lend-overflow before no-scope.
     * With max_lends 0 an own is at its maximum without any scope.
     */
    t = tst_create(RESTAB_DEFAULT_LIMIT, 0);
    own = NEW(t, T0, 62);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_BORROW, T1, own);
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, T0, own);
    ENTER(t);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_BORROW, T1, own);
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, T0, own);
    EXIT(t);
    restab_destroy(t);

    /* lower_borrow: no-scope before handle-overflow */
    t = tst_create(1, RESTAB_DEFAULT_MAX_LENDS);
    FAILS(t, RESTAB_NO_SCOPE, TST_LOWER_BORROW, T0, 1);
    FAILS(t, RESTAB_NO_SCOPE, TST_LOWER_BORROW, HOST, 1);
    ENTER(t);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_BORROW, T0, 1);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_BORROW, HOST, 1);
    EXIT(t);
    restab_destroy(t);

    /* exit: no-scope, then borrows-remain */
    t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    FAILS(t, RESTAB_NO_SCOPE, TST_EXIT, 0, 0);
    ENTER(t);
    uint32_t b = LOWER_BORROW(t, T2, 3);
    FAILS(t, RESTAB_BORROWS_REMAIN, TST_EXIT, 0, 0);
    DROP_BORROW(t, T2, b, 3);
    EXIT(t);
    restab_destroy(t);
}

/* ---- Handle numbers --------------------------------------------------- */

static void test_reuse_order(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(NEW(t, T0, 100), 1);
    CHECK_EQ(NEW(t, T0, 200), 2);
    CHECK_EQ(NEW(t, T0, 300), 3);
    DROP_OWN(t, T0, 1, 100);
    CHECK_EQ(restab_table_next(t, TAB0), 1);
    DROP_OWN(t, T0, 2, 200);
    CHECK_EQ(restab_table_next(t, TAB0), 2);
    DROP_OWN(t, T0, 3, 300);
    CHECK_EQ(restab_table_next(t, TAB0), 3);
    CHECK_EQ(NEW(t, T0, 500), 3);
    CHECK_EQ(NEW(t, T0, 600), 2);
    CHECK_EQ(NEW(t, T0, 700), 1);
    CHECK_EQ(NEW(t, T0, 800), 4);
    DROP_OWN(t, T0, 3, 500);
    DROP_OWN(t, T0, 1, 700);
    DROP_OWN(t, T0, 2, 600);
    CHECK_EQ(NEW(t, T0, 1), 2);
    CHECK_EQ(NEW(t, T0, 2), 1);
    CHECK_EQ(NEW(t, T0, 3), 3);
    CHECK_EQ(NEW(t, T0, 4), 5);
    CHECK_EQ(restab_table_size(t, TAB0), 5);

    /* every way of freeing feeds the same list: lift_own, borrow drops */
    LIFT_OWN(t, T0, 2);
    ENTER(t);
    CHECK_EQ(LOWER_BORROW(t, T1, 9), 2);
    CHECK_EQ(LOWER_BORROW(t, T1, 10), 6);
    DROP_BORROW(t, T1, 6, 10);
    DROP_BORROW(t, T1, 2, 9);
    CHECK_EQ(restab_table_next(t, TAB0), 2);
    CHECK_EQ(LOWER_OWN(t, T0, 11), 2);
    CHECK_EQ(NEW(t, T1, 12), 6);
    CHECK_EQ(NEW(t, T1, 13), 7);
    EXIT(t);
    restab_destroy(t);
}

static void test_bad_indexes(void)
{
    static const uint32_t bad[] = {0,
                                   2,
                                   (UINT32_C(1) << 30) - 1,
                                   UINT32_C(1) << 30,
                                   UINT32_C(1) << 31,
                                   UINT32_MAX};
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    NEW(t, T0, 5);
    NEW(t, HOST, 6);
    for (int pass = 0; pass < 2; pass++) {
        /* pass 1 also has a scope, so lift_borrow gets past no-scope */
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            static const restab_resource res[] = {T0, T1, T2, HOST};
            for (size_t r = 0; r < 4; r++) {
                FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, res[r], bad[i]);
                FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_DROP, res[r], bad[i]);
                FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_OWN, res[r], bad[i]);
                FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_LIFT_BORROW, res[r], bad[i]);
            }
        }
        FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T2, 1);
        if (pass == 0)
            ENTER(t);
    }
    EXIT(t);
    CHECK_EQ(REP(t, T0, 1), 5);
    CHECK_EQ(REP(t, HOST, 1), 6);
    restab_destroy(t);
}

/* ---- Tables ----------------------------------------------------------- */

static void test_host_table(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(restab_table_count(t), 3);
    CHECK_EQ(restab_table_of(t, HOST), TABH);
    CHECK_EQ(NEW(t, HOST, 7), 1);
    CHECK_EQ(NEW(t, T0, 8), 1); /* separate handle spaces */
    CHECK_EQ(NEW(t, T2, 9), 1);
    CHECK_EQ(REP(t, HOST, 1), 7);
    CHECK_EQ(REP(t, T0, 1), 8);
    CHECK_EQ(REP(t, T2, 1), 9);
    CHECK_OWN(t, TABH, 1, HOST, 7, 0);
    CHECK_EQ(NEW(t, HOST, 10), 2);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, 2); /* host 2 is not t0 2 */
    DROP_OWN(t, HOST, 1, 7);
    CHECK_EQ(restab_table_next(t, TABH), 1);
    CHECK_EQ(restab_table_next(t, TAB0), 2);
    CHECK_EQ(NEW(t, HOST, 11), 1);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, HOST, 2), 10);
    CHECK_OWN(t, TABH, 2, HOST, 10, 1);
    uint32_t table = 99, handle = 99;
    CHECK_EQ(restab_scope_lender(t, 0, 0, &table, &handle), 0);
    CHECK_EQ(table, TABH);
    CHECK_EQ(handle, 2);
    CHECK_EQ(LOWER_BORROW(t, HOST, 12), 3);
    CHECK_BORROW(t, TABH, 3, HOST, 12, 0);
    CHECK_EQ(REP(t, HOST, 3), 12);
    DROP_BORROW(t, HOST, 3, 12);
    FAILS(t, RESTAB_BORROWED, TST_DROP, HOST, 2);
    EXIT(t);
    DROP_OWN(t, HOST, 2, 10);
    CHECK_EQ(LIFT_OWN(t, HOST, 1), 11);
    /* the guest entries are untouched by all of that */
    CHECK_OWN(t, TAB0, 1, T0, 8, 0);
    CHECK_OWN(t, TAB1, 1, T2, 9, 0);
    restab_destroy(t);

    /* zero instances: only the host table */
    t = tst_create_shaped(0, 0, NULL, RESTAB_DEFAULT_LIMIT,
                          RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(restab_table_count(t), 1);
    CHECK_EQ(restab_table_of(t, HOST), 0);
    CHECK_EQ(restab_table_of(t, 0), UINT32_MAX);
    CHECK_EQ(NEW(t, HOST, 1), 1);
    CHECK_OWN(t, 0, 1, HOST, 1, 0);
    FAILS(t, RESTAB_INVALID_ARGUMENT, TST_NEW, 0, 1);
    restab_destroy(t);
}

static void test_shared_instance_table(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(restab_table_of(t, T0), TAB0);
    CHECK_EQ(restab_table_of(t, T1), TAB0);
    CHECK_EQ(restab_table_of(t, T2), TAB1);
    CHECK_EQ(NEW(t, T0, 10), 1);
    CHECK_EQ(NEW(t, T1, 11), 2); /* one numbering for t0 and t1 */
    CHECK_EQ(NEW(t, T2, 12), 1);
    CHECK_EQ(REP(t, T0, 1), 10);
    CHECK_EQ(REP(t, T1, 2), 11);
    CHECK_EQ(REP(t, T2, 1), 12);
    /* each entry remembers its type */
    FAILS(t, RESTAB_WRONG_TYPE, TST_REP, T1, 1);
    FAILS(t, RESTAB_WRONG_TYPE, TST_REP, T0, 2);
    FAILS(t, RESTAB_WRONG_TYPE, TST_DROP, T1, 1);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_OWN, T0, 2);
    ENTER(t);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_BORROW, T0, 2);
    EXIT(t);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T2, 2); /* table 1 has one slot */
    DROP_OWN(t, T0, 1, 10);
    CHECK_EQ(NEW(t, T1, 13), 1); /* a t0 slot is reused by t1 */
    CHECK_OWN(t, TAB0, 1, T1, 13, 0);
    FAILS(t, RESTAB_WRONG_TYPE, TST_REP, T0, 1);
    restab_destroy(t);

    /* three instances; types mapped out of order */
    static const uint32_t shape[] = {2, 1, 0, 2};
    t = tst_create_shaped(3, 4, shape, RESTAB_DEFAULT_LIMIT,
                          RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(restab_table_count(t), 4);
    CHECK_EQ(restab_table_of(t, 0), 2);
    CHECK_EQ(restab_table_of(t, 3), 2);
    CHECK_EQ(restab_table_of(t, HOST), 3);
    CHECK_EQ(NEW(t, 0, 1), 1);
    CHECK_EQ(NEW(t, 3, 2), 2);
    CHECK_EQ(NEW(t, 1, 3), 1);
    CHECK_EQ(NEW(t, 2, 4), 1);
    CHECK_OWN(t, 2, 2, 3, 2, 0);
    CHECK_OWN(t, 1, 1, 1, 3, 0);
    CHECK_OWN(t, 0, 1, 2, 4, 0);
    FAILS(t, RESTAB_WRONG_TYPE, TST_REP, 3, 1);
    FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, 1, 2);
    restab_destroy(t);
}

/* ---- Invalid arguments ------------------------------------------------ */

static void test_invalid_config(void)
{
    restab_config cfg;
    memset(&cfg, 0x5a, sizeof cfg);
    restab_config_init(&cfg);
    CHECK_EQ(cfg.instances, 0);
    CHECK_EQ(cfg.types, 0);
    CHECK(cfg.type_instance == NULL);
    CHECK_EQ(cfg.limit, RESTAB_DEFAULT_LIMIT);
    CHECK_EQ(cfg.limit, UINT32_C(1) << 30);
    CHECK_EQ(cfg.max_lends, UINT32_MAX);
    CHECK(cfg.alloc == NULL);

    restab_tables *good = tst_create(RESTAB_DEFAULT_LIMIT, 1);
    restab_tables *out = good;
    CHECK_STATUS(restab_create(NULL, &out), RESTAB_INVALID_ARGUMENT);
    CHECK(out == good);
    CHECK_STATUS(restab_create(&cfg, NULL), RESTAB_INVALID_ARGUMENT);

    cfg.instances = 1;
    cfg.types = 2;
    cfg.type_instance = NULL;
    CHECK_STATUS(restab_create(&cfg, &out), RESTAB_INVALID_ARGUMENT);
    CHECK(out == good);

    static const uint32_t past[] = {0, 1};
    cfg.type_instance = past; /* type 1 names instance 1 of 1 */
    CHECK_STATUS(restab_create(&cfg, &out), RESTAB_INVALID_ARGUMENT);
    CHECK(out == good);

    static const uint32_t far[] = {UINT32_MAX};
    cfg.types = 1;
    cfg.type_instance = far;
    CHECK_STATUS(restab_create(&cfg, &out), RESTAB_INVALID_ARGUMENT);
    CHECK(out == good);

    cfg.instances = 0; /* types need instances */
    cfg.type_instance = past;
    CHECK_STATUS(restab_create(&cfg, &out), RESTAB_INVALID_ARGUMENT);
    CHECK(out == good);

    cfg.instances = 1;
    cfg.types = RESTAB_MAX_TYPES + 1; /* rejected before type_instance is read */
    CHECK_STATUS(restab_create(&cfg, &out), RESTAB_INVALID_ARGUMENT);
    cfg.types = UINT32_MAX;
    CHECK_STATUS(restab_create(&cfg, &out), RESTAB_INVALID_ARGUMENT);
    CHECK(out == good);

    /* type_instance need not outlive the call */
    uint32_t local[] = {0, 0};
    cfg.types = 2;
    cfg.type_instance = local;
    CHECK_STATUS(restab_create(&cfg, &out), RESTAB_OK);
    CHECK(out != good && out != NULL);
    local[1] = 7;
    CHECK_EQ(restab_table_of(out, 1), 0);
    CHECK_EQ(NEW(out, 1, 5), 1);
    restab_destroy(out);

    /* types 0 with a NULL map is fine */
    cfg.types = 0;
    cfg.type_instance = NULL;
    out = NULL;
    CHECK_STATUS(restab_create(&cfg, &out), RESTAB_OK);
    CHECK(out != NULL);
    restab_destroy(out);

    restab_destroy(good);
    restab_destroy(NULL); /* allowed */
}

static void test_invalid_arguments(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t own = NEW(t, T0, 1);
    static const restab_resource bad_res[] = {3, 4, UINT32_C(1) << 30,
                                              RESTAB_HOST - 1};
    static const tst_op ops[] = {TST_NEW, TST_LOWER_OWN, TST_LOWER_BORROW,
                                 TST_REP, TST_DROP, TST_LIFT_OWN,
                                 TST_LIFT_BORROW};
    for (int pass = 0; pass < 2; pass++) {
        for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
            for (size_t r = 0; r < sizeof bad_res / sizeof bad_res[0]; r++) {
                /* before no-scope and unknown-handle */
                FAILS(t, RESTAB_INVALID_ARGUMENT, ops[o], bad_res[r], own);
                FAILS(t, RESTAB_INVALID_ARGUMENT, ops[o], bad_res[r], 0);
            }
        }
        if (pass == 0)
            ENTER(t);
    }

    /* NULL out-parameters, before any other check */
    uint32_t v = 0;
    restab_dropped d;
    CHECK_STATUS(restab_resource_new(t, T0, 1, NULL), RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_lower_own(t, T0, 1, NULL),
                 RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_lower_borrow(t, T0, 1, NULL),
                 RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_rep(t, T0, own, NULL), RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_drop(t, T0, own, NULL), RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_lift_own(t, T0, own, NULL),
                 RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_lift_borrow(t, T0, own, NULL),
                 RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_rep(t, T0, 0, NULL), RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_drop(t, T1, 0, NULL), RESTAB_INVALID_ARGUMENT);
    CHECK_EQ(restab_table_size(t, TAB0), 1);
    CHECK_EQ(restab_scope_lender_count(t, 0), 0);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 0);
    CHECK_OWN(t, TAB0, own, T0, 1, 0);
    CHECK_INTEGRITY(t);
    EXIT(t);
    /* without a scope: invalid-argument before no-scope */
    CHECK_STATUS(restab_resource_lower_borrow(t, T0, 1, NULL),
                 RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_lift_borrow(t, T0, own, NULL),
                 RESTAB_INVALID_ARGUMENT);

    /* NULL table set */
    CHECK_STATUS(restab_resource_new(NULL, T0, 1, &v), RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_lower_own(NULL, T0, 1, &v),
                 RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_lower_borrow(NULL, T0, 1, &v),
                 RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_rep(NULL, T0, 1, &v), RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_drop(NULL, T0, 1, &d), RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_lift_own(NULL, T0, 1, &v),
                 RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_resource_lift_borrow(NULL, T0, 1, &v),
                 RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_call_enter(NULL), RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(restab_call_exit(NULL), RESTAB_INVALID_ARGUMENT);
    CHECK_EQ(v, 0);
    restab_destroy(t);
}

/* ---- Status names ----------------------------------------------------- */

static void test_status_names(void)
{
    static const struct {
        restab_status status;
        int value;
        const char *name;
    } expected[] = {
        {RESTAB_OK, 0, "ok"},
        {RESTAB_UNKNOWN_HANDLE, 1, "unknown-handle"},
        {RESTAB_WRONG_TYPE, 2, "wrong-type"},
        {RESTAB_BORROWED, 3, "borrowed"},
        {RESTAB_NOT_OWN, 4, "not-own"},
        {RESTAB_BORROWS_REMAIN, 5, "borrows-remain"},
        {RESTAB_HANDLE_OVERFLOW, 6, "handle-overflow"},
        {RESTAB_NO_SCOPE, 7, "no-scope"},
        {RESTAB_OUT_OF_MEMORY, 8, "out-of-memory"},
        {RESTAB_LEND_OVERFLOW, 9, "lend-overflow"},
        {RESTAB_INVALID_ARGUMENT, 10, "invalid-argument"},
    };
    const size_t n = sizeof expected / sizeof expected[0];
    for (size_t i = 0; i < n; i++) {
        const char *name = restab_status_name(expected[i].status);
        const char *str = restab_status_str(expected[i].status);
        CHECK_EQ((int)expected[i].status, expected[i].value);
        CHECK(name != NULL && strcmp(name, expected[i].name) == 0);
        CHECK(str != NULL && strlen(str) > 3);
        if (str == NULL)
            continue;
        for (size_t j = 0; j < i; j++) {
            const char *other = restab_status_str(expected[j].status);
            CHECK(other != NULL && strcmp(str, other) != 0);
        }
        CHECK(name == NULL || strcmp(str, name) != 0);
    }
    static const restab_status unknown[] = {(restab_status)11,
                                            (restab_status)1000};
    for (size_t i = 0; i < 2; i++) {
        const char *name = restab_status_name(unknown[i]);
        const char *str = restab_status_str(unknown[i]);
        CHECK(name != NULL && strcmp(name, "unknown-status") == 0);
        CHECK(str != NULL && strlen(str) > 0);
        for (size_t j = 0; j < n && str != NULL; j++)
            CHECK(strcmp(str, restab_status_str(expected[j].status)) != 0);
    }
}

/* ---- Observation API edges -------------------------------------------- */

static void test_observation_edges(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    NEW(t, T0, 1);
    CHECK_EQ(restab_table_of(t, 3), UINT32_MAX);
    CHECK_EQ(restab_table_of(t, RESTAB_HOST - 1), UINT32_MAX);
    CHECK_EQ(restab_table_size(t, 3), 0);
    CHECK_EQ(restab_table_size(t, UINT32_MAX), 0);
    CHECK_EQ(restab_table_next(t, 3), 0);
    restab_slot_info info;
    CHECK_EQ(restab_table_slot(t, TAB0, 0, &info), -1);
    CHECK_EQ(restab_table_slot(t, TAB0, 2, &info), -1);
    CHECK_EQ(restab_table_slot(t, TAB1, 1, &info), -1);
    CHECK_EQ(restab_table_slot(t, 3, 1, &info), -1);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 0);
    CHECK_EQ(restab_scope_lender_count(t, 0), 0);
    uint32_t table = 5, handle = 6;
    CHECK_EQ(restab_scope_lender(t, 0, 0, &table, &handle), -1);
    ENTER(t);
    CHECK_EQ(restab_scope_lender(t, 0, 0, &table, &handle), -1);
    LIFT_BORROW(t, T0, 1);
    CHECK_EQ(restab_scope_lender(t, 0, 1, &table, &handle), -1);
    CHECK_EQ(restab_scope_lender(t, 1, 0, &table, &handle), -1);
    CHECK_EQ(table, 5);
    CHECK_EQ(handle, 6);
    CHECK_EQ(restab_scope_lender(t, 0, 0, &table, &handle), 0);
    CHECK_EQ(table, TAB0);
    CHECK_EQ(handle, 1);
    CHECK_EQ(restab_scope_borrow_count(t, 1), 0);
    CHECK_EQ(restab_scope_lender_count(t, 1), 0);
    CHECK_EQ(restab_check(t, NULL, 0), 0);
    EXIT(t);
    restab_destroy(t);
}

/* ---- Dump ------------------------------------------------------------- */

typedef struct text {
    char buf[16384];
    size_t len;
    int overflow;
    int calls;
} text;

static void collect(void *user, const char *s, size_t len)
{
    text *out = user;
    out->calls++;
    if (out->len + len >= sizeof out->buf) {
        out->overflow = 1;
        return;
    }
    memcpy(out->buf + out->len, s, len);
    out->len += len;
    out->buf[out->len] = '\0';
}

static void test_dump(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    NEW(t, T0, 111111);
    NEW(t, T1, 222222);
    NEW(t, T2, 333333);
    NEW(t, HOST, 444444);
    ENTER(t);
    LIFT_BORROW(t, T0, 1);
    LOWER_BORROW(t, T1, 555555);
    NEW(t, T0, 666666);
    DROP_OWN(t, T0, 4, 666666);
    text *out = calloc(1, sizeof *out);
    CHECK(out != NULL);
    if (out == NULL)
        return;
    restab_dump(t, collect, out);
    CHECK(out->calls > 0);
    CHECK(out->len > 0);
    CHECK(!out->overflow);
    CHECK(strlen(out->buf) == out->len); /* no NUL inside */
    static const char *const reps[] = {"111111", "222222", "333333", "444444",
                                       "555555"};
    for (size_t i = 0; i < sizeof reps / sizeof reps[0]; i++)
        tst_checkf(TST_HERE, strstr(out->buf, reps[i]) != NULL,
                   "dump names each live entry", "rep %s missing from:\n%s",
                   reps[i], out->buf);
    free(out);
    DROP_BORROW(t, T1, 3, 555555);
    EXIT(t);
    restab_destroy(t);
}

int main(void)
{
    test_new();
    test_lower_own();
    test_lower_borrow();
    test_rep();
    test_drop_own();
    test_drop_borrow();
    test_lift_own();
    test_lift_borrow_own();
    test_lift_borrow_borrow();
    test_enter_exit();
    test_check_order();
    test_reuse_order();
    test_bad_indexes();
    test_host_table();
    test_shared_instance_table();
    test_invalid_config();
    test_invalid_arguments();
    test_status_names();
    test_observation_edges();
    test_dump();
    return tst_finish("test_ops");
}
