/*
 * Shared helpers of the unit tests (see test_support.h).
 */
#include "test_support.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long checks;
static unsigned long failures;

/* ---- Checks ----------------------------------------------------------- */

int tst_check(tst_loc loc, int ok, const char *expr)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "%s:%d: FAILED: %s\n", loc.file, loc.line, expr);
    }
    return ok;
}

int tst_checkf(tst_loc loc, int ok, const char *expr, const char *fmt, ...)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "%s:%d: FAILED: %s: ", loc.file, loc.line, expr);
        va_list args;
        va_start(args, fmt);
        vfprintf(stderr, fmt, args);
        va_end(args);
        fputc('\n', stderr);
    }
    return ok;
}

int tst_check_eq(tst_loc loc, const char *expr, uint64_t got, uint64_t want)
{
    return tst_checkf(loc, got == want, expr, "got %llu, want %llu",
                      (unsigned long long)got, (unsigned long long)want);
}

int tst_check_status(tst_loc loc, const char *expr, restab_status got,
                     restab_status want)
{
    return tst_checkf(loc, got == want, expr, "got %s (%d), want %s (%d)",
                      restab_status_name(got), (int)got,
                      restab_status_name(want), (int)want);
}

int tst_check_integrity(tst_loc loc, const restab_tables *t)
{
    char msg[256];
    int broken = restab_check(t, msg, sizeof msg);
    return tst_checkf(loc, broken == 0, "restab_check() == 0",
                      "invariant %d: %s", broken, msg);
}

int tst_finish(const char *program)
{
    printf("%s: %lu checks, %lu failed\n", program, checks, failures);
    /* A program that checked nothing tested nothing. */
    return failures == 0 && checks > 0 ? 0 : 1;
}

/* ---- Table sets ------------------------------------------------------- */

restab_tables *tst_create_shaped(uint32_t instances, uint32_t types,
                                 const uint32_t *type_instance, uint32_t limit,
                                 uint32_t max_lends)
{
    return tst_create_profile(RESTAB_SEMANTICS_WASMTIME35, instances, types,
                              type_instance, limit, max_lends);
}

restab_tables *tst_create_spec(uint32_t limit, uint32_t max_lends)
{
    static const uint32_t type_instance[] = {0, 0, 1};
    return tst_create_profile(RESTAB_SEMANTICS_SPEC, 2, 3, type_instance,
                              limit, max_lends);
}

restab_tables *tst_create_profile(restab_semantics semantics,
                                  uint32_t instances, uint32_t types,
                                  const uint32_t *type_instance,
                                  uint32_t limit, uint32_t max_lends)
{
    restab_config cfg;
    restab_config_init(&cfg);
    cfg.semantics = semantics;
    cfg.instances = instances;
    cfg.types = types;
    cfg.type_instance = type_instance;
    cfg.limit = limit;
    cfg.max_lends = max_lends;
    restab_tables *t = NULL;
    restab_status status = restab_create(&cfg, &t);
    if (status != RESTAB_OK || t == NULL) {
        fprintf(stderr, "restab_create failed: %s\n",
                restab_status_name(status));
        exit(1);
    }
    return t;
}

restab_tables *tst_create(uint32_t limit, uint32_t max_lends)
{
    static const uint32_t type_instance[] = {0, 0, 1};
    return tst_create_shaped(2, 3, type_instance, limit, max_lends);
}

/* ---- Operations ------------------------------------------------------- */

/* An out-parameter value that no test result uses. */
#define SENTINEL UINT32_C(0xA5A5A5A5)

/* What tst_run returns when a call broke its contract itself. */
#define TST_BAD_STATUS ((restab_status)1000)

restab_status tst_run(restab_tables *t, tst_op op, restab_resource res,
                      uint32_t arg, uint32_t *value)
{
    restab_dropped dropped;
    restab_status status;
    switch (op) {
    case TST_NEW:
        return restab_resource_new(t, res, arg, value);
    case TST_LOWER_OWN:
        return restab_resource_lower_own(t, res, arg, value);
    case TST_LOWER_BORROW:
        return restab_resource_lower_borrow(t, res, arg, value);
    case TST_REP:
        return restab_resource_rep(t, res, arg, value);
    case TST_DROP:
        dropped.destructor_due = 7;
        dropped.rep = *value;
        status = restab_resource_drop(t, res, arg, &dropped);
        if (status != RESTAB_OK && (dropped.destructor_due != 7 ||
                                    dropped.rep != *value))
            return TST_BAD_STATUS;
        if (status == RESTAB_OK)
            *value = dropped.rep;
        return status;
    case TST_LIFT_OWN:
        return restab_resource_lift_own(t, res, arg, value);
    case TST_LIFT_BORROW:
        return restab_resource_lift_borrow(t, res, arg, value);
    case TST_ENTER:
        return restab_call_enter(t);
    case TST_EXIT:
        return restab_call_exit(t);
    }
    return TST_BAD_STATUS;
}

static uint32_t must(tst_loc loc, restab_tables *t, tst_op op,
                     restab_resource res, uint32_t arg)
{
    uint32_t value = SENTINEL;
    restab_status status = tst_run(t, op, res, arg, &value);
    tst_check_status(loc, "operation status", status, RESTAB_OK);
    tst_check_integrity(loc, t);
    return status == RESTAB_OK ? value : 0;
}

uint32_t tst_new(tst_loc loc, restab_tables *t, restab_resource res,
                 uint32_t rep)
{
    return must(loc, t, TST_NEW, res, rep);
}

uint32_t tst_lower_own(tst_loc loc, restab_tables *t, restab_resource res,
                       uint32_t rep)
{
    return must(loc, t, TST_LOWER_OWN, res, rep);
}

uint32_t tst_lower_borrow(tst_loc loc, restab_tables *t, restab_resource res,
                          uint32_t rep)
{
    return must(loc, t, TST_LOWER_BORROW, res, rep);
}

uint32_t tst_rep(tst_loc loc, restab_tables *t, restab_resource res,
                 uint32_t handle)
{
    tst_snapshot before, after;
    char why[256];
    tst_snap_take(&before, t);
    uint32_t rep = must(loc, t, TST_REP, res, handle);
    tst_snap_take(&after, t);
    tst_checkf(loc, tst_snap_equal(&before, &after, why, sizeof why),
               "rep changed nothing", "%s", why);
    tst_snap_free(&before);
    tst_snap_free(&after);
    return rep;
}

uint32_t tst_lift_own(tst_loc loc, restab_tables *t, restab_resource res,
                      uint32_t handle)
{
    return must(loc, t, TST_LIFT_OWN, res, handle);
}

uint32_t tst_lift_borrow(tst_loc loc, restab_tables *t, restab_resource res,
                         uint32_t handle)
{
    return must(loc, t, TST_LIFT_BORROW, res, handle);
}

void tst_drop(tst_loc loc, restab_tables *t, restab_resource res,
              uint32_t handle, int destructor_due, uint32_t rep)
{
    restab_dropped dropped = {-1, SENTINEL};
    restab_status status = restab_resource_drop(t, res, handle, &dropped);
    tst_check_status(loc, "restab_resource_drop", status, RESTAB_OK);
    tst_check_eq(loc, "dropped.destructor_due",
                 (uint64_t)(int64_t)dropped.destructor_due,
                 (uint64_t)(int64_t)destructor_due);
    tst_check_eq(loc, "dropped.rep", dropped.rep, rep);
    tst_check_integrity(loc, t);
}

void tst_enter(tst_loc loc, restab_tables *t)
{
    (void)must(loc, t, TST_ENTER, 0, 0);
}

void tst_exit(tst_loc loc, restab_tables *t)
{
    (void)must(loc, t, TST_EXIT, 0, 0);
}

void tst_fails(tst_loc loc, restab_tables *t, restab_status want, tst_op op,
               restab_resource res, uint32_t arg)
{
    tst_snapshot before, after;
    char why[256];
    uint32_t value = SENTINEL;
    tst_snap_take(&before, t);
    restab_status status = tst_run(t, op, res, arg, &value);
    tst_check_status(loc, "failing operation", status, want);
    tst_check_eq(loc, "out-parameter unwritten on failure", value, SENTINEL);
    tst_snap_take(&after, t);
    tst_checkf(loc, tst_snap_equal(&before, &after, why, sizeof why),
               "state unchanged after a failed operation", "%s", why);
    tst_check_integrity(loc, t);
    tst_snap_free(&before);
    tst_snap_free(&after);
}

/* ---- Slots ------------------------------------------------------------ */

void tst_check_slot(tst_loc loc, const restab_tables *t, uint32_t table,
                    uint32_t handle, restab_slot_kind kind, restab_resource res,
                    uint32_t rep, uint32_t extra)
{
    restab_slot_info info;
    memset(&info, 0xee, sizeof info);
    if (!tst_checkf(loc, restab_table_slot(t, table, handle, &info) == 0,
                    "restab_table_slot() == 0", "table %u handle %u", table,
                    handle))
        return;
    if (!tst_checkf(loc, info.kind == kind, "slot kind", "table %u handle %u: "
                    "got %d, want %d", table, handle, (int)info.kind, (int)kind))
        return;
    if (kind == RESTAB_SLOT_FREE)
        return;
    tst_checkf(loc, info.resource == res, "slot resource",
               "table %u handle %u: got %u, want %u", table, handle,
               info.resource, res);
    tst_checkf(loc, info.rep == rep, "slot rep",
               "table %u handle %u: got %u, want %u", table, handle, info.rep,
               rep);
    if (kind == RESTAB_SLOT_OWN)
        tst_checkf(loc, info.lends == extra, "slot lends",
                   "table %u handle %u: got %u, want %u", table, handle,
                   info.lends, extra);
    else
        tst_checkf(loc, info.scope == extra, "slot scope",
                   "table %u handle %u: got %u, want %u", table, handle,
                   info.scope, extra);
}

void tst_check_borrow_lends(tst_loc loc, const restab_tables *t,
                            uint32_t table, uint32_t handle,
                            restab_resource res, uint32_t rep, uint32_t scope,
                            uint32_t lends)
{
    tst_check_slot(loc, t, table, handle, RESTAB_SLOT_BORROW, res, rep, scope);
    restab_slot_info info;
    memset(&info, 0xee, sizeof info);
    if (restab_table_slot(t, table, handle, &info) == 0)
        tst_checkf(loc, info.lends == lends, "borrow lends",
                   "table %u handle %u: got %u, want %u", table, handle,
                   info.lends, lends);
}

/* ---- Snapshots -------------------------------------------------------- */

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
    if (p == NULL) {
        fprintf(stderr, "test: out of memory\n");
        exit(1);
    }
    return p;
}

void tst_snap_take(tst_snapshot *s, const restab_tables *t)
{
    s->table_count = restab_table_count(t);
    s->tables = xcalloc(s->table_count, sizeof *s->tables);
    for (uint32_t i = 0; i < s->table_count; i++) {
        tst_table_snap *ts = &s->tables[i];
        ts->size = restab_table_size(t, i);
        ts->next = restab_table_next(t, i);
        ts->slots = xcalloc(ts->size, sizeof *ts->slots);
        for (uint32_t h = 1; h <= ts->size; h++) {
            restab_slot_info info = {RESTAB_SLOT_FREE, 0, 0, 0, 0};
            if (restab_table_slot(t, i, h, &info) != 0)
                info.kind = (restab_slot_kind)99; /* shows as a difference */
            /* Only fields that the kind defines are compared. */
            restab_slot_info *out = &ts->slots[h - 1];
            out->kind = info.kind;
            if (info.kind == RESTAB_SLOT_OWN || info.kind == RESTAB_SLOT_BORROW) {
                out->resource = info.resource;
                out->rep = info.rep;
            }
            /* Borrows have lends in the spec profile (0 otherwise). */
            if (info.kind == RESTAB_SLOT_OWN || info.kind == RESTAB_SLOT_BORROW)
                out->lends = info.lends;
            if (info.kind == RESTAB_SLOT_BORROW)
                out->scope = info.scope;
        }
    }
    s->scope_count = restab_scope_count(t);
    s->scopes = xcalloc(s->scope_count, sizeof *s->scopes);
    for (uint32_t d = 0; d < s->scope_count; d++) {
        tst_scope_snap *ss = &s->scopes[d];
        ss->borrow_count = restab_scope_borrow_count(t, d);
        ss->lender_count = restab_scope_lender_count(t, d);
        ss->lender_tables = xcalloc(ss->lender_count, sizeof(uint32_t));
        ss->lender_handles = xcalloc(ss->lender_count, sizeof(uint32_t));
        for (uint32_t i = 0; i < ss->lender_count; i++) {
            if (restab_scope_lender(t, d, i, &ss->lender_tables[i],
                                    &ss->lender_handles[i]) != 0)
                ss->lender_tables[i] = ss->lender_handles[i] = UINT32_MAX;
        }
    }
}

void tst_snap_free(tst_snapshot *s)
{
    for (uint32_t i = 0; i < s->table_count; i++)
        free(s->tables[i].slots);
    free(s->tables);
    for (uint32_t d = 0; d < s->scope_count; d++) {
        free(s->scopes[d].lender_tables);
        free(s->scopes[d].lender_handles);
    }
    free(s->scopes);
    memset(s, 0, sizeof *s);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int differ(char *why, size_t why_size, const char *fmt, ...)
{
    if (why != NULL && why_size > 0) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(why, why_size, fmt, args);
        va_end(args);
    }
    return 0;
}

int tst_snap_equal(const tst_snapshot *a, const tst_snapshot *b, char *why,
                   size_t why_size)
{
    if (a->table_count != b->table_count)
        return differ(why, why_size, "table count %u vs %u", a->table_count,
                      b->table_count);
    for (uint32_t i = 0; i < a->table_count; i++) {
        const tst_table_snap *x = &a->tables[i], *y = &b->tables[i];
        if (x->size != y->size)
            return differ(why, why_size, "table %u size %u vs %u", i, x->size,
                          y->size);
        if (x->next != y->next)
            return differ(why, why_size, "table %u next %u vs %u", i, x->next,
                          y->next);
        for (uint32_t s = 0; s < x->size; s++) {
            const restab_slot_info *p = &x->slots[s], *q = &y->slots[s];
            if (p->kind != q->kind || p->resource != q->resource ||
                p->rep != q->rep || p->lends != q->lends ||
                p->scope != q->scope)
                return differ(why, why_size,
                              "table %u handle %u: kind %d res %u rep %u "
                              "lends %u scope %u vs kind %d res %u rep %u "
                              "lends %u scope %u",
                              i, s + 1, (int)p->kind, p->resource, p->rep,
                              p->lends, p->scope, (int)q->kind, q->resource,
                              q->rep, q->lends, q->scope);
        }
    }
    if (a->scope_count != b->scope_count)
        return differ(why, why_size, "scope count %u vs %u", a->scope_count,
                      b->scope_count);
    for (uint32_t d = 0; d < a->scope_count; d++) {
        const tst_scope_snap *x = &a->scopes[d], *y = &b->scopes[d];
        if (x->borrow_count != y->borrow_count)
            return differ(why, why_size, "scope %u borrow count %u vs %u", d,
                          x->borrow_count, y->borrow_count);
        if (x->lender_count != y->lender_count)
            return differ(why, why_size, "scope %u lender count %u vs %u", d,
                          x->lender_count, y->lender_count);
        for (uint32_t i = 0; i < x->lender_count; i++) {
            if (x->lender_tables[i] != y->lender_tables[i] ||
                x->lender_handles[i] != y->lender_handles[i])
                return differ(why, why_size,
                              "scope %u lender %u: %u/%u vs %u/%u", d, i,
                              x->lender_tables[i], x->lender_handles[i],
                              y->lender_tables[i], y->lender_handles[i]);
        }
    }
    if (why != NULL && why_size > 0)
        why[0] = '\0';
    return 1;
}
