/*
 * restab-bench: timing and memory cost of the resource-handle tables.
 *
 * Prints exactly eleven lines on stdout:
 *
 *   W1 churn: X ns/op      drop + new of random own handles
 *   W2 lookup: X ns/op     resource.rep of random own handles
 *   W3 call: X ns/op       a call lending 4 owns and lowering 4 borrows
 *   W4 grow: X ns/op       1,000,000 news then 1,000,000 in-order drops
 *   slot bytes: N          memory per table slot
 *   lender bytes: N        memory per lender record
 *   W1 churn (spec): X ns/op     the same four workloads on a table set
 *   W2 lookup (spec): X ns/op    of the spec profile
 *   W3 call (spec): X ns/op      (RESTAB_SEMANTICS_SPEC,
 *   W4 grow (spec): X ns/op      limit RESTAB_SPEC_DEFAULT_LIMIT)
 *   slot bytes (spec): N   memory per table slot in the spec profile
 *
 * The first six lines (the wasmtime profile, the default) keep the format
 * they had before the spec profile existed.
 *
 * Each X is the median over --runs runs (default 5) of one run's
 * nanoseconds per operation, with one decimal. Every library call's status
 * is checked: any failure is reported on stderr and the program exits 1.
 * A bad command line prints a usage line on stderr and exits 2.
 *
 * All workloads use one table set with one instance and one guest type t0,
 * and draw random numbers from xorshift32 seeded with 2463534242, restarted
 * at the beginning of every run so that every run does the same work.
 */
#define _POSIX_C_SOURCE 200809L

#include "restab.h"
#include "count_alloc.h"
#include "xorshift.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Live own handles kept by W1 .. W3 (a power of two). */
#define K 4096u

#define W1_ITERS 5000000u
#define W2_ITERS 10000000u
#define W3_ITERS 1000000u
#define W3_OPS_PER_ITER 14u /* enter, 4 lift_borrow, 4 lower_borrow, 4 drop,
                               exit */
#define W4_ENTRIES 1000000u
#define W4_SETS 5u

#define DEFAULT_RUNS 5u
#define MAX_RUNS 1000u

#define T0 ((restab_resource)0)

/* Keeps the results of timed loops observable. */
static volatile uint32_t sink;

/* ---- Failure reporting ------------------------------------------------ */

static _Noreturn void fail(const char *what, restab_status status)
{
    fprintf(stderr, "restab-bench: %s failed: %s (%s)\n", what,
            restab_status_name(status), restab_status_str(status));
    exit(1);
}

static _Noreturn void fail_msg(const char *msg)
{
    fprintf(stderr, "restab-bench: %s\n", msg);
    exit(1);
}

/* Checks a status; the message names the call that returned it. */
#define CHECK(call)                                                            \
    do {                                                                       \
        restab_status check_status_ = (call);                                  \
        if (check_status_ != RESTAB_OK)                                        \
            fail(#call, check_status_);                                        \
    } while (0)

/* ---- Random numbers and clock ----------------------------------------- */

static uint32_t rng_state;

static void rng_seed(void)
{
    rng_state = XORSHIFT_SEED;
}

static inline uint32_t next(void)
{
    return xorshift32(&rng_state);
}

static double now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        fail_msg("clock_gettime(CLOCK_MONOTONIC) failed");
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- Table sets ------------------------------------------------------- */

static const uint32_t type_instance[1] = {0};

static restab_tables *make_tables(restab_semantics semantics,
                                  restab_alloc_fn alloc, void *user)
{
    restab_config cfg;
    restab_config_init(&cfg);
    cfg.semantics = semantics;
    if (semantics == RESTAB_SEMANTICS_SPEC)
        cfg.limit = RESTAB_SPEC_DEFAULT_LIMIT;
    cfg.instances = 1;
    cfg.types = 1;
    cfg.type_instance = type_instance;
    cfg.alloc = alloc;
    cfg.alloc_user = user;
    restab_tables *t = NULL;
    CHECK(restab_create(&cfg, &t));
    return t;
}

/* Creates K owns (rep = i), keeping their handles in live[]. Not timed. */
static restab_tables *make_filled(restab_semantics semantics, uint32_t *live)
{
    restab_tables *t = make_tables(semantics, NULL, NULL);
    for (uint32_t i = 0; i < K; i++)
        CHECK(restab_resource_new(t, T0, i, &live[i]));
    return t;
}

/* Verifies the set's invariants after a workload (not timed). */
static void check_invariants(const restab_tables *t, const char *workload)
{
    char msg[256];
    int broken = restab_check(t, msg, sizeof msg);
    if (broken != 0) {
        fprintf(stderr, "restab-bench: %s broke invariant %d: %s\n", workload,
                broken, msg);
        exit(1);
    }
}

/* ---- Workloads: each returns one run's ns per operation --------------- */

/* W1: drop a random live own and create a new one with the same rep. */
static double run_w1(restab_semantics semantics)
{
    uint32_t live[K];
    restab_tables *t = make_filled(semantics, live);
    rng_seed();
    double start = now_ns();
    for (uint32_t i = 0; i < W1_ITERS; i++) {
        uint32_t j = next() % K;
        restab_dropped d;
        CHECK(restab_resource_drop(t, T0, live[j], &d));
        CHECK(restab_resource_new(t, T0, d.rep, &live[j]));
    }
    double elapsed = now_ns() - start;
    check_invariants(t, "W1");
    restab_destroy(t);
    return elapsed / (2.0 * W1_ITERS);
}

/* W2: resource.rep of a random live own. */
static double run_w2(restab_semantics semantics)
{
    uint32_t live[K];
    restab_tables *t = make_filled(semantics, live);
    rng_seed();
    uint32_t sum = 0;
    double start = now_ns();
    for (uint32_t i = 0; i < W2_ITERS; i++) {
        uint32_t rep;
        CHECK(restab_resource_rep(t, T0, live[next() % K], &rep));
        sum += rep;
    }
    double elapsed = now_ns() - start;
    sink = sum;
    check_invariants(t, "W2");
    restab_destroy(t);
    return elapsed / (double)W2_ITERS;
}

/*
 * W3: a call that borrows 4 consecutive live owns (lift_borrow), lowers a
 * borrow of each into the callee (lower_borrow), drops the 4 borrows and
 * exits: 14 operations per call.
 */
static double run_w3(restab_semantics semantics)
{
    uint32_t live[K];
    restab_tables *t = make_filled(semantics, live);
    rng_seed();
    uint32_t sum = 0;
    double start = now_ns();
    for (uint32_t i = 0; i < W3_ITERS; i++) {
        uint32_t base = next();
        uint32_t b[4];
        CHECK(restab_call_enter(t));
        for (uint32_t m = 0; m < 4; m++) {
            uint32_t rep;
            CHECK(restab_resource_lift_borrow(t, T0, live[(base + m) % K],
                                              &rep));
            CHECK(restab_resource_lower_borrow(t, T0, rep, &b[m]));
        }
        for (uint32_t m = 0; m < 4; m++) {
            restab_dropped d;
            CHECK(restab_resource_drop(t, T0, b[m], &d));
            sum += d.rep;
        }
        CHECK(restab_call_exit(t));
    }
    double elapsed = now_ns() - start;
    sink = sum;
    check_invariants(t, "W3");
    restab_destroy(t);
    return elapsed / ((double)W3_OPS_PER_ITER * W3_ITERS);
}

/*
 * W4: W4_SETS times, a fresh table set grows to W4_ENTRIES owns, which are
 * then dropped in handle order 1, 2, ... The time includes creating and
 * destroying each table set (and so the slot array's growth and release);
 * it is divided by the 2 * W4_ENTRIES * W4_SETS new and drop operations.
 */
static double run_w4(restab_semantics semantics)
{
    double start = now_ns();
    for (uint32_t s = 0; s < W4_SETS; s++) {
        restab_tables *t = make_tables(semantics, NULL, NULL);
        for (uint32_t i = 0; i < W4_ENTRIES; i++) {
            uint32_t h;
            CHECK(restab_resource_new(t, T0, i, &h));
        }
        for (uint32_t h = 1; h <= W4_ENTRIES; h++) {
            restab_dropped d;
            CHECK(restab_resource_drop(t, T0, h, &d));
        }
        restab_destroy(t);
    }
    double elapsed = now_ns() - start;
    return elapsed / (2.0 * W4_ENTRIES * W4_SETS);
}

/* ---- Memory cost ------------------------------------------------------ */

/*
 * Bytes per element of a growable array, from the allocator's count of live
 * bytes B(n) after n elements. The library's arrays start at 8 elements and
 * double (reserve_one in lib/src/restab.c), so at every power of two n >= 8
 * the capacity is exactly n and the array takes exactly n * size bytes;
 * B(2048) - B(1024) is therefore exactly 1024 * size whatever else the set
 * holds (its fixed blocks cancel out). The same size
 * must also come out of B(1024) - B(0), which checks that nothing else grows
 * with n (no hidden per-entry allocation, no slack beyond the doubling).
 * Should the growth policy change so that these differ, the program says so
 * and exits 1 rather than print a wrong size.
 */
#define MEM_N1 1024u
#define MEM_N2 2048u

static uint32_t per_element(const char *what, size_t b0, size_t b1, size_t b2)
{
    size_t d2 = b2 - b1;
    size_t d1 = b1 - b0;
    if (d2 % (MEM_N2 - MEM_N1) != 0 || d1 % MEM_N1 != 0 ||
        d2 / (MEM_N2 - MEM_N1) != d1 / MEM_N1) {
        fprintf(stderr,
                "restab-bench: %s: inconsistent growth: %zu bytes for %u, "
                "%zu bytes for the next %u\n",
                what, d1, MEM_N1, d2, MEM_N2 - MEM_N1);
        exit(1);
    }
    return (uint32_t)(d2 / (MEM_N2 - MEM_N1));
}

/* Slot bytes: B(n) with n owns in t0's table. */
static uint32_t slot_bytes(restab_semantics semantics)
{
    count_alloc c = count_alloc_make(0, 0);
    restab_tables *t = make_tables(semantics, count_alloc_fn, &c);
    size_t b0 = c.live_bytes, b1 = 0;
    for (uint32_t i = 0; i < MEM_N2; i++) {
        if (i == MEM_N1)
            b1 = c.live_bytes;
        uint32_t h;
        CHECK(restab_resource_new(t, T0, i, &h));
    }
    size_t b2 = c.live_bytes;
    if (restab_table_size(t, 0) != MEM_N2)
        fail_msg("slot bytes: table size is not the number of entries");
    restab_destroy(t);
    if (c.live_bytes != 0)
        fail_msg("slot bytes: restab_destroy did not free everything");
    return per_element("slot bytes", b0, b1, b2);
}

/*
 * Lender bytes: B(n) with n lender records in one call scope, made by
 * lift_borrow of a single own (each lift_borrow of an own adds a record;
 * one own keeps the slot array fixed). The scope is entered before B(0).
 */
static uint32_t lender_bytes(void)
{
    count_alloc c = count_alloc_make(0, 0);
    restab_tables *t =
        make_tables(RESTAB_SEMANTICS_WASMTIME35, count_alloc_fn, &c);
    uint32_t h;
    CHECK(restab_resource_new(t, T0, 7, &h));
    CHECK(restab_call_enter(t));
    size_t b0 = c.live_bytes, b1 = 0;
    for (uint32_t i = 0; i < MEM_N2; i++) {
        if (i == MEM_N1)
            b1 = c.live_bytes;
        uint32_t rep;
        CHECK(restab_resource_lift_borrow(t, T0, h, &rep));
    }
    size_t b2 = c.live_bytes;
    if (restab_scope_lender_count(t, 0) != MEM_N2)
        fail_msg("lender bytes: lender count is not the number of loans");
    CHECK(restab_call_exit(t));
    restab_dropped d;
    CHECK(restab_resource_drop(t, T0, h, &d));
    restab_destroy(t);
    if (c.live_bytes != 0)
        fail_msg("lender bytes: restab_destroy did not free everything");
    return per_element("lender bytes", b0, b1, b2);
}

/* ---- Driver ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n results, sorting them (the mean of the middle two if n is
   even). */
static double median(double *results, unsigned n)
{
    qsort(results, n, sizeof results[0], cmp_double);
    if (n % 2 == 1)
        return results[n / 2];
    return (results[n / 2 - 1] + results[n / 2]) / 2.0;
}

static _Noreturn void usage(void)
{
    fprintf(stderr, "usage: restab-bench [--runs N]  (N: 1 .. %u)\n", MAX_RUNS);
    exit(2);
}

static unsigned parse_runs(const char *s)
{
    if (s[0] < '0' || s[0] > '9')
        usage();
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > MAX_RUNS)
        usage();
    return (unsigned)v;
}

int main(int argc, char **argv)
{
    unsigned runs = DEFAULT_RUNS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = parse_runs(argv[++i]);
        else
            usage();
    }

    /*
     * Runs are interleaved (W1, W2, W3, W4, the same in the spec profile,
     * W1, ...) rather than grouped by workload, so that a burst of machine
     * noise spoils at most one or two runs of each workload, which the
     * median then discards, and so that both profiles see the same machine.
     */
    static double w[8][MAX_RUNS];
    static const restab_semantics profiles[2] = {RESTAB_SEMANTICS_WASMTIME35,
                                                 RESTAB_SEMANTICS_SPEC};
    for (unsigned r = 0; r < runs; r++) {
        for (unsigned p = 0; p < 2; p++) {
            w[4 * p + 0][r] = run_w1(profiles[p]);
            w[4 * p + 1][r] = run_w2(profiles[p]);
            w[4 * p + 2][r] = run_w3(profiles[p]);
            w[4 * p + 3][r] = run_w4(profiles[p]);
        }
    }
    double m[8];
    for (unsigned i = 0; i < 8; i++)
        m[i] = median(w[i], runs);
    uint32_t slot = slot_bytes(RESTAB_SEMANTICS_WASMTIME35);
    uint32_t lender = lender_bytes();
    uint32_t spec_slot = slot_bytes(RESTAB_SEMANTICS_SPEC);

    printf("W1 churn: %.1f ns/op\n", m[0]);
    printf("W2 lookup: %.1f ns/op\n", m[1]);
    printf("W3 call: %.1f ns/op\n", m[2]);
    printf("W4 grow: %.1f ns/op\n", m[3]);
    printf("slot bytes: %u\n", (unsigned)slot);
    printf("lender bytes: %u\n", (unsigned)lender);
    printf("W1 churn (spec): %.1f ns/op\n", m[4]);
    printf("W2 lookup (spec): %.1f ns/op\n", m[5]);
    printf("W3 call (spec): %.1f ns/op\n", m[6]);
    printf("W4 grow (spec): %.1f ns/op\n", m[7]);
    printf("slot bytes (spec): %u\n", (unsigned)spec_slot);
    if (fflush(stdout) != 0 || ferror(stdout))
        fail_msg("could not write to stdout");
    return 0;
}
