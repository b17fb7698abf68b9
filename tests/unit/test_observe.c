/*
 * Edges of the observation API that the differential harness does not ask
 * about: a NULL table set with the host resource, and lender indexes just
 * past the records of a scope that is not the first (scripts/mutation found
 * both unchecked).
 *
 * The set is the .ops default: t0, t1 in instance 0 (table 0), t2 in
 * instance 1 (table 1), the host table is table 2.
 */
#include "test_support.h"

static void test_null_set(void)
{
    CHECK_EQ(restab_table_of(NULL, RESTAB_HOST), UINT32_MAX);
    CHECK_EQ(restab_table_of(NULL, T0), UINT32_MAX);
    CHECK_EQ(restab_table_count(NULL), 0);
    CHECK_EQ(restab_scope_count(NULL), 0);
}

/* Scope 0 lends two entries, scope 1 one, scope 2 none. */
static void test_lender_index_edges(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    uint32_t a = NEW(t, T0, 10), b = NEW(t, T2, 20), c = NEW(t, T0, 30);
    ENTER(t);
    LIFT_BORROW(t, T0, a);
    LIFT_BORROW(t, T2, b);
    ENTER(t);
    LIFT_BORROW(t, T0, c);
    ENTER(t);

    static const uint32_t counts[] = {2, 1, 0};
    for (uint32_t depth = 0; depth < 3; depth++) {
        CHECK_EQ(restab_scope_lender_count(t, depth), counts[depth]);
        for (uint32_t i = counts[depth]; i < counts[depth] + 4; i++) {
            uint32_t table = 99, handle = 99;
            CHECK_EQ(restab_scope_lender(t, depth, i, &table, &handle), -1);
            CHECK_EQ(table, 99);
            CHECK_EQ(handle, 99);
        }
    }
    uint32_t table = 99, handle = 99;
    CHECK_EQ(restab_scope_lender(t, 1, 0, &table, &handle), 0);
    CHECK_EQ(table, 0);
    CHECK_EQ(handle, c);
    CHECK_EQ(restab_scope_lender(t, 3, 0, &table, &handle), -1);

    EXIT(t);
    EXIT(t);
    EXIT(t);
    restab_destroy(t);
}

int main(void)
{
    test_null_set();
    test_lender_index_edges();
    return tst_finish("test_observe");
}
