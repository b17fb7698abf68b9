/*
 * Shared helpers of the unit tests: CHECK macros that count failures, calls
 * that must succeed, calls that must fail and change nothing, and a snapshot
 * of everything the observation API shows.
 *
 * Every helper that runs an operation also runs restab_check() afterwards,
 * so every state a test reaches is checked for integrity.
 */
#ifndef RESTAB_TEST_SUPPORT_H
#define RESTAB_TEST_SUPPORT_H

#include "restab.h"

#include <stddef.h>
#include <stdint.h>

/* ---- Checks ----------------------------------------------------------- */

/* Source location of the caller, passed into helpers so failures name it. */
typedef struct tst_loc {
    const char *file;
    int line;
} tst_loc;

#define TST_HERE ((tst_loc){__FILE__, __LINE__})

/* Records one check; prints file:line and what failed when ok is 0. */
int tst_check(tst_loc loc, int ok, const char *expr);
/* Like tst_check, with a printf-style explanation. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int tst_checkf(tst_loc loc, int ok, const char *expr, const char *fmt, ...);

#define CHECK(expr) tst_check(TST_HERE, (expr) ? 1 : 0, #expr)
/* CHECK with a printf-style explanation of the failure. */
#define CHECKF(expr, ...) tst_checkf(TST_HERE, (expr) ? 1 : 0, #expr, __VA_ARGS__)

/* a == b as unsigned 64-bit values, printing both on failure. */
#define CHECK_EQ(a, b) tst_check_eq(TST_HERE, #a " == " #b, (uint64_t)(a), (uint64_t)(b))
int tst_check_eq(tst_loc loc, const char *expr, uint64_t got, uint64_t want);

/* A status equals the expected one, printing both names on failure. */
#define CHECK_STATUS(got, want) tst_check_status(TST_HERE, #got, (got), (want))
int tst_check_status(tst_loc loc, const char *expr, restab_status got,
                     restab_status want);

/* restab_check() reports no broken invariant (prints its message if not). */
#define CHECK_INTEGRITY(t) tst_check_integrity(TST_HERE, (t))
int tst_check_integrity(tst_loc loc, const restab_tables *t);

/* Prints the summary of a test program; returns its exit status. */
int tst_finish(const char *program);

/* ---- Table sets ------------------------------------------------------- */

/* Resources and tables of the default shape (tst_create below):
   t0, t1 in instance 0 (table 0), t2 in instance 1, the host table 2. */
#define T0 UINT32_C(0)
#define T1 UINT32_C(1)
#define T2 UINT32_C(2)
#define HOST RESTAB_HOST
#define TAB0 UINT32_C(0)
#define TAB1 UINT32_C(1)
#define TABH UINT32_C(2)

/*
 * Creates a set like the .ops default (2 instances; t0, t1 in instance 0,
 * t2 in instance 1) with the given limit and max_lends; fails the test
 * program (exit 1) if creation fails, since nothing after it can run.
 */
restab_tables *tst_create(uint32_t limit, uint32_t max_lends);

/* The same with an explicit shape. */
restab_tables *tst_create_shaped(uint32_t instances, uint32_t types,
                                 const uint32_t *type_instance, uint32_t limit,
                                 uint32_t max_lends);

/* tst_create in the spec profile (RESTAB_SEMANTICS_SPEC). */
restab_tables *tst_create_spec(uint32_t limit, uint32_t max_lends);

/* tst_create_shaped with a profile. */
restab_tables *tst_create_profile(restab_semantics semantics,
                                  uint32_t instances, uint32_t types,
                                  const uint32_t *type_instance,
                                  uint32_t limit, uint32_t max_lends);

/* ---- Operations that must succeed ------------------------------------- */
/* Each checks the status and restab_check(); returns the result (0 after a
   failed check). */

#define NEW(t, res, rep) tst_new(TST_HERE, (t), (res), (rep))
#define LOWER_OWN(t, res, rep) tst_lower_own(TST_HERE, (t), (res), (rep))
#define LOWER_BORROW(t, res, rep) tst_lower_borrow(TST_HERE, (t), (res), (rep))
#define REP(t, res, h) tst_rep(TST_HERE, (t), (res), (h))
#define LIFT_OWN(t, res, h) tst_lift_own(TST_HERE, (t), (res), (h))
#define LIFT_BORROW(t, res, h) tst_lift_borrow(TST_HERE, (t), (res), (h))
/* drop of an own: checks destructor_due 1 and the rep. */
#define DROP_OWN(t, res, h, rep) tst_drop(TST_HERE, (t), (res), (h), 1, (rep))
/* drop of a borrow: checks destructor_due 0 and the rep. */
#define DROP_BORROW(t, res, h, rep) tst_drop(TST_HERE, (t), (res), (h), 0, (rep))
#define ENTER(t) tst_enter(TST_HERE, (t))
#define EXIT(t) tst_exit(TST_HERE, (t))

uint32_t tst_new(tst_loc loc, restab_tables *t, restab_resource res,
                 uint32_t rep);
uint32_t tst_lower_own(tst_loc loc, restab_tables *t, restab_resource res,
                       uint32_t rep);
uint32_t tst_lower_borrow(tst_loc loc, restab_tables *t, restab_resource res,
                          uint32_t rep);
uint32_t tst_rep(tst_loc loc, restab_tables *t, restab_resource res,
                 uint32_t handle);
uint32_t tst_lift_own(tst_loc loc, restab_tables *t, restab_resource res,
                      uint32_t handle);
uint32_t tst_lift_borrow(tst_loc loc, restab_tables *t, restab_resource res,
                         uint32_t handle);
void tst_drop(tst_loc loc, restab_tables *t, restab_resource res,
              uint32_t handle, int destructor_due, uint32_t rep);
void tst_enter(tst_loc loc, restab_tables *t);
void tst_exit(tst_loc loc, restab_tables *t);

/* ---- Operations that must fail ---------------------------------------- */

/* The operations, for tst_fails(). */
typedef enum tst_op {
    TST_NEW,
    TST_LOWER_OWN,
    TST_LOWER_BORROW,
    TST_REP,
    TST_DROP,
    TST_LIFT_OWN,
    TST_LIFT_BORROW,
    TST_ENTER,
    TST_EXIT
} tst_op;

/*
 * Runs op (arg is the rep for new/lower_*, the handle otherwise; ignored for
 * enter/exit) and checks that it returns `want`, leaves the observed state
 * identical, leaves its out-parameter unwritten, and keeps restab_check()
 * at 0.
 */
#define FAILS(t, want, op, res, arg) tst_fails(TST_HERE, (t), (want), (op), (res), (arg))
void tst_fails(tst_loc loc, restab_tables *t, restab_status want, tst_op op,
               restab_resource res, uint32_t arg);

/* Runs an operation, returning its status and writing its value (if any). */
restab_status tst_run(restab_tables *t, tst_op op, restab_resource res,
                      uint32_t arg, uint32_t *value);

/* ---- Slots ------------------------------------------------------------ */

#define CHECK_OWN(t, table, h, res, rep, lends)                                \
    tst_check_slot(TST_HERE, (t), (table), (h), RESTAB_SLOT_OWN, (res), (rep), (lends))
#define CHECK_BORROW(t, table, h, res, rep, scope)                             \
    tst_check_slot(TST_HERE, (t), (table), (h), RESTAB_SLOT_BORROW, (res), (rep), (scope))
/* A borrow slot with its scope and its lends (spec profile). */
#define CHECK_BORROW_LENT(t, table, h, res, rep, scope, lends)                 \
    tst_check_borrow_lends(TST_HERE, (t), (table), (h), (res), (rep), (scope), (lends))
#define CHECK_FREE(t, table, h)                                                \
    tst_check_slot(TST_HERE, (t), (table), (h), RESTAB_SLOT_FREE, 0, 0, 0)

/* For own slots `extra` is lends, for borrows the scope depth. */
void tst_check_slot(tst_loc loc, const restab_tables *t, uint32_t table,
                    uint32_t handle, restab_slot_kind kind, restab_resource res,
                    uint32_t rep, uint32_t extra);

void tst_check_borrow_lends(tst_loc loc, const restab_tables *t,
                            uint32_t table, uint32_t handle,
                            restab_resource res, uint32_t rep, uint32_t scope,
                            uint32_t lends);

/* ---- Snapshots -------------------------------------------------------- */

typedef struct tst_table_snap {
    uint32_t size;
    uint32_t next;
    restab_slot_info *slots; /* [size] */
} tst_table_snap;

typedef struct tst_scope_snap {
    uint32_t borrow_count;
    uint32_t lender_count;
    uint32_t *lender_tables;  /* [lender_count] */
    uint32_t *lender_handles; /* [lender_count] */
} tst_scope_snap;

/* Everything the observation API shows of a table set. */
typedef struct tst_snapshot {
    uint32_t table_count;
    tst_table_snap *tables;
    uint32_t scope_count;
    tst_scope_snap *scopes;
} tst_snapshot;

void tst_snap_take(tst_snapshot *s, const restab_tables *t);
void tst_snap_free(tst_snapshot *s);
/* 1 when equal; otherwise 0, with the first difference written to why. */
int tst_snap_equal(const tst_snapshot *a, const tst_snapshot *b, char *why,
                   size_t why_size);

#endif /* RESTAB_TEST_SUPPORT_H */
