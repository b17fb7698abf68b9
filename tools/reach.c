/*
 * restab-reach: how large and deep the states of fuzz inputs get.
 *
 *   restab-reach [--each] FILE|DIR...
 *
 * Decodes every input (binary, or .ops), runs it on the model and, from
 * the model's observable state after each step (restab_impl.h, so the
 * figures hold for any implementation), records the largest values of:
 *
 *   live        live slots in one table
 *   free        free slots in one table at once (the free-list length)
 *   reuses      the longest run of consecutive insertions into one table
 *               that each reused a freed slot
 *   depth       scope depth
 *   lenders     lender records in one scope
 *   lends       lends on one entry
 *   borrows     borrows in one scope (its borrow count)
 *   tables      tables addressed in one input
 *   ops         operations in one input
 *
 * Prints one line "reach: live N free N ..." with the maxima over all
 * inputs (--each: also one line per input). Exit status 0, or 2 for an
 * unreadable or malformed input. scripts/reach plots these over a
 * campaign.
 */
#include "decode.h"
#include "files.h"
#include "oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REACH_MAP(X)                                                           \
    X(live)                                                                    \
    X(free)                                                                    \
    X(reuses)                                                                  \
    X(depth)                                                                   \
    X(lenders)                                                                 \
    X(lends)                                                                   \
    X(borrows)                                                                 \
    X(tables)                                                                  \
    X(ops)

typedef struct reach {
#define REACH_FIELD_(name) uint32_t name;
    REACH_MAP(REACH_FIELD_)
#undef REACH_FIELD_
} reach;

static void raise_to(uint32_t *at, uint32_t value)
{
    if (value > *at)
        *at = value;
}

static void merge(reach *into, const reach *r)
{
#define REACH_MERGE_(name) raise_to(&into->name, r->name);
    REACH_MAP(REACH_MERGE_)
#undef REACH_MERGE_
}

static void print_reach(const char *label, const reach *r)
{
    printf("%s:", label);
#define REACH_PRINT_(name) printf(" " #name " %u", (unsigned)r->name);
    REACH_MAP(REACH_PRINT_)
#undef REACH_PRINT_
    printf("\n");
}

/* Per-table bookkeeping of one run. */
typedef struct table_track {
    uint32_t live;
    uint32_t reuse_run;
    uint8_t addressed;
} table_track;

static uint32_t table_of(const program *p, uint32_t resource)
{
    return resource == RT_HOST ? p->instances : p->type_instance[resource];
}

/* Runs p on the model and records its reach. -1 when out of memory. */
static int measure(const program *p, reach *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < p->len; i++)
        r->ops += op_times(&p->ops[i]);
    rt_config cfg = program_config(p);
    void *self = NULL;
    if (rt_oracle.create(&cfg, &self) != RT_OK)
        return -1;
    table_track *tracks = calloc((size_t)p->instances + 1, sizeof *tracks);
    if (tracks == NULL) {
        rt_oracle.destroy(self);
        return -1;
    }
    for (size_t i = 0; i < p->len; i++) {
      for (uint32_t n = 0; n < op_times(&p->ops[i]); n++) {
        const op one = op_repetition(&p->ops[i], n);
        const op *o = &one;
        uint32_t table = op_takes_resource(o->code) ? table_of(p, o->resource)
                                                    : UINT32_MAX;
        uint32_t size_before =
            table != UINT32_MAX ? rt_oracle.table_size(self, table) : 0;
        op_result res = op_run(&rt_oracle, self, o);
        if (table != UINT32_MAX && !tracks[table].addressed) {
            tracks[table].addressed = 1;
            r->tables++;
        }
        uint32_t depth = rt_oracle.scope_count(self);
        raise_to(&r->depth, depth);
        if (depth > 0) {
            raise_to(&r->lenders, rt_oracle.scope_lender_count(self, depth - 1));
            raise_to(&r->borrows, rt_oracle.scope_borrow_count(self, depth - 1));
        }
        if (res.status != RT_OK || table == UINT32_MAX)
            continue;
        table_track *t = &tracks[table];
        if (op_has(o->code, OPF_REP)) { /* an insertion: res.value is the handle */
            t->live++;
            t->reuse_run = res.value <= size_before ? t->reuse_run + 1 : 0;
            raise_to(&r->reuses, t->reuse_run);
        } else if (o->code == OP_DROP || o->code == OP_LIFT_OWN) {
            t->live--;
        } else if (o->code == OP_LIFT_BORROW) {
            rt_slot s;
            if (rt_oracle.table_slot(self, table, o->operand, &s) == 0)
                raise_to(&r->lends, s.lends);
        }
        raise_to(&r->live, t->live);
        raise_to(&r->free, rt_oracle.table_size(self, table) - t->live);
      }
    }
    free(tracks);
    rt_oracle.destroy(self);
    return 0;
}

typedef struct walk {
    int each;
    int inputs;
    reach all;
} walk;

static int visit(const char *path, void *user)
{
    walk *w = user;
    char err[512];
    size_t size = 0;
    char *data = files_read(path, &size, err, sizeof err);
    if (data == NULL) {
        fprintf(stderr, "restab-reach: %s\n", err);
        return 2;
    }
    program p;
    program_init(&p);
    int status;
    if (files_has_suffix(path, ".ops"))
        status = program_parse(data, size, path, &p, err, sizeof err);
    else
        status = decode_program((const uint8_t *)data, size, &rt_oracle, &p);
    free(data);
    if (status != 0) {
        fprintf(stderr, "%s\n", files_has_suffix(path, ".ops")
                                    ? err
                                    : "restab-reach: out of memory");
        program_free(&p);
        return 2;
    }
    reach r;
    status = measure(&p, &r);
    program_free(&p);
    if (status != 0) {
        fprintf(stderr, "restab-reach: %s: out of memory\n", path);
        return 2;
    }
    if (w->each)
        print_reach(path, &r);
    merge(&w->all, &r);
    w->inputs++;
    return 0;
}

int main(int argc, char **argv)
{
    walk w;
    memset(&w, 0, sizeof w);
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--each") == 0) {
        w.each = 1;
        first = 2;
    }
    if (first >= argc || argv[first][0] == '-') {
        fprintf(stderr, "usage: restab-reach [--each] FILE|DIR...\n");
        return 2;
    }
    for (int i = first; i < argc; i++) {
        char err[512];
        int status = files_walk(argv[i], visit, &w, err, sizeof err);
        if (status < 0)
            fprintf(stderr, "restab-reach: %s\n", err);
        if (status != 0)
            return 2;
    }
    print_reach("reach", &w.all);
    fprintf(stderr, "restab-reach: %d input%s\n", w.inputs,
            w.inputs == 1 ? "" : "s");
    return 0;
}
