/*
 * The per-table handle limit: no handle >= limit is issued, for every kind
 * of insertion, in each table separately; freed slots are still reused at
 * the limit; a failed insertion changes nothing.
 *
 * The set is the .ops default: t0, t1 in instance 0 (table 0), t2 in
 * instance 1 (table 1), the host table is table 2.
 */
#include "test_support.h"

/* Insertions of every kind into every resource's table fail. */
static void all_inserts_overflow(tst_loc loc, restab_tables *t)
{
    static const restab_resource res[] = {T0, T1, T2, HOST};
    for (size_t r = 0; r < 4; r++) {
        tst_fails(loc, t, RESTAB_HANDLE_OVERFLOW, TST_NEW, res[r], 1);
        tst_fails(loc, t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_OWN, res[r], 1);
        tst_fails(loc, t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_BORROW, res[r], 1);
    }
}

static void test_limit_zero_and_one(void)
{
    for (uint32_t limit = 0; limit <= 1; limit++) {
        restab_tables *t = tst_create(limit, RESTAB_DEFAULT_MAX_LENDS);
        FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T0, 1);
        FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, HOST, 1);
        FAILS(t, RESTAB_NO_SCOPE, TST_LOWER_BORROW, T0, 1);
        ENTER(t);
        all_inserts_overflow(TST_HERE, t);
        EXIT(t);
        for (uint32_t table = 0; table < 3; table++) {
            CHECK_EQ(restab_table_size(t, table), 0);
            CHECK_EQ(restab_table_next(t, table), 1); /* ignores the limit */
        }
        restab_destroy(t);
    }
}

static void test_limit_two(void)
{
    restab_tables *t = tst_create(2, RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(NEW(t, T0, 1), 1);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T0, 2);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T1, 2); /* t1 shares table 0 */
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_OWN, T0, 2);
    CHECK_EQ(restab_table_next(t, TAB0), 2);
    /* each table has its own limit */
    CHECK_EQ(NEW(t, T2, 3), 1);
    CHECK_EQ(NEW(t, HOST, 4), 1);
    ENTER(t);
    all_inserts_overflow(TST_HERE, t);
    /* a freed slot is reused at the limit, by any kind of insertion */
    DROP_OWN(t, T0, 1, 1);
    CHECK_EQ(LOWER_BORROW(t, T1, 5), 1);
    CHECK_BORROW(t, TAB0, 1, T1, 5, 0);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_BORROW, T0, 6);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 1);
    DROP_BORROW(t, T1, 1, 5);
    CHECK_EQ(LOWER_OWN(t, T0, 7), 1);
    CHECK_EQ(LIFT_OWN(t, T0, 1), 7);
    CHECK_EQ(NEW(t, T1, 8), 1);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T1, 9);
    /* loans do not count against the limit */
    CHECK_EQ(LIFT_BORROW(t, T1, 1), 8);
    EXIT(t);
    CHECK_EQ(restab_table_size(t, TAB0), 1);
    restab_destroy(t);
}

static void test_limit_three(void)
{
    restab_tables *t = tst_create(3, RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(NEW(t, T0, 1), 1);
    CHECK_EQ(NEW(t, T0, 2), 2);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T0, 3);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T1, 3); /* t1 shares table 0 */
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_OWN, T1, 3);
    ENTER(t);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_BORROW, T1, 3);
    EXIT(t);
    CHECK_EQ(restab_table_size(t, TAB0), 2);
    CHECK_EQ(restab_table_next(t, TAB0), 3);
    CHECK_OWN(t, TAB0, 1, T0, 1, 0);
    CHECK_OWN(t, TAB0, 2, T0, 2, 0);
    restab_destroy(t);
}

static void test_limit_three_reuse(void)
{
    restab_tables *t = tst_create(3, RESTAB_DEFAULT_MAX_LENDS);
    CHECK_EQ(NEW(t, T2, 1), 1);
    CHECK_EQ(NEW(t, T2, 2), 2);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T2, 3);
    CHECK_EQ(restab_table_size(t, TAB1), 2);
    CHECK_EQ(restab_table_next(t, TAB1), 3);
    DROP_OWN(t, T2, 1, 1);
    CHECK_EQ(NEW(t, T2, 4), 1);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T2, 5);
    DROP_OWN(t, T2, 2, 2);
    DROP_OWN(t, T2, 1, 4);
    CHECK_EQ(restab_table_next(t, TAB1), 1);
    CHECK_EQ(NEW(t, T2, 6), 1);
    CHECK_EQ(NEW(t, T2, 7), 2);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, T2, 8);
    ENTER(t);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_BORROW, T2, 8);
    /* the other tables still have room */
    CHECK_EQ(LOWER_BORROW(t, T0, 9), 1);
    CHECK_EQ(LOWER_BORROW(t, HOST, 10), 1);
    CHECK_EQ(LOWER_BORROW(t, HOST, 11), 2);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_BORROW, HOST, 12);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_LOWER_OWN, HOST, 12);
    CHECK_EQ(restab_scope_borrow_count(t, 0), 3);
    DROP_BORROW(t, HOST, 1, 10);
    DROP_BORROW(t, HOST, 2, 11);
    DROP_BORROW(t, T0, 1, 9);
    EXIT(t);
    CHECK_EQ(NEW(t, HOST, 13), 2);
    CHECK_EQ(NEW(t, HOST, 14), 1);
    FAILS(t, RESTAB_HANDLE_OVERFLOW, TST_NEW, HOST, 15);
    restab_destroy(t);
}

static void test_large_limits(void)
{
    /* the largest limits: nothing special at small sizes */
    static const uint32_t limits[] = {RESTAB_DEFAULT_LIMIT,
                                      (UINT32_C(1) << 28) - 1, UINT32_MAX};
    for (size_t i = 0; i < 3; i++) {
        restab_tables *t = tst_create(limits[i], RESTAB_DEFAULT_MAX_LENDS);
        for (uint32_t h = 1; h <= 300; h++)
            CHECK_EQ(NEW(t, T0, h * 3), h);
        FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, limits[i] - 1);
        FAILS(t, RESTAB_UNKNOWN_HANDLE, TST_REP, T0, 301);
        for (uint32_t h = 1; h <= 300; h++)
            CHECK_EQ(REP(t, T0, h), h * 3);
        restab_destroy(t);
    }
}

int main(void)
{
    test_limit_zero_and_one();
    test_limit_two();
    test_limit_three();
    test_limit_three_reuse();
    test_large_limits();
    return tst_finish("test_limits");
}
