/*
 * The differential runner (diff.h).
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include "diff.h"

#include "signature.h"
#include "split.h"
#include "text_buffer.h"
#include "xorshift.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The weak reference lets implementations without extensions link as they
   are (restab_impl.h). */
extern const rt_impl_ext *rt_impl_extensions(const rt_impl *impl)
#if defined(__GNUC__)
    __attribute__((weak))
#endif
    ;

const rt_impl_ext *diff_extensions(const rt_impl *impl)
{
    return rt_impl_extensions != NULL ? rt_impl_extensions(impl) : NULL;
}

_Static_assert(OP_NEW == 0 && OP_LOWER_OWN == 1 && OP_LOWER_BORROW == 2 &&
                   OP_REP == 3 && OP_DROP == 4 && OP_LIFT_OWN == 5 &&
                   OP_LIFT_BORROW == 6 && OP_ENTER == 7 && OP_EXIT == 8,
               "rt_batch_op codes are op_code values");

/* Room for one "what differed" sentence. */
#define WHAT_MAX 512


static uint32_t table_of(const program *p, uint32_t resource)
{
    return resource == RT_HOST ? p->instances : p->type_instance[resource];
}

static void describe_slot(const rt_slot *s, char *buf, size_t size)
{
    char resource[16];
    if (s->kind == RT_FREE) {
        snprintf(buf, size, "free");
        return;
    }
    if (s->resource == RT_HOST)
        snprintf(resource, sizeof resource, "host");
    else
        snprintf(resource, sizeof resource, "t%" PRIu32, s->resource);
    if (s->kind == RT_OWN)
        snprintf(buf, size, "own %s rep %" PRIu32 " lends %" PRIu32, resource,
                 s->rep, s->lends);
    else
        snprintf(buf, size, "borrow %s rep %" PRIu32 " scope %" PRIu32,
                 resource, s->rep, s->scope);
}

static int slot_equal(const rt_slot *a, const rt_slot *b)
{
    if (a->kind != b->kind || a->resource != b->resource || a->rep != b->rep)
        return 0;
    /* A free slot's fields are all 0 (impl.h), so compare them too. */
    if (a->kind == RT_FREE)
        return a->lends == b->lends && a->scope == b->scope;
    return a->kind == RT_OWN ? a->lends == b->lends : a->scope == b->scope;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
/* Writes "[KIND] sentence": report() takes the kind (the signature's last
   field, signature.h) from the brackets. */
static int differ(char *what, size_t size, const char *kind, const char *fmt,
                  ...)
{
    int n = snprintf(what, size, "[%s] ", kind);
    if (n < 0 || (size_t)n >= size)
        return -1;
    va_list args;
    va_start(args, fmt);
    vsnprintf(what + n, size - (size_t)n, fmt, args);
    va_end(args);
    return -1;
}

static int compare_table(const diff *d, uint32_t table, int every_slot,
                         char *what, size_t size)
{
    const char *a = d->sut->name, *b = d->model->name;
    uint32_t sut_size = d->sut->table_size(d->sut_self, table);
    uint32_t model_size = d->model->table_size(d->model_self, table);
    if (sut_size != model_size)
        return differ(what, size, "state:table-size",
                      "table %" PRIu32 " has %" PRIu32 " slots in %s but %" PRIu32
                      " in %s",
                      table, sut_size, a, model_size, b);
    uint32_t sut_next = d->sut->table_next(d->sut_self, table);
    uint32_t model_next = d->model->table_next(d->model_self, table);
    if (sut_next != model_next)
        return differ(what, size, "state:table-next",
                      "table %" PRIu32 "'s next handle is %" PRIu32
                      " in %s but %" PRIu32 " in %s",
                      table, sut_next, a, model_next, b);
    if (!every_slot)
        return 0;
    rt_slot past = {RT_FREE, 0, 0, 0, 0};
    if (d->sut->table_slot(d->sut_self, table, sut_size + 1, &past) != -1 ||
        d->sut->table_slot(d->sut_self, table, 0, &past) != -1)
        return differ(what, size, "interface:table_slot",
                      "%s's table_slot broke the interface: it describes a "
                      "slot of table %" PRIu32 " at handle 0 or past its size "
                      "%" PRIu32,
                      a, table, sut_size);
    for (uint32_t h = 1; h <= sut_size; h++) {
        rt_slot x = {RT_FREE, 0, 0, 0, 0}, y = {RT_FREE, 0, 0, 0, 0};
        if (d->sut->table_slot(d->sut_self, table, h, &x) != 0 ||
            d->model->table_slot(d->model_self, table, h, &y) != 0)
            return differ(what, size, "state:slot-unobservable",
                          "table %" PRIu32 " handle %" PRIu32
                          " cannot be observed though it is below the size",
                          table, h);
        if (!slot_equal(&x, &y)) {
            char sx[64], sy[64];
            describe_slot(&x, sx, sizeof sx);
            describe_slot(&y, sy, sizeof sy);
            return differ(what, size, "state:slot",
                          "table %" PRIu32 " handle %" PRIu32
                          " is %s in %s but %s in %s",
                          table, h, sx, a, sy, b);
        }
    }
    return 0;
}

/* Compares a scope: its counts, and every lender record when `all`, else
   the newest one (where a step's lend shows). */
static int compare_scope(const diff *d, uint32_t depth, int all, char *what,
                         size_t size)
{
    const char *a = d->sut->name, *b = d->model->name;
    uint32_t x = d->sut->scope_borrow_count(d->sut_self, depth);
    uint32_t y = d->model->scope_borrow_count(d->model_self, depth);
    if (x != y)
        return differ(what, size, "state:borrow-count",
                      "scope %" PRIu32 " has borrow count %" PRIu32
                      " in %s but %" PRIu32 " in %s",
                      depth, x, a, y, b);
    x = d->sut->scope_lender_count(d->sut_self, depth);
    y = d->model->scope_lender_count(d->model_self, depth);
    if (x != y)
        return differ(what, size, "state:lender-count",
                      "scope %" PRIu32 " has %" PRIu32
                      " lender records in %s but %" PRIu32 " in %s",
                      depth, x, a, y, b);
    for (uint32_t i = all || x == 0 ? 0 : x - 1; i < x; i++) {
        uint32_t ta = 0, ha = 0, tb = 0, hb = 0;
        int ra = d->sut->scope_lender(d->sut_self, depth, i, &ta, &ha);
        int rb = d->model->scope_lender(d->model_self, depth, i, &tb, &hb);
        if (ra != 0 || rb != 0 || ta != tb || ha != hb)
            return differ(what, size, "state:lender-record",
                          "scope %" PRIu32 " lender record %" PRIu32
                          " is table %" PRIu32 " handle %" PRIu32
                          " in %s but table %" PRIu32 " handle %" PRIu32
                          " in %s",
                          depth, i, ta, ha, a, tb, hb, b);
    }
    return 0;
}

/*
 * The tables no operation addressed must be empty in the implementation
 * under test (size 0, next handle 1); the model's are by construction
 * (it creates a table on its first insertion, and an insertion goes to the
 * table of the operation's resource, which is then addressed). Two calls a
 * table instead of a full comparison with the model: this is the only walk
 * over every declared table, and it runs once, at the end, and for the
 * largest configurations on a share of the inputs only (diff.h).
 */
static int compare_untouched(const diff *d, char *what, size_t size)
{
    if (!(d->sut_caps & RT_CAN_OBSERVE))
        return 0;
    /* Past DIFF_UNTOUCHED_TABLES tables, on a deterministic share of the
       inputs: the rest rely on the per-step comparison of the addressed
       table, where a misplaced entry shows as missing. */
    uint32_t mix[4] = {d->p->instances, d->p->types, (uint32_t)d->steps,
                       d->addressed_len};
    if (d->p->instances >= DIFF_UNTOUCHED_TABLES &&
        !xorshift_pick(mix, 4, DIFF_UNTOUCHED_SHARE))
        return 0;
    for (uint32_t table = 0; table <= d->p->instances; table++) {
        if (d->is_addressed[table])
            continue;
        if ((d->sut->table_size(d->sut_self, table) != 0 ||
             d->sut->table_next(d->sut_self, table) != 1) &&
            compare_table(d, table, 1, what, size) != 0)
            return -1;
    }
    return 0;
}

/*
 * Compares observable states: with `full`, every slot of every addressed
 * table and every scope; otherwise the sizes of the table the operation
 * addressed and the top scope, which is where a step's effects show first.
 * At the start (`o` NULL, nothing addressed yet) that leaves the scope
 * counts: a table is compared from the step that first addresses it, and
 * the others once, at the end (compare_untouched).
 */
static int compare_states(const diff *d, const op *o, int full, char *what,
                          size_t size)
{
    if (!(d->sut_caps & RT_CAN_OBSERVE))
        return 0; /* results-only implementation (restab_impl.h) */
    uint32_t x = d->sut->scope_count(d->sut_self);
    uint32_t y = d->model->scope_count(d->model_self);
    if (x != y)
        return differ(what, size, "state:scope-count",
                      "%" PRIu32 " scopes are active in %s but %" PRIu32
                      " in %s",
                      x, d->sut->name, y, d->model->name);
    if (full) {
        SPLIT_COUNT(SPLIT_FULL_COMPARES);
        for (uint32_t i = 0; i < d->addressed_len; i++) {
            if (compare_table(d, d->addressed[i], 1, what, size) != 0)
                return -1;
        }
        for (uint32_t depth = 0; depth < x; depth++) {
            if (compare_scope(d, depth, 1, what, size) != 0)
                return -1;
        }
        return 0;
    }
    /* Between sweeps, look only where this kind of operation acts:
       insertions and removals change a table's size or next handle, and
       scope operations, borrows and lends change the top scope. */
    int changes_table = op_has(o->code, OPF_TABLE);
    int changes_scope = op_has(o->code, OPF_SCOPE);
    if (changes_table &&
        compare_table(d, table_of(d->p, o->resource), 0, what, size) != 0)
        return -1;
    return changes_scope && x > 0 ? compare_scope(d, x - 1, 0, what, size) : 0;
}

/*
 * Runs the implementation's integrity checker, and the model's too when
 * `model_too` (the model is simple enough to trust between checks, and its
 * checker is as naive as the rest of it).
 */
static int run_checkers(const diff *d, int model_too, char *what, size_t size)
{
    char msg[256];
    const rt_impl *impls[2] = {d->sut, d->model};
    const void *selves[2] = {d->sut_self, d->model_self};
    for (int i = 0; i < 1 + (model_too != 0); i++) {
        if (impls[i]->check == NULL || (i == 0 && !(d->sut_caps & RT_CAN_CHECK)))
            continue;
        msg[0] = '\0';
        SPLIT_COUNT(i == 0 ? SPLIT_SUT_CHECKS : SPLIT_MODEL_CHECKS);
        int broken = impls[i]->check(selves[i], msg, sizeof msg);
        if (broken != 0) {
            /* Which invariant: restab's messages start "invariant N:",
               others' first words stand for it. */
            char kind[64], slug[48];
            unsigned number = 0;
            if (sscanf(msg, "invariant %u", &number) == 1)
                snprintf(slug, sizeof slug, "invariant-%u", number);
            else
                signature_slug(msg, 4, slug, sizeof slug);
            snprintf(kind, sizeof kind, "%s:%s", i == 0 ? "check" : "model-check",
                     slug[0] != '\0' ? slug : "failed");
            return differ(what, size, kind, "%s's integrity check failed: %s",
                          impls[i]->name, msg);
        }
    }
    return 0;
}

/* The signature line of a report (signature.h): the target, the failing
   step's operation, and `kind`, or the bracketed kind that starts `what`
   (which then moves past it). */
static void write_signature(diff *d, FILE *out, const char *kind,
                            const char **what)
{
    char buf[SIGNATURE_MAX];
    const char *w = *what;
    if (kind == NULL && w[0] == '[' && strchr(w, ']') != NULL) {
        size_t n = (size_t)(strchr(w, ']') - w - 1);
        if (n >= sizeof buf)
            n = sizeof buf - 1;
        memcpy(buf, w + 1, n);
        buf[n] = '\0';
        kind = buf;
        w = strchr(w, ']') + 1;
        while (*w == ' ')
            w++;
        *what = w;
    }
    char step_op[OP_TEXT_MAX];
    if (!d->ended && d->steps > 0)
        op_signature_name(&d->p->ops[d->steps - 1], step_op, sizeof step_op);
    else
        snprintf(step_op, sizeof step_op, "%s", d->ended ? "end" : "create");
    int n = snprintf(d->signature, sizeof d->signature, "%s %s %s",
                     d->target != NULL ? d->target : "ops", step_op,
                     kind != NULL ? kind : "failed");
    if (n < 0)
        d->signature[0] = '\0'; /* a longer one is cut, still one line */
    if (out != NULL)
        fprintf(out, SIGNATURE_PREFIX "%s\n", d->signature);
}

/* An outcome as a signature word: `ok` (a handle or rep, or enter and
   exit), `none` (a borrow dropped) or the error kind. */
static const char *outcome_word(const op_result *r)
{
    if (r->status != RT_OK)
        return rt_status_name(r->status);
    return r->kind == RESULT_BORROW ? "none" : "ok";
}

static void report(diff *d, const op_result *sut_result,
                   const op_result *model_result, const char *kind,
                   const char *what)
{
    d->failed = 1;
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = d->defer_report && d->report != NULL
                    ? open_memstream(&text, &text_len)
                    : d->report;
    if (out == NULL) {
        write_signature(d, NULL, kind, &what); /* named, not written */
        return;
    }
    fprintf(out, "==== restab harness: %s and %s disagree ====\n",
            d->sut->name, d->model->name);
    if (d->input != NULL)
        fprintf(out, "input: %s\n", d->input);
    write_signature(d, out, kind, &what);
    if (d->ended) {
        fprintf(out, "failing step: the final comparison, after step %zu\n",
                d->steps);
    } else if (d->steps > 0) {
        char line[OP_TEXT_MAX];
        op_format(&d->p->ops[d->steps - 1], line, sizeof line);
        fprintf(out, "failing step: %zu (%s)\n", d->steps, line);
    } else {
        fprintf(out, "failing step: creating the table sets\n");
    }
    if (sut_result != NULL && model_result != NULL) {
        char ra[OP_TEXT_MAX], rb[OP_TEXT_MAX];
        result_format(sut_result, ra, sizeof ra);
        result_format(model_result, rb, sizeof rb);
        fprintf(out, "  %-8s => %s\n  %-8s => %s\n", d->sut->name, ra,
                d->model->name, rb);
    }
    fprintf(out, "what: %s\n", what);
    fprintf(out, "script up to and including the failing step (saved as "
                 "FILE.ops, %s FILE.ops reruns it):\n",
            d->replay_tool != NULL ? d->replay_tool : "the replay tool");
    fprintf(out, "---- 8< ----\n");
    program_print(d->p, d->steps, text_write_file, out);
    fprintf(out, "---- >8 ----\n");
    if (out == d->report) {
        fflush(out);
        return;
    }
    fclose(out);
    free(d->deferred);
    d->deferred = text;
}

/* Reports that the results of a step differ: the kind carries the outcome
   pair (results-differ:SUT-vs-MODEL, fuzz/FORMAT.md "Signatures"), so that
   a crash, a wrong error and a wrong value are told apart. */
static void report_results(diff *d, const op_result *sut_result,
                           const op_result *model_result, int injected)
{
    char kind[96];
    snprintf(kind, sizeof kind, "%s:%s-vs-%s",
             injected ? "results-differ-after-injected-failure"
                      : "results-differ",
             outcome_word(sut_result), outcome_word(model_result));
    report(d, sut_result, model_result, kind,
           injected ? "the results differ (an allocation failed during this "
                      "step)"
                    : "the results differ");
}

/* Reports the implementation's own failure (rt_impl_failed) when one is
   pending: -1 then, else 0. */
static int report_impl_failure(diff *d, const op_result *sut_result,
                               const op_result *model_result)
{
    impl_failure f;
    if (!outcome_take_failure(&f))
        return 0;
    char kind[80], slug_kind[24], slug_function[40], what[WHAT_MAX];
    signature_slug(f.kind, 1, slug_kind, sizeof slug_kind);
    signature_slug(f.function, 1, slug_function, sizeof slug_function);
    snprintf(kind, sizeof kind, "impl-failure:%s%s%s",
             slug_kind[0] != '\0' ? slug_kind : "failed",
             slug_function[0] != '\0' ? "@" : "", slug_function);
    snprintf(what, sizeof what, "%s failed in %s (%s): %s", d->sut->name,
             f.function[0] != '\0' ? f.function : "an unnamed function",
             f.kind, f.message);
    d->no_rerun = 1;
    report(d, sut_result, model_result, kind, what);
    return -1;
}

/* Reports the implementation's own failure during a step (-1 then, else
   0). When the step's result was read and differs from the model's, the
   failure came after it (a block requested with the operation, which the
   child could not give): the difference is the finding, reported as
   such, and the failure is dropped. */
static int report_step_failure(diff *d, const op_result *sut_result,
                               const op_result *model_result, int injected)
{
    if (outcome_failed() && sut_result->status != RT_INVALID &&
        sut_result->status != RT_DECLINED &&
        !result_equal(sut_result, model_result)) {
        impl_failure after;
        (void)outcome_take_failure(&after);
        report_results(d, sut_result, model_result, injected);
        return -1;
    }
    return report_impl_failure(d, sut_result, model_result);
}

/* The implementation under test declined (rt_decline): the input ends
   here, passed. Returns 1. */
static int declined(diff *d)
{
    d->declined = 1;
    if (!outcome_take_decline(d->decline_reason, sizeof d->decline_reason) ||
        d->decline_reason[0] == '\0')
        snprintf(d->decline_reason, sizeof d->decline_reason, "%s",
                 "(no reason given)");
    return 1;
}

/* The addressed-table arrays, kept from one run to the next (diff_end
   clears the entries its run set, so each run starts from all zero): one
   allocation for a campaign instead of two per input, which for the
   largest configurations (65,537 tables) were most of the setup. Used by
   one diff at a time; a diff begun while another runs gets its own. */
static struct {
    uint32_t *addressed;
    uint8_t *is_addressed;
    size_t cap;
    int taken;
} pool;

/* Points d's addressed-table arrays at room for `tables` tables. 0, or -1
   when out of memory. */
static int take_addressed(diff *d, size_t tables)
{
    d->addressed = NULL;
    d->is_addressed = NULL;
    d->pooled = !pool.taken;
    if (!d->pooled) {
        d->addressed = malloc(tables * sizeof *d->addressed);
        d->is_addressed = calloc(tables, 1);
        return d->addressed != NULL && d->is_addressed != NULL ? 0 : -1;
    }
    if (pool.cap < tables) {
        free(pool.addressed);
        free(pool.is_addressed);
        pool.addressed = malloc(tables * sizeof *pool.addressed);
        pool.is_addressed = calloc(tables, 1);
        pool.cap = pool.addressed != NULL && pool.is_addressed != NULL ? tables : 0;
    }
    if (pool.cap == 0) {
        d->pooled = 0;
        return -1;
    }
    pool.taken = 1;
    d->addressed = pool.addressed;
    d->is_addressed = pool.is_addressed;
    return 0;
}

static void give_back_addressed(diff *d)
{
    if (d->pooled) {
        for (uint32_t i = 0; i < d->addressed_len; i++)
            d->is_addressed[d->addressed[i]] = 0;
        pool.taken = 0;
    } else {
        free(d->addressed);
        free(d->is_addressed);
    }
    d->pooled = 0;
    d->addressed_len = 0;
    d->addressed = NULL;
    d->is_addressed = NULL;
}

int diff_begin(diff *d, const rt_impl *sut, const rt_impl *model,
               const program *p, program *record, rt_alloc_fn alloc,
               void *alloc_user)
{
    d->sut = sut;
    d->model = model;
    d->sut_self = NULL;
    d->model_self = NULL;
    d->lead_self = NULL;
    d->p = p;
    d->record = record;
    d->steps = 0;
    d->steps_since_full = 0;
    d->sweep_interval = DIFF_FULL_EVERY;
    d->state_bound = 0;
    d->failed = 0;
    d->no_rerun = 0;
    d->partial = 0;
    d->signature[0] = '\0';
    d->deferred = NULL;
    d->ended = 0;
    d->addressed_len = 0;
    d->sut_ext = NULL;
    d->sut_caps = 0;
    d->batching = 0;
    d->observing = 0;
    d->batch_ops = NULL;
    d->batch_model = NULL;
    d->batch_results = NULL;
    d->batch_plan = NULL;
    d->batch_after = NULL;
    d->batch_len = 0;
    d->batch_lines = 0;
    d->declined = 0;
    d->decline_reason[0] = '\0';
    outcome_clear();
    if (record != NULL)
        record->len = 0;
    char what[WHAT_MAX];
    if (take_addressed(d, (size_t)p->instances + 1) != 0) {
        report(d, NULL, NULL, "harness-out-of-memory", "the harness ran out of memory");
        return -1;
    }
    rt_config cfg = program_config(p);
    rt_status model_status;
    SPLIT(SPLIT_SETUP, model_status = model->create(&cfg, &d->model_self));
    if (model_status != RT_OK) {
        snprintf(what, sizeof what, "%s could not create the table set: %s",
                 model->name, rt_status_name(model_status));
        report(d, NULL, NULL, "model-create-failed", what);
        return -1;
    }
    cfg.alloc = alloc;
    cfg.alloc_user = alloc_user;
    unsigned long failures_before =
        d->alloc_failures != NULL ? *d->alloc_failures : 0;
    rt_status sut_status;
    SPLIT(SPLIT_SETUP, sut_status = sut->create(&cfg, &d->sut_self));
    if (sut_status == RT_OUT_OF_MEMORY && d->alloc_failures != NULL &&
        *d->alloc_failures != failures_before) {
        model->destroy(d->model_self);
        d->model_self = NULL;
        return 1;
    }
    if (report_impl_failure(d, NULL, NULL) != 0)
        return -1;
    if (sut_status == RT_DECLINED) {
        model->destroy(d->model_self);
        d->model_self = NULL;
        return declined(d);
    }
    if (sut_status != RT_OK) {
        snprintf(what, sizeof what,
                 "%s could not create the table set (%s) though %s could",
                 sut->name, rt_status_name(sut_status), model->name);
        report(d, NULL, NULL, "create-failed", what);
        return -1;
    }
    d->sut_caps = (sut->table_size != NULL ? RT_CAN_OBSERVE : 0u) |
                  (sut->check != NULL ? RT_CAN_CHECK : 0u);
    d->sut_ext = diff_extensions(sut);
    if (d->sut_ext != NULL && d->sut_ext->capabilities != NULL)
        d->sut_caps &= d->sut_ext->capabilities(d->sut_self);
    /* Batches, for an implementation whose calls are round trips: results
       only (run_batch), or observed (run_batch_observed) with a second
       model that runs ahead for the decoder while the first keeps step
       with the batch's results. Never in allocation-failure runs, which
       must see each step's allocations, or when steps are announced (a
       crash must name the step it happened in). */
    int observed = (d->sut_caps & (RT_CAN_OBSERVE | RT_CAN_CHECK)) != 0;
    if (d->sut_ext != NULL && !d->synchronous && d->alloc_failures == NULL &&
        d->announce == NULL &&
        (observed ? d->sut_ext->run_batch_observed != NULL
                  : d->sut_ext->run_batch != NULL)) {
        d->batch_ops = malloc(DIFF_BATCH * sizeof *d->batch_ops);
        d->batch_model = malloc(DIFF_BATCH * sizeof *d->batch_model);
        d->batch_results = malloc(DIFF_BATCH * sizeof *d->batch_results);
        d->batch_plan = malloc(DIFF_BATCH * sizeof *d->batch_plan);
        d->batch_after = malloc(DIFF_BATCH * sizeof *d->batch_after);
        if (d->batch_ops == NULL || d->batch_model == NULL ||
            d->batch_results == NULL || d->batch_plan == NULL ||
            d->batch_after == NULL ||
            (observed && model->create(&cfg, &d->lead_self) != RT_OK)) {
            report(d, NULL, NULL, "harness-out-of-memory",
                   "the harness ran out of memory");
            return -1;
        }
        d->batching = !observed;
        d->observing = observed;
    }
    int differs;
    SPLIT(SPLIT_CHECKERS, differs = run_checkers(d, 1, what, sizeof what));
    if (differs == 0)
        SPLIT(SPLIT_COMPARES,
              differs = compare_states(d, NULL, 1, what, sizeof what));
    if (report_impl_failure(d, NULL, NULL) != 0)
        return -1;
    if (differs != 0) {
        report(d, NULL, NULL, NULL, what);
        return -1;
    }
    return 0;
}

const void *diff_decoder_model(const diff *d)
{
    return d->observing ? d->lead_self : d->model_self;
}

/* Steps until the next sweep: the size of the state the sweep compares
   (measured on `model`, a model table set at the step), divided by
   DIFF_SWEEP_COST, but at least DIFF_FULL_EVERY. */
static size_t next_interval(const diff *d, const void *model)
{
    size_t work = d->model->scope_count(model);
    for (uint32_t i = 0; i < d->addressed_len; i++)
        work += d->model->table_size(model, d->addressed[i]);
    work /= DIFF_SWEEP_COST;
    return work > DIFF_FULL_EVERY ? work : DIFF_FULL_EVERY;
}

/* Reports a step where either implementation broke restab_impl.h's rules
   (op_result.misbehaviour); -1 then, else 0. */
static int report_misbehaviour(diff *d, const op *o, const op_result *sut,
                               const op_result *model)
{
    if (sut->misbehaviour == NULL && model->misbehaviour == NULL)
        return 0;
    char what[WHAT_MAX];
    int sut_broke = sut->misbehaviour != NULL;
    snprintf(what, sizeof what, "%s's %s broke the interface: it %s",
             sut_broke ? d->sut->name : d->model->name, op_function(o->code),
             sut_broke ? sut->misbehaviour : model->misbehaviour);
    char kind[64];
    snprintf(kind, sizeof kind, "%s:%s",
             sut_broke ? "interface" : "model-interface", op_function(o->code));
    report(d, sut, model, kind, what);
    return -1;
}

/* What is checked after a step (plan_step). */
#define PLAN_FULL 1u   /* compare every addressed table and every scope */
#define PLAN_CHECK 2u  /* run the implementation under test's checker */
#define PLAN_MODEL 4u  /* run the model's checker too */

/*
 * The comparison schedule (diff.h): what is checked after the step that
 * just ran, from the model's result and its state after it (`model`, the
 * model table set that ran it). While the state is small everything is
 * compared at every step, and both checkers run when there are few tables
 * too. Later a sweep compares everything and runs the implementation's
 * checker every sweep_interval steps, an interval that grows with the
 * state so that sweeps cost O(1) per step; between sweeps only where the
 * step acts is compared. `forced`: this step is a sweep whatever the
 * interval (an injected allocation failure). Decided from the model alone,
 * so an observed batch plans its requests before it sends them.
 */
static unsigned plan_step(diff *d, const op *o, const op_result *model_result,
                          const void *model, int forced)
{
    /* Slots never shrink and each lend adds one record, so counting the
       successful insertions and lends bounds the state's size. */
    if (model_result->status == RT_OK && op_has(o->code, OPF_GROWS))
        d->state_bound++;
    d->steps_since_full++;
    SPLIT_COUNT(SPLIT_STEPS);
    if (d->every_step)
        return PLAN_FULL | PLAN_CHECK | PLAN_MODEL;
    int sweep = forced || d->steps_since_full >= d->sweep_interval;
    int small = d->state_bound <= DIFF_SMALL_STATE;
    int few_tables = d->p->instances < DIFF_SMALL_STATE;
    if (sweep) {
        d->steps_since_full = 0;
        d->sweep_interval = next_interval(d, model);
    }
    int both = small && few_tables;
    unsigned plan = (sweep || small ? PLAN_FULL : 0u) |
                    (sweep || both ? PLAN_CHECK : 0u) | (both ? PLAN_MODEL : 0u);
    if ((plan & (PLAN_FULL | PLAN_CHECK)) != (PLAN_FULL | PLAN_CHECK))
        d->partial = 1;
    return plan;
}

/*
 * Everything after a step has run on both: its results, the checkers and
 * the states as `plan` says. `injected`: an allocation failure was injected
 * during the step (allocation-failure runs). The caller has reported any
 * failure of the implementation during the operation itself; failures in
 * its checker and observation functions are reported here. 0, 1 when the
 * implementation under test declined the step, or -1 after a report.
 */
static int compare_step(diff *d, const op *o, const op_result *sut_result,
                        const op_result *model, unsigned plan, int injected)
{
    char what[WHAT_MAX];
    if (d->trace != NULL) {
        char line[OP_TEXT_MAX], result[OP_TEXT_MAX];
        op_format(o, line, sizeof line);
        result_format(sut_result, result, sizeof result);
        fprintf(d->trace, "%s => %s%s\n", line, result,
                injected && sut_result->status == RT_OUT_OF_MEMORY
                    ? " (injected allocation failure)"
                    : "");
    }
    if (report_misbehaviour(d, o, sut_result, model) != 0)
        return -1;
    if (sut_result->status == RT_DECLINED)
        return declined(d);
    if (!result_equal(sut_result, model)) {
        report_results(d, sut_result, model, injected);
        return -1;
    }
    int checked = (plan & PLAN_CHECK) != 0;
    int differs = 0;
    if (checked)
        SPLIT(SPLIT_CHECKERS, differs = run_checkers(d, (plan & PLAN_MODEL) != 0,
                                                     what, sizeof what) != 0);
    if (report_impl_failure(d, sut_result, model) != 0)
        return -1;
    if (differs) {
        report(d, sut_result, model, NULL, what);
        return -1;
    }
    SPLIT(SPLIT_COMPARES, differs = compare_states(d, o, (plan & PLAN_FULL) != 0,
                                                   what, sizeof what) != 0);
    if (report_impl_failure(d, sut_result, model) != 0)
        return -1;
    if (differs) {
        /* A difference between checker runs is named again by the rerun
           (run.c), which checks after every step. */
        report(d, sut_result, model, NULL, what);
        return -1;
    }
    return 0;
}

/* Notes the table a step addresses (diff.h, addressed). */
static void address(diff *d, const op *o)
{
    if (!op_takes_resource(o->code))
        return;
    uint32_t table = table_of(d->p, o->resource);
    if (!d->is_addressed[table]) {
        d->is_addressed[table] = 1;
        d->addressed[d->addressed_len++] = table;
    }
}

/* The common start of a step: recorded and counted. 0, or -1 after a
   report. */
static int begin_step(diff *d, const op *o)
{
    if (d->record != NULL && program_push(d->record, *o) != 0) {
        report(d, NULL, NULL, "harness-out-of-memory", "the harness ran out of memory");
        return -1;
    }
    d->steps++;
    address(d, o);
    return 0;
}

int diff_step(diff *d, const op *o, op_result *model_result)
{
    if (begin_step(d, o) != 0)
        return -1;
    if (d->announce != NULL) {
        /* Before the step runs, so a crash inside it still names it
           (signature.h, RESTAB_ANNOUNCE_STEPS). */
        char line[OP_TEXT_MAX], name[OP_TEXT_MAX];
        op_format(o, line, sizeof line);
        op_signature_name(o, name, sizeof name);
        fprintf(d->announce, SIGNATURE_STEP_PREFIX "%zu: %s: %s\n", d->steps,
                name, line);
        fflush(d->announce);
    }
    unsigned long failures_before =
        d->alloc_failures != NULL ? *d->alloc_failures : 0;
    op_result sut_result;
    SPLIT(SPLIT_LIBRARY, sut_result = op_run(d->sut, d->sut_self, o));
    int injected = d->alloc_failures != NULL &&
                   *d->alloc_failures != failures_before;
    op_result model = {RT_OUT_OF_MEMORY, RESULT_NONE, 0, NULL};
    /* An injected failure that the implementation reports as out of memory
       must leave its state as the model's is before the step, which a
       sweep then compares. */
    int skip_model = injected && sut_result.status == RT_OUT_OF_MEMORY;
    if (!skip_model)
        SPLIT(SPLIT_ORACLE, model = op_run(d->model, d->model_self, o));
    *model_result = model;
    unsigned plan = plan_step(d, o, &model, d->model_self, skip_model);
    if (report_step_failure(d, &sut_result, &model, injected) != 0)
        return -1;
    return compare_step(d, o, &sut_result, &model, plan, injected);
}

/* The op_result that op_run would have made of a batch outcome, with the
   same checks of restab_impl.h's rules (a batch has no out-parameters to
   leave unwritten, so only the status and destructor_due are checked). */
static op_result batch_result(const op *o, const rt_batch_result *b)
{
    op_result r = {b->status, RESULT_VALUE, b->value, NULL};
    if (o->code == OP_DROP && b->status == RT_OK) {
        if (b->destructor_due == 0) {
            r.kind = RESULT_BORROW;
            r.value = 0;
        } else if (b->destructor_due != 1) {
            r.misbehaviour = "succeeded without setting *destructor_due to 0 "
                             "or 1";
        }
    }
    if (o->code == OP_ENTER || o->code == OP_EXIT)
        r.kind = RESULT_NONE;
    if ((unsigned)r.status >= RT_STATUS_COUNT)
        r.misbehaviour = "returned a value that is not an rt_status";
    if (r.misbehaviour != NULL)
        r.status = RT_INVALID;
    if (r.status != RT_OK) {
        r.kind = RESULT_NONE;
        r.value = 0;
    }
    return r;
}

/* Runs a results-only batch on the implementation under test and compares
   its results in order. `last_what`: the model's checker failed after the
   last queued step, to be reported there if its results agree. */
static int batch_run(diff *d, const char *last_what)
{
    size_t len = d->batch_len, queued = d->steps, first = d->steps - len;
    d->batch_len = 0;
    d->sut_ext->run_batch(d->sut_self, d->batch_ops, len, d->batch_results);
    /* A failure of the implementation ends its results: the first invalid
       one is where it happened (the model never has one), and the steps
       before it are compared without it. */
    impl_failure failure;
    int failed = outcome_take_failure(&failure);
    for (size_t i = 0; i < len; i++) {
        const op *o = &d->p->ops[first + i];
        op_result r = batch_result(o, &d->batch_results[i]);
        d->steps = first + i + 1;
        if (failed && (r.status == RT_INVALID || i + 1 == len)) {
            rt_impl_failed(failure.kind, failure.function, failure.message);
            return report_impl_failure(d, &r, &d->batch_model[i]);
        }
        int status = compare_step(d, o, &r, &d->batch_model[i], 0, 0);
        if (status != 0)
            return status;
        if (i + 1 == len && last_what != NULL) {
            report(d, &r, &d->batch_model[i], NULL, last_what);
            return -1;
        }
    }
    d->steps = queued;
    return 0;
}

/* run_batch_observed's step callback: step i of the batch has run on the
   implementation under test, whose observation functions now show the
   state after it. The model that keeps step runs it, and everything its
   plan says is compared. Nonzero stops the batch. */
static int observed_step(void *user, size_t i)
{
    diff *d = user;
    size_t first = d->steps_queued - d->batch_len;
    const op *o = &d->p->ops[first + i];
    d->steps = first + i + 1;
    op_result r = batch_result(o, &d->batch_results[i]);
    op_result model;
    SPLIT(SPLIT_ORACLE, model = op_run(d->model, d->model_self, o));
    /* Steps come in order, so a failure not yet reported is this one's. */
    if (report_step_failure(d, &r, &model, 0) != 0)
        return 1;
    return compare_step(d, o, &r, &model, d->batch_plan[i], 0) != 0;
}

/* Runs an observed batch: every step's requests (the operation, and the
   summary, state or check its plan needs) go out before the replies are
   read, and each step is compared as its replies come. */
static int observed_run(diff *d)
{
    size_t len = d->batch_len;
    d->batch_lines = 0;
    d->steps_queued = d->steps;
    d->steps -= len; /* each step's callback moves it on */
    d->sut_ext->run_batch_observed(d->sut_self, d->batch_ops, d->batch_after,
                                   len, d->batch_results, observed_step, d);
    d->batch_len = 0;
    if (d->failed)
        return -1;
    if (d->declined)
        return 1;
    if (d->steps != d->steps_queued) {
        /* It stopped before the end without a step to blame. */
        d->steps++;
        if (report_impl_failure(d, NULL, NULL) != 0)
            return -1;
        report(d, NULL, NULL, "impl-failure:batch",
               "the implementation under test stopped answering a batch of "
               "operations without a reason");
        return -1;
    }
    return 0;
}

int diff_queue(diff *d, const op *o, op_result *model_result)
{
    if (!d->batching && !d->observing)
        return diff_step(d, o, model_result);
    if (begin_step(d, o) != 0)
        return -1;
    /* The model (the one that runs ahead, when observed) runs the step now,
       so that the decoder has its result. */
    void *model_self = d->observing ? d->lead_self : d->model_self;
    op_result model;
    SPLIT(SPLIT_ORACLE, model = op_run(d->model, model_self, o));
    *model_result = model;
    size_t i = d->batch_len++;
    d->batch_ops[i] = (rt_batch_op){(uint32_t)o->code, o->resource, o->operand};
    d->batch_model[i] = model;
    if (d->observing) {
        unsigned plan = plan_step(d, o, &model, model_self, 0);
        unsigned can = d->sut_caps;
        unsigned after =
            ((can & RT_CAN_OBSERVE) ? RT_AFTER_SUMMARY : 0u) |
            ((can & RT_CAN_OBSERVE) && (plan & PLAN_FULL) ? RT_AFTER_STATE : 0u) |
            ((can & RT_CAN_CHECK) && (plan & PLAN_CHECK) ? RT_AFTER_CHECK : 0u);
        d->batch_plan[i] = plan;
        d->batch_after[i] = after;
        /* A summary has a line per table and four more; a state also one
           per slot, scope and lender record, which state_bound bounds. */
        size_t tables = (size_t)d->p->instances + 1;
        d->batch_lines += 2 + ((after & RT_AFTER_STATE) ? tables + 4 + d->state_bound
                               : (after & RT_AFTER_SUMMARY) ? tables + 4
                                                            : 0);
        return d->batch_len == DIFF_BATCH || d->batch_lines >= DIFF_BATCH_LINES
                   ? observed_run(d)
                   : 0;
    }
    if (model.status == RT_OK && op_has(o->code, OPF_GROWS))
        d->state_bound++;
    /* Results only: of diff_step's checks, only the model's checker while
       the state is small remains. */
    char what[WHAT_MAX];
    if (d->state_bound <= DIFF_SMALL_STATE &&
        d->p->instances < DIFF_SMALL_STATE &&
        run_checkers(d, 1, what, sizeof what) != 0)
        return batch_run(d, what);
    return d->batch_len == DIFF_BATCH ? batch_run(d, NULL) : 0;
}

int diff_flush(diff *d)
{
    if (d->failed)
        return -1;
    if (d->declined)
        return 1;
    if (d->batch_len == 0)
        return 0;
    return d->observing ? observed_run(d) : batch_run(d, NULL);
}

int diff_end(diff *d)
{
    int status = 0;
    if (!d->failed && d->sut_self != NULL && d->model_self != NULL &&
        diff_flush(d) < 0)
        status = -1;
    if (!d->failed && !d->declined && d->sut_self != NULL &&
        d->model_self != NULL) {
        char what[WHAT_MAX];
        d->ended = 1;
        int differs;
        SPLIT(SPLIT_CHECKERS, differs = run_checkers(d, 1, what, sizeof what));
        if (differs == 0)
            SPLIT(SPLIT_COMPARES,
                  differs = compare_states(d, NULL, 1, what, sizeof what) ||
                            compare_untouched(d, what, sizeof what));
        if (report_impl_failure(d, NULL, NULL) != 0) {
            status = -1;
        } else if (differs != 0) {
            report(d, NULL, NULL, NULL, what);
            status = -1;
        }
    }
    if (d->sut_self != NULL)
        SPLIT(SPLIT_SETUP, d->sut->destroy(d->sut_self));
    if (d->model_self != NULL)
        SPLIT(SPLIT_SETUP, d->model->destroy(d->model_self));
    if (d->lead_self != NULL)
        d->model->destroy(d->lead_self);
    d->sut_self = NULL;
    d->model_self = NULL;
    d->lead_self = NULL;
    give_back_addressed(d);
    free(d->batch_ops);
    free(d->batch_model);
    free(d->batch_results);
    free(d->batch_plan);
    free(d->batch_after);
    d->batch_ops = NULL;
    d->batch_model = NULL;
    d->batch_results = NULL;
    d->batch_plan = NULL;
    d->batch_after = NULL;
    d->batch_len = 0;
    return d->failed ? -1 : status;
}
