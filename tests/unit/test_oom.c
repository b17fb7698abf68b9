/*
 * Allocation failure at every allocation point.
 *
 * The counting allocator (harness/count_alloc.h, the restab_config.alloc
 * hook) tracks live blocks and bytes, checks the old_size it is given (each
 * block carries its size), and fails the N-th allocation.
 * Each scenario runs once cleanly, then again for N = 1, 2, ... until N is
 * past its last allocation. In each run the failing call must return
 * RESTAB_OUT_OF_MEMORY and leave the observed state identical; the call is
 * then retried and the scenario continues, and must end in the same state
 * as the clean run. After restab_destroy() no block may be live.
 *
 * The scenarios grow every array past several doublings (100+ entries), so
 * that growing an existing block fails, not only the first allocation:
 * restab_create itself, a guest table through new, lower_own and
 * lower_borrow, the host table through the same, the lender records through
 * lift_borrow, and the scope stack through enter. Every scenario also runs
 * in the spec profile, whose tables grow a second array (the borrow lend
 * counts) before their slots, and one more scenario lends borrows there.
 */
#include "count_alloc.h"
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The counting allocator: harness/count_alloc.h. */

/* ---- Scenario runs ---------------------------------------------------- */

typedef struct run {
    count_alloc *a;
    restab_tables *t;
    unsigned long ooms; /* OUT_OF_MEMORY results seen */
} run;

/*
 * One operation that must succeed, except for an injected allocation
 * failure: that must give OUT_OF_MEMORY and change nothing, and then the
 * retried call must succeed.
 */
#define STEP(r, op, res, arg) step(TST_HERE, (r), (op), (res), (arg))

static uint32_t step(tst_loc loc, run *r, tst_op op, restab_resource res,
                     uint32_t arg)
{
    const uint32_t sentinel = UINT32_C(0x5A5A5A5A);
    tst_snapshot before, after;
    char why[256];
    uint32_t value = sentinel;
    unsigned long failures = r->a->failures;
    /* Only a call that may still meet the injected failure needs the
       snapshot; the clean run (fail_at 0) checks integrity at every step. */
    int armed = r->a->fail_at > r->a->calls;
    if (armed)
        tst_snap_take(&before, r->t);
    restab_status status = tst_run(r->t, op, res, arg, &value);
    if (r->a->failures != failures) {
        r->ooms++;
        tst_check_status(loc, "status after a failed allocation", status,
                         RESTAB_OUT_OF_MEMORY);
        tst_check_eq(loc, "out-parameter unwritten", value, sentinel);
        tst_snap_take(&after, r->t);
        tst_checkf(loc, tst_snap_equal(&before, &after, why, sizeof why),
                   "state unchanged after out-of-memory", "op %d: %s", (int)op,
                   why);
        tst_snap_free(&after);
        tst_check_integrity(loc, r->t);
        status = tst_run(r->t, op, res, arg, &value);
        tst_check_integrity(loc, r->t);
    }
    if (armed)
        tst_snap_free(&before);
    tst_check_status(loc, "scenario step", status, RESTAB_OK);
    if (r->a->fail_at == 0)
        tst_check_integrity(loc, r->t);
    return value;
}

/* The most borrows / lends any scenario reaches in one table. */
enum { N = 100 };

/*
 * Every growth point of a set shaped like the .ops default: both guest
 * tables and the host table through each kind of insertion, the lender
 * records and the scope stack; then everything is released again.
 */
static void scenario_everything(run *r)
{
    /* guest table 0 through new and lower_own: 8 .. 128 slots */
    for (uint32_t i = 0; i < N; i++)
        STEP(r, i % 2 ? TST_LOWER_OWN : TST_NEW, i % 3 ? T0 : T1, i);
    /* the host table through new and lower_own */
    for (uint32_t i = 0; i < N; i++)
        STEP(r, i % 2 ? TST_NEW : TST_LOWER_OWN, HOST, 1000 + i);
    /* the scope stack: 8, 16, 32 */
    for (uint32_t i = 0; i < 20; i++)
        STEP(r, TST_ENTER, 0, 0);
    /* lender records: N in the top scope, past 8 .. 128 */
    for (uint32_t h = 1; h <= N; h++)
        STEP(r, TST_LIFT_BORROW, (h - 1) % 3 ? T0 : T1, h);
    for (uint32_t h = 1; h <= 40; h++)
        STEP(r, TST_LIFT_BORROW, HOST, h);
    /* guest table 1 through lower_borrow alone */
    for (uint32_t i = 0; i < N; i++)
        STEP(r, TST_LOWER_BORROW, T2, 2000 + i);
    /* the host table past 128 through lower_borrow */
    for (uint32_t i = 0; i < 60; i++)
        STEP(r, TST_LOWER_BORROW, HOST, 3000 + i);
    /* guest table 0 past 128 through lower_borrow */
    for (uint32_t i = 0; i < 30; i++)
        STEP(r, TST_LOWER_BORROW, T1, 4000 + i);
    /* more scopes past 32, with lends in each */
    for (uint32_t i = 0; i < 20; i++) {
        STEP(r, TST_ENTER, 0, 0);
        STEP(r, TST_LIFT_BORROW, T0, 2);
        STEP(r, TST_LIFT_BORROW, HOST, 3);
    }

    /* release everything: nothing here may fail */
    for (uint32_t i = 0; i < 20; i++)
        STEP(r, TST_EXIT, 0, 0);
    for (uint32_t h = 1; h <= N; h++)
        STEP(r, TST_DROP, T2, h);
    for (uint32_t h = N + 1; h <= N + 60; h++)
        STEP(r, TST_DROP, HOST, h);
    for (uint32_t h = N + 1; h <= N + 30; h++)
        STEP(r, TST_DROP, T1, h);
    for (uint32_t i = 0; i < 20; i++)
        STEP(r, TST_EXIT, 0, 0);
    for (uint32_t h = 1; h <= N; h += 2)
        STEP(r, TST_DROP, (h - 1) % 3 ? T0 : T1, h);
    for (uint32_t h = 2; h <= N; h += 2)
        STEP(r, TST_LIFT_OWN, (h - 1) % 3 ? T0 : T1, h);
    for (uint32_t h = 1; h <= N; h++)
        STEP(r, TST_DROP, HOST, h);
    /* reuse after release needs no memory, a second round of scopes neither */
    for (uint32_t i = 0; i < 20; i++)
        STEP(r, TST_NEW, T0, i);
    for (uint32_t i = 0; i < 40; i++)
        STEP(r, TST_ENTER, 0, 0);
    STEP(r, TST_LIFT_BORROW, T0, 100); /* the first reused slot */
}

/* Only the host table and scopes (no types: create allocates less). */
static void scenario_host_only(run *r)
{
    for (uint32_t i = 0; i < N; i++)
        STEP(r, TST_NEW, HOST, i);
    for (uint32_t i = 0; i < 10; i++) {
        STEP(r, TST_ENTER, 0, 0);
        for (uint32_t h = 1; h <= 10 * (i + 1); h++)
            STEP(r, TST_LIFT_BORROW, HOST, h);
        STEP(r, TST_LOWER_BORROW, HOST, 500 + i);
    }
}

/* Lends in many scopes below a top scope that lends nothing. */
static void scenario_deep_lends(run *r)
{
    STEP(r, TST_NEW, T2, 5);
    for (uint32_t i = 0; i < 70; i++) {
        STEP(r, TST_ENTER, 0, 0);
        STEP(r, TST_LIFT_BORROW, T2, 1);
        STEP(r, TST_LIFT_BORROW, T2, 1);
    }
    STEP(r, TST_ENTER, 0, 0);
    for (uint32_t i = 0; i < 35; i++)
        STEP(r, TST_EXIT, 0, 0);
}

/*
 * Spec profile: borrows lent through growing tables and lender records, in
 * several scopes, then given back and dropped.
 */
static void scenario_spec_borrow_lends(run *r)
{
    STEP(r, TST_NEW, T0, 1);
    STEP(r, TST_ENTER, 0, 0);
    /* table 0 (slots and lend counts) past 128 through lower_borrow */
    for (uint32_t i = 0; i < 150; i++)
        STEP(r, TST_LOWER_BORROW, i % 2 ? T0 : T1, 100 + i);
    for (uint32_t i = 0; i < 40; i++)
        STEP(r, TST_LOWER_BORROW, HOST, 300 + i);
    for (uint32_t s = 0; s < 12; s++) {
        STEP(r, TST_ENTER, 0, 0);
        for (uint32_t h = 2; h <= 151; h += 1 + s)
            STEP(r, TST_LIFT_BORROW, h % 2 ? T0 : T1, h);
        STEP(r, TST_LIFT_BORROW, HOST, 1 + s);
        STEP(r, TST_LIFT_BORROW, T0, 1);
    }
    for (uint32_t s = 0; s < 12; s++)
        STEP(r, TST_EXIT, 0, 0);
    for (uint32_t h = 2; h <= 151; h++)
        STEP(r, TST_DROP, h % 2 ? T0 : T1, h);
    for (uint32_t h = 1; h <= 40; h++)
        STEP(r, TST_DROP, HOST, h);
    STEP(r, TST_EXIT, 0, 0);
    STEP(r, TST_LIFT_OWN, T0, 1);
}

typedef struct shape {
    uint32_t instances;
    uint32_t types;
    const uint32_t *type_instance;
    restab_semantics semantics;
} shape;

static void run_scenario(const char *name, const shape *sh,
                         void (*body)(run *r), unsigned long min_allocs)
{
    restab_config cfg;
    restab_config_init(&cfg);
    cfg.instances = sh->instances;
    cfg.types = sh->types;
    cfg.type_instance = sh->type_instance;
    cfg.semantics = sh->semantics;

    /* the clean run: the number of allocations and the final state */
    count_alloc clean = count_alloc_make(0, 0);
    clean.zero_for_new = 1;
    cfg.alloc = count_alloc_fn;
    cfg.alloc_user = &clean;
    restab_tables *t = NULL;
    if (!CHECK(restab_create(&cfg, &t) == RESTAB_OK && t != NULL))
        return;
    const unsigned long create_allocs = clean.calls;
    run r = {&clean, t, 0};
    body(&r);
    tst_snapshot want;
    tst_snap_take(&want, t);
    restab_destroy(t);
    const unsigned long allocs = clean.calls;
    tst_checkf(TST_HERE, allocs >= min_allocs, "enough allocation points",
               "%s: %lu allocations, want at least %lu", name, allocs,
               min_allocs);
    CHECK_EQ(clean.failures, 0);
    CHECK_EQ(r.ooms, 0);
    CHECK_EQ(clean.live_bytes, 0);
    CHECK_EQ(clean.live_blocks, 0);
    CHECK_EQ(clean.bad_size, 0);

    /* one run per allocation, failing that one */
    for (unsigned long n = 1; n <= allocs + 1; n++) {
        count_alloc a = count_alloc_make(0, 0);
        a.zero_for_new = 1;
        a.fail_at = n;
        cfg.alloc_user = &a;
        restab_tables *const unset = (restab_tables *)&a; /* never a set */
        t = unset;
        restab_status status = restab_create(&cfg, &t);
        if (a.failures > 0) {
            CHECK_STATUS(status, RESTAB_OUT_OF_MEMORY);
            CHECK(t == unset);
            CHECK_EQ(a.live_blocks, 0);
            CHECK_EQ(a.live_bytes, 0);
            status = restab_create(&cfg, &t);
        }
        if (!CHECK(status == RESTAB_OK && t != unset && t != NULL))
            break;
        r = (run){&a, t, 0};
        body(&r);
        tst_snapshot got;
        char why[256];
        tst_snap_take(&got, t);
        tst_checkf(TST_HERE, tst_snap_equal(&want, &got, why, sizeof why),
                   "same final state as the clean run",
                   "%s, allocation %lu failed: %s", name, n, why);
        tst_snap_free(&got);
        restab_destroy(t);

        /* allocation n failed exactly once, except past the last one */
        tst_checkf(TST_HERE, a.failures == (n <= allocs ? 1u : 0u),
                   "one injected failure", "%s, allocation %lu: %lu failures",
                   name, n, a.failures);
        /* the retried call redoes its allocations: restab_create those
           before the failed one and the failed one, an operation only the
           failed one (each allocates at most once, or in the spec profile
           lend counts then slots: a failure of either leaves the first
           done or nothing done, so the retry redoes one allocation too) */
        unsigned long redone = n <= create_allocs ? n : n <= allocs ? 1 : 0;
        tst_checkf(TST_HERE, a.calls == allocs + redone,
                   "as many allocations as the clean run",
                   "%s, allocation %lu: %lu calls, clean %lu", name, n,
                   a.calls, allocs);
        tst_checkf(TST_HERE, a.live_blocks == 0 && a.live_bytes == 0,
                   "everything freed", "%s, allocation %lu: %zu blocks, %zu "
                   "bytes live", name, n, a.live_blocks, a.live_bytes);
        tst_checkf(TST_HERE, a.bad_size == 0, "old_size matches the blocks",
                   "%s, allocation %lu: %lu wrong sizes", name, n, a.bad_size);
    }
    tst_snap_free(&want);
    printf("%s: %lu allocation points, each failed once\n", name, allocs);
}

static void test_scenarios(void)
{
    static const uint32_t default_types[] = {0, 0, 1};
    const shape standard = {2, 3, default_types, RESTAB_SEMANTICS_WASMTIME35};
    const shape host_only = {0, 0, NULL, RESTAB_SEMANTICS_WASMTIME35};
    const shape spec = {2, 3, default_types, RESTAB_SEMANTICS_SPEC};
    const shape spec_host_only = {0, 0, NULL, RESTAB_SEMANTICS_SPEC};
    /*
     * create: 3 blocks (set, type map, tables); 5 doublings (8 .. 128) each
     * for tables 0 (to 256: 6), 1 and the host table, lenders to 256 and
     * scopes to 64.
     */
    run_scenario("everything", &standard, scenario_everything, 3 + 6 + 5 + 6 + 6 + 4);
    run_scenario("host only", &host_only, scenario_host_only, 2 + 5 + 2 + 8);
    run_scenario("deep lends", &standard, scenario_deep_lends, 3 + 1 + 5 + 6);
    /* the same in the spec profile: each table growth allocates twice */
    run_scenario("everything (spec)", &spec, scenario_everything,
                 3 + 2 * (6 + 5 + 6) + 6 + 4);
    run_scenario("host only (spec)", &spec_host_only, scenario_host_only,
                 2 + 2 * 5 + 2 + 8);
    run_scenario("deep lends (spec)", &spec, scenario_deep_lends,
                 3 + 2 * 1 + 5 + 6);
    /* tables 0 and host (8 .. 256, 8 .. 64), lenders (8 .. 1024), scopes */
    run_scenario("borrow lends (spec)", &spec, scenario_spec_borrow_lends,
                 3 + 2 * 6 + 2 * 4 + 8 + 1);
}

/* The default allocator (alloc NULL) works; ASan checks what it leaks. */
static void test_default_allocator(void)
{
    restab_tables *t = tst_create(RESTAB_DEFAULT_LIMIT, RESTAB_DEFAULT_MAX_LENDS);
    for (uint32_t i = 0; i < 300; i++)
        NEW(t, i % 2 ? T0 : HOST, i);
    for (uint32_t i = 0; i < 50; i++) {
        ENTER(t);
        LIFT_BORROW(t, T0, 2);
    }
    LOWER_BORROW(t, T2, 1);
    restab_destroy(t); /* with live scopes, lends and borrows */
}

/* Destroying a set that still has everything live frees every block. */
static void test_destroy_live(void)
{
    count_alloc a = count_alloc_make(0, 0);
    a.zero_for_new = 1;
    restab_config cfg;
    restab_config_init(&cfg);
    static const uint32_t types[] = {0, 1};
    cfg.instances = 2;
    cfg.types = 2;
    cfg.type_instance = types;
    cfg.alloc = count_alloc_fn;
    cfg.alloc_user = &a;
    restab_tables *t = NULL;
    if (!CHECK(restab_create(&cfg, &t) == RESTAB_OK))
        return;
    for (uint32_t i = 0; i < 40; i++) {
        NEW(t, i % 2, i);
        NEW(t, RESTAB_HOST, i);
    }
    ENTER(t);
    LIFT_BORROW(t, 1, 2);
    LOWER_BORROW(t, 0, 7);
    CHECK(a.live_blocks > 3);
    restab_destroy(t);
    CHECK_EQ(a.live_blocks, 0);
    CHECK_EQ(a.live_bytes, 0);
    CHECK_EQ(a.bad_size, 0);
    CHECK_EQ(a.failures, 0);
}

int main(void)
{
    test_scenarios();
    test_default_allocator();
    test_destroy_live();
    return tst_finish("test_oom");
}
