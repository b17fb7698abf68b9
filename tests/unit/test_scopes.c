/*
 * Call scopes: nested scopes and the borrow counts of outer scopes, lends
 * and lender records, which scope an exit releases, and lend-overflow.
 *
 * The set is the .ops default: t0, t1 in instance 0 (table 0), t2 in
 * instance 1 (table 1), the host table is table 2.
 */
#include "test_support.h"

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

static void test_outer_borrow_dropped_inside(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    ENTER(t);
    uint32_t outer = LOWER_BORROW(t, T0, 90);
    CHECK_BORROW(t, TAB0, outer, T0, 90, 0);
    ENTER(t);
    uint32_t inner = LOWER_BORROW(t, T0, 91);
    CHECK_BORROW(t, TAB0, inner, T0, 91, 1);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 1);
    CHECK_EQ(restab_scope_borrow_count(t, 1), 1);
    DROP_BORROW(t, T0, outer, 90); /* counts against scope 0, not the top */
    CHECK_EQ(restab_scope_borrow_count(t, 0), 0);
    CHECK_EQ(restab_scope_borrow_count(t, 1), 1);
    FAILS(t, RESTAB_BORROWS_REMAIN, TST_EXIT, 0, 0);
    DROP_BORROW(t, T0, inner, 91);
    CHECK_EQ(restab_scope_borrow_count(t, 1), 0);
    EXIT(t);
    EXIT(t); /* scope 0 has nothing left either */
    CHECK_EQ(restab_scope_count(t), 0);
    restab_destroy(t);
}

static void test_nested_scopes(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(NEW(t, T0, 80), 1);
    CHECK_EQ(NEW(t, T0, 81), 2);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, T0, 1), 80);
    CHECK_EQ(LOWER_BORROW(t, T0, 80), 3);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, T0, 2), 81);
    CHECK_EQ(LOWER_BORROW(t, T0, 81), 4);
    CHECK_EQ(restab_scope_lender_count(t, 0), 1);
    CHECK_EQ(restab_scope_lender_count(t, 1), 1);
    CHECK_LENDER(t, 0, 0, TAB0, 1);
    CHECK_LENDER(t, 1, 0, TAB0, 2);
    DROP_BORROW(t, T0, 3, 80);
    FAILS(t, RESTAB_BORROWS_REMAIN, TST_EXIT, 0, 0);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 0);
    CHECK_EQ(restab_scope_borrow_count(t, 1), 1);
    DROP_BORROW(t, T0, 4, 81);
    EXIT(t);
    CHECK_OWN(t, TAB0, 2, T0, 81, 0);
    CHECK_OWN(t, TAB0, 1, T0, 80, 1);
    EXIT(t);
    CHECK_OWN(t, TAB0, 1, T0, 80, 0);
    DROP_OWN(t, T0, 1, 80);
    DROP_OWN(t, T0, 2, 81);
    restab_destroy(t);
}

static void test_lend_twice(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t h = NEW(t, T0, 50);
    ENTER(t);
    CHECK_EQ(LIFT_BORROW(t, T0, h), 50);
    CHECK_EQ(LIFT_BORROW(t, T0, h), 50);
    CHECK_OWN(t, TAB0, h, T0, 50, 2);
    CHECK_EQ(restab_scope_lender_count(t, 0), 2);
    CHECK_LENDER(t, 0, 0, TAB0, h);
    CHECK_LENDER(t, 0, 1, TAB0, h);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T0, h);
    FAILS(t, RESTAB_BORROWED, TST_LIFT_OWN, T0, h);
    EXIT(t); /* releases both */
    CHECK_OWN(t, TAB0, h, T0, 50, 0);
    DROP_OWN(t, T0, h, 50);
    restab_destroy(t);
}

static void test_exit_releases_its_scope_only(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t a = NEW(t, T0, 110);
    uint32_t b = NEW(t, T2, 111);
    uint32_t c = NEW(t, HOST, 112);
    ENTER(t);
    LIFT_BORROW(t, T0, a);
    LIFT_BORROW(t, HOST, c);
    ENTER(t);
    LIFT_BORROW(t, T0, a);
    LIFT_BORROW(t, T2, b);
    ENTER(t); /* an empty scope in between */
    EXIT(t);
    CHECK_OWN(t, TAB0, a, T0, 110, 2);
    CHECK_OWN(t, TAB1, b, T2, 111, 1);
    CHECK_OWN(t, TABH, c, HOST, 112, 1);
    CHECK_EQ(restab_scope_lender_count(t, 0), 2);
    CHECK_EQ(restab_scope_lender_count(t, 1), 2);
    CHECK_LENDER(t, 0, 0, TAB0, a);
    CHECK_LENDER(t, 0, 1, TABH, c);
    CHECK_LENDER(t, 1, 0, TAB0, a);
    CHECK_LENDER(t, 1, 1, TAB1, b);
    EXIT(t);
    CHECK_OWN(t, TAB0, a, T0, 110, 1);
    CHECK_OWN(t, TAB1, b, T2, 111, 0);
    CHECK_OWN(t, TABH, c, HOST, 112, 1);
    CHECK_EQ(restab_scope_lender_count(t, 0), 2);
    FAILS(t, RESTAB_BORROWED, TST_DROP, T0, a);
    FAILS(t, RESTAB_BORROWED, TST_DROP, HOST, c);
    DROP_OWN(t, T2, b, 111);
    /* a new scope starts with no lenders and does not see scope 0's */
    ENTER(t);
    CHECK_EQ(restab_scope_lender_count(t, 1), 0);
    LIFT_BORROW(t, T0, a);
    CHECK_EQ(restab_scope_lender_count(t, 1), 1);
    CHECK_LENDER(t, 1, 0, TAB0, a);
    EXIT(t);
    CHECK_OWN(t, TAB0, a, T0, 110, 1);
    EXIT(t);
    CHECK_OWN(t, TAB0, a, T0, 110, 0);
    CHECK_OWN(t, TABH, c, HOST, 112, 0);
    CHECK_EQ(LIFT_OWN(t, T0, a), 110);
    CHECK_EQ(LIFT_OWN(t, HOST, c), 112);
    restab_destroy(t);
}

static void test_failed_exit_keeps_lends(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t a = NEW(t, T1, 5);
    ENTER(t);
    LIFT_BORROW(t, T1, a);
    uint32_t b = LOWER_BORROW(t, T1, 6);
    /* wasmtime 35 releases the lends before it notices the borrow */
    FAILS(t, RESTAB_BORROWS_REMAIN, TST_EXIT, 0, 0);
    CHECK_OWN(t, TAB0, a, T1, 5, 1);
    CHECK_EQ(restab_scope_lender_count(t, 0), 1);
    DROP_BORROW(t, T1, b, 6);
    EXIT(t);
    CHECK_OWN(t, TAB0, a, T1, 5, 0);
    restab_destroy(t);
}

static void test_lend_overflow(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, 2);
    uint32_t a = NEW(t, T0, 1);
    uint32_t b = NEW(t, T0, 2);
    ENTER(t);
    LIFT_BORROW(t, T0, a);
    LIFT_BORROW(t, T0, a);
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, T0, a);
    FAILS(t, RESTAB_WRONG_TYPE, TST_LIFT_BORROW, T1, a);
    /* the bound is per own, and across scopes */
    LIFT_BORROW(t, T0, b);
    ENTER(t);
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, T0, a);
    LIFT_BORROW(t, T0, b);
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, T0, b);
    CHECK_OWN(t, TAB0, a, T0, 1, 2);
    CHECK_OWN(t, TAB0, b, T0, 2, 2);
    EXIT(t);
    CHECK_OWN(t, TAB0, b, T0, 2, 1);
    LIFT_BORROW(t, T0, b); /* room again */
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, T0, b);
    /* borrows are not lent, so they never overflow */
    uint32_t c = LOWER_BORROW(t, T0, 3);
    for (int i = 0; i < 5; i++)
        LIFT_BORROW(t, T0, c);
    DROP_BORROW(t, T0, c, 3);
    EXIT(t);
    CHECK_OWN(t, TAB0, a, T0, 1, 0);
    CHECK_OWN(t, TAB0, b, T0, 2, 0);
    restab_destroy(t);

    /* max_lends 1 */
    t = tst_create(RESTAB_DEFAULT_LIMIT, 1);
    a = NEW(t, HOST, 9);
    ENTER(t);
    LIFT_BORROW(t, HOST, a);
    FAILS(t, RESTAB_LEND_OVERFLOW, TST_LIFT_BORROW, HOST, a);
    EXIT(t);
    restab_destroy(t);
}

static void test_many_lenders(void)
{
    /* enough records in enough scopes to grow every array several times */
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t h[10];
    for (uint32_t i = 0; i < 10; i++)
        h[i] = NEW(t, i % 2 ? T1 : T0, 1000 + i);
    for (uint32_t depth = 0; depth < 20; depth++) {
        ENTER(t);
        for (uint32_t k = 0; k <= depth; k++)
            LIFT_BORROW(t, k % 2 ? T1 : T0, h[k % 10]);
        LOWER_BORROW(t, T2, depth);
    }
    for (uint32_t depth = 0; depth < 20; depth++)
        CHECK_EQ(restab_scope_lender_count(t, depth), depth + 1);
    for (uint32_t depth = 20; depth > 0; depth--) {
        /* h[0] is lent by k = 0 in every scope and by k = 10 in scopes
           10 and deeper */
        uint32_t lends = depth + (depth > 10 ? depth - 10 : 0);
        CHECK_OWN(t, TAB0, h[0], T0, 1000, lends);
        FAILS(t, RESTAB_BORROWS_REMAIN, TST_EXIT, 0, 0);
        DROP_BORROW(t, T2, depth, depth - 1); /* borrows got handles 1..20 */
        EXIT(t);
    }
    for (uint32_t i = 0; i < 10; i++)
        CHECK_OWN(t, TAB0, h[i], i % 2 ? T1 : T0, 1000 + i, 0);
    restab_destroy(t);
}

int main(void)
{
    test_outer_borrow_dropped_inside();
    test_nested_scopes();
    test_lend_twice();
    test_exit_releases_its_scope_only();
    test_failed_exit_keeps_lends();
    test_lend_overflow();
    test_many_lenders();
    return tst_finish("test_scopes");
}
