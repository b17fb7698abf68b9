/*
 * restab-bench-harness: how fast the differential harness runs compared with
 * the library alone, on one fixed program of 1,000,000 operations.
 *
 * The program is generated once, deterministically (xorshift32, seed
 * 2463534242), with the oracle running alongside so that operands name live
 * handles most of the time and the state stays bounded (about a hundred live
 * handles, scopes at most 8 deep), like a long fuzz input. It is then run
 *   - through the library alone (rt_restab, one op_run per operation), and
 *   - through the full differential harness (run_script: restab and the
 *     oracle, result comparison, state comparison and both integrity
 *     checkers on the harness's schedule).
 * Prints, median of --runs runs (default 5):
 *   harness program: N ops
 *   library alone: X ops/s
 *   differential harness: Y ops/s
 *   harness/library ratio: 1/Z
 */
#define _POSIX_C_SOURCE 200809L

#include "impl_restab.h"
#include "oracle.h"
#include "run.h"
#include "xorshift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROGRAM_OPS 1000000u
#define MAX_LIVE 256u
#define MAX_DEPTH 8u

static uint32_t rng_state;

static uint32_t next(void)
{
    return xorshift32(&rng_state);
}

typedef struct handle_ref {
    uint32_t resource;
    uint32_t handle;
} handle_ref;

typedef struct generator {
    void *oracle;
    program *p;
    handle_ref owns[MAX_LIVE];
    uint32_t own_count;
    handle_ref borrows[MAX_DEPTH + 1][MAX_LIVE / 4];
    uint32_t borrow_count[MAX_DEPTH + 1];
    uint32_t depth;
} generator;

static const uint32_t resources[] = {0, 1, 2, RT_HOST};

static void fail(const char *what)
{
    fprintf(stderr, "restab-bench-harness: %s\n", what);
    exit(1);
}

/* Runs o on the oracle, records it, and returns the oracle's result. */
static op_result emit(generator *g, op o)
{
    if (program_push(g->p, o) != 0)
        fail("out of memory");
    return op_run(&rt_oracle, g->oracle, &o);
}

static void remove_at(handle_ref *list, uint32_t *count, uint32_t i)
{
    list[i] = list[--*count];
}

static void step(generator *g)
{
    uint32_t roll = next() % 100;
    uint32_t resource = resources[next() % 4];
    op o = {OP_NEW, resource, next(), 0, 0};
    if (roll < 26 || g->own_count == 0) {
        if (g->own_count >= MAX_LIVE)
            return;
        o.code = roll < 18 ? OP_NEW : OP_LOWER_OWN;
        op_result r = emit(g, o);
        if (r.status == RT_OK)
            g->owns[g->own_count++] = (handle_ref){resource, r.value};
        return;
    }
    uint32_t pick = next() % g->own_count;
    handle_ref own = g->owns[pick];
    uint32_t *nb = &g->borrow_count[g->depth];
    if (roll < 38) {
        /* Mostly the right type; sometimes a neighbour, to fail the check. */
        o = (op){OP_REP, own.resource, own.handle + (next() % 8 == 0), 0, 0};
        emit(g, o);
    } else if (roll < 54) {
        o = (op){roll < 50 ? OP_DROP : OP_LIFT_OWN, own.resource, own.handle, 0, 0};
        if (emit(g, o).status == RT_OK)
            remove_at(g->owns, &g->own_count, pick);
    } else if (g->depth == 0 || roll >= 92) {
        if (g->depth < MAX_DEPTH && (g->depth == 0 || roll < 96)) {
            emit(g, (op){OP_ENTER, 0, 0, 0, 0});
            g->depth++;
            g->borrow_count[g->depth] = 0;
        } else if (*nb > 0) {
            handle_ref b = g->borrows[g->depth][--*nb];
            emit(g, (op){OP_DROP, b.resource, b.handle, 0, 0});
        } else if (emit(g, (op){OP_EXIT, 0, 0, 0, 0}).status == RT_OK) {
            g->depth--;
        }
    } else if (roll < 68) {
        emit(g, (op){OP_LIFT_BORROW, own.resource, own.handle, 0, 0});
    } else if (roll < 80) {
        if (*nb < MAX_LIVE / 4) {
            op_result r = emit(g, (op){OP_LOWER_BORROW, resource, next(), 0, 0});
            if (r.status == RT_OK)
                g->borrows[g->depth][(*nb)++] = (handle_ref){resource, r.value};
        }
    } else if (*nb > 0) {
        uint32_t i = next() % *nb;
        handle_ref b = g->borrows[g->depth][i];
        if (emit(g, (op){OP_DROP, b.resource, b.handle, 0, 0}).status == RT_OK)
            remove_at(g->borrows[g->depth], nb, i);
    }
}

static void generate(program *p)
{
    static const uint32_t types[] = {0, 0, 1};
    if (program_set_types(p, 3, types) != 0)
        fail("out of memory");
    p->instances = 2;
    rt_config cfg = program_config(p);
    generator g;
    memset(&g, 0, sizeof g);
    g.p = p;
    if (rt_oracle.create(&cfg, &g.oracle) != RT_OK)
        fail("cannot create the oracle");
    rng_state = XORSHIFT_SEED;
    while (p->len < PROGRAM_OPS)
        step(&g);
    rt_oracle.destroy(g.oracle);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile uint32_t sink;

static double library_alone(const program *p)
{
    rt_config cfg = program_config(p);
    void *self = NULL;
    double start = now();
    if (rt_restab.create(&cfg, &self) != RT_OK)
        fail("cannot create the table set");
    uint32_t sum = 0;
    for (size_t i = 0; i < p->len; i++)
        sum += op_run(&rt_restab, self, &p->ops[i]).value;
    rt_restab.destroy(self);
    sink = sum;
    return now() - start;
}

static double harness(const program *p)
{
    run_options opt = run_defaults(&rt_restab, &rt_oracle);
    double start = now();
    if (run_script(p, &opt) != 0)
        fail("the harness found a difference in the benchmark program");
    return now() - start;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    int runs = 5;
    if (argc == 3 && strcmp(argv[1], "--runs") == 0)
        runs = atoi(argv[2]);
    if ((argc != 1 && argc != 3) || runs < 1 || runs > 100) {
        fprintf(stderr, "usage: restab-bench-harness [--runs N]  (N: 1 .. 100)\n");
        return 2;
    }
    program p;
    program_init(&p);
    generate(&p);
    double alone[100], full[100];
    for (int i = 0; i < runs; i++) {
        alone[i] = library_alone(&p);
        full[i] = harness(&p);
    }
    double a = median(alone, runs), f = median(full, runs);
    double n = (double)p.len;
    printf("harness program: %zu ops\n", p.len);
    printf("library alone: %.0f ops/s\n", n / a);
    printf("differential harness: %.0f ops/s\n", n / f);
    printf("harness/library ratio: 1/%.1f\n", f / a);
    program_free(&p);
    return 0;
}
