/*
 * restab-bench-inputs / restab-bench-split: what one fuzz input of
 * restab_ops costs, and where the time goes.
 *
 * The inputs are fixed: the committed corpus (the .bin files of the folder
 * given with --corpus) and GENERATED inputs made deterministically
 * (xorshift32, seed XORSHIFT_SEED): GENERATED_SIZE random bytes each, so a
 * compact header (1-4 instances) and about 130 operations (about 620
 * steps since the repeat prefix: fuzz/FORMAT.md), and every
 * LARGE_EVERY-th one an explicit header declaring 3,000 to 65,000
 * instances, the kind of input that costs the most (fuzz/FORMAT.md).
 * Each input runs as restab_ops runs it (run_bytes with the final check),
 * --rounds times over the whole set.
 *
 * restab-bench-inputs (the harness as the targets link it) prints
 *   inputs: N (C corpus, G generated, L large)
 *   us per input: X (large configurations: Y, the rest: Z)
 *   exec/s: R
 * restab-bench-split (its own copy of the harness, compiled with the
 * timing hooks of harness/split.h, which add a clock read per part) prints
 * the share of each part:
 *   split: library A%, oracle B%, checkers C%, compares D%, setup E%,
 *          final probe F%, decode and runner G%
 * "decode and runner" is the rest: decoding, the decoder's observations,
 * result comparison and the runner's bookkeeping.
 *
 *   restab-bench-inputs|split [--corpus DIR] [--rounds N] [--write DIR]
 *
 * --write DIR writes the generated inputs as files (gen-NNNN.bin), so that
 * the fuzz target itself can be timed on the same set.
 */
#define _POSIX_C_SOURCE 200809L

#include "files.h"
#include "impl_restab.h"
#include "oracle.h"
#include "run.h"
#include "split.h"
#include "xorshift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GENERATED 1000u
#define GENERATED_SIZE 245u
#define LARGE_EVERY 50u
#define MAX_INPUTS 4096u

typedef struct input {
    uint8_t *data;
    size_t size;
    int large;
} input;

static input inputs[MAX_INPUTS];
static size_t input_count, corpus_count, large_count;

static void fail(const char *what)
{
    fprintf(stderr, "restab-bench-split: %s\n", what);
    exit(1);
}

static uint64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#ifdef RESTAB_HARNESS_SPLIT
uint64_t split_ns[SPLIT_PARTS];
uint64_t split_counts[SPLIT_COUNTS];

uint64_t split_clock(void)
{
    return clock_ns();
}
#endif

static uint64_t final_ns;

/* The time spent so far in each part, then in the final probe. */
static void part_times(uint64_t *out)
{
#ifdef RESTAB_HARNESS_SPLIT
    for (int p = 0; p < SPLIT_PARTS; p++)
        out[p] = split_ns[p];
#else
    for (int p = 0; p < SPLIT_PARTS; p++)
        out[p] = 0;
#endif
    out[SPLIT_PARTS] = final_ns;
}

/* rt_restab's final check, timed. */
static int timed_final_check(void *self, char *msg, size_t msg_size)
{
    uint64_t t0 = clock_ns();
    int status = rt_restab.final_check(self, msg, msg_size);
    final_ns += clock_ns() - t0;
    return status;
}

static void add(uint8_t *data, size_t size, int large)
{
    if (input_count == MAX_INPUTS)
        fail("too many inputs");
    inputs[input_count++] = (input){data, size, large};
    large_count += large != 0;
}

static int add_file(const char *path, void *user)
{
    (void)user;
    if (!files_has_suffix(path, ".bin"))
        return 0;
    char err[512];
    size_t size = 0;
    char *data = files_read(path, &size, err, sizeof err);
    if (data == NULL)
        fail(err);
    /* The corpus's own large configurations count as large. */
    add((uint8_t *)data, size, size > 0 && (uint8_t)data[0] == 0xFF);
    corpus_count++;
    return 0;
}

/* An explicit header: instances (0xFF + u32 count), types 1 in instance 0,
   default limit and max_lends, the wasmtime35 profile. */
static size_t large_header(uint8_t *buf, uint32_t instances)
{
    size_t n = 0;
    buf[n++] = 0xFF;
    buf[n++] = 0xFF;
    for (int i = 0; i < 4; i++)
        buf[n++] = (uint8_t)(instances >> (8 * i));
    buf[n++] = 4; /* types */
    for (int i = 0; i < 4; i++)
        buf[n++] = (uint8_t)i; /* t0..t3 in instances 0..3 */
    uint32_t words[2] = {1u << 30, UINT32_MAX};
    for (int w = 0; w < 2; w++)
        for (int i = 0; i < 4; i++)
            buf[n++] = (uint8_t)(words[w] >> (8 * i));
    buf[n++] = 0;
    return n;
}

static void generate(void)
{
    uint32_t rng = XORSHIFT_SEED;
    for (uint32_t k = 0; k < GENERATED; k++) {
        uint8_t *buf = malloc(GENERATED_SIZE);
        if (buf == NULL)
            fail("out of memory");
        size_t start = 0;
        int large = k % LARGE_EVERY == LARGE_EVERY - 1;
        if (large)
            start = large_header(buf, 3000 + xorshift32(&rng) % 62001);
        for (size_t i = start; i < GENERATED_SIZE; i++)
            buf[i] = (uint8_t)xorshift32(&rng);
        /* A compact header byte, never the explicit one by chance. */
        if (!large && buf[0] == 0xFF)
            buf[0] = 0x7F;
        add(buf, GENERATED_SIZE, large);
    }
}

static void write_generated(const char *dir)
{
    for (size_t i = corpus_count; i < input_count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/gen-%04zu.bin", dir, i - corpus_count);
        FILE *f = fopen(path, "wb");
        if (f == NULL || fwrite(inputs[i].data, 1, inputs[i].size, f) !=
                             inputs[i].size || fclose(f) != 0)
            fail("cannot write the generated inputs");
    }
}

int main(int argc, char **argv)
{
    const char *corpus = NULL, *write_dir = NULL;
    int rounds = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc)
            corpus = argv[++i];
        else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc)
            write_dir = argv[++i];
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else
            rounds = 0;
    }
    if (rounds < 1 || rounds > 1000) {
        fprintf(stderr, "usage: %s [--corpus DIR] [--rounds N] [--write DIR]\n",
                argv[0]);
        return 2;
    }
    if (corpus != NULL) {
        char err[512];
        if (files_walk(corpus, add_file, NULL, err, sizeof err) != 0)
            fail(err);
    }
    generate();
    if (write_dir != NULL) {
        write_generated(write_dir);
        return 0;
    }

    rt_impl sut = rt_restab;
    sut.final_check = timed_final_check;
    run_options opt = run_defaults(&sut, &rt_oracle);
    opt.final_check = 1;
    uint64_t large_ns = 0, small_ns = 0;
    /* Per class (0: the rest, 1: large configurations): the parts, then
       the final probe. */
    uint64_t parts[2][SPLIT_PARTS + 1];
    memset(parts, 0, sizeof parts);
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < input_count; i++) {
            uint64_t before[SPLIT_PARTS + 1];
            part_times(before);
            uint64_t t0 = clock_ns();
            if (run_bytes(inputs[i].data, inputs[i].size, &opt) != 0)
                fail("an input failed");
            uint64_t t = clock_ns() - t0;
            *(inputs[i].large ? &large_ns : &small_ns) += t;
            uint64_t after[SPLIT_PARTS + 1];
            part_times(after);
            for (int p = 0; p <= SPLIT_PARTS; p++)
                parts[inputs[i].large != 0][p] += after[p] - before[p];
        }
    }
    double runs = (double)input_count * rounds;
    double total = (double)(large_ns + small_ns);
    double per = total / runs / 1000.0;
    printf("inputs: %zu (%zu corpus, %u generated, %zu large)\n", input_count,
           corpus_count, GENERATED, large_count);
    printf("us per input: %.1f (large configurations: %.1f, the rest: %.1f)\n",
           per,
           large_count ? (double)large_ns / ((double)large_count * rounds) / 1e3
                       : 0.0,
           (double)small_ns /
               ((double)(input_count - large_count) * rounds) / 1e3);
    printf("exec/s: %.0f\n", 1e6 / per);
#ifdef RESTAB_HARNESS_SPLIT
    static const char *const names[SPLIT_PARTS + 1] = {
        "library", "oracle", "checkers", "compares", "setup", "final probe"};
    const char *const classes[3] = {"all", "the rest", "large"};
    for (int c = 0; c < 3; c++) {
        double n = c == 0   ? runs
                   : c == 1 ? (double)(input_count - large_count) * rounds
                            : (double)large_count * rounds;
        double sum = c == 0 ? total : (double)(c == 1 ? small_ns : large_ns);
        if (n == 0)
            continue;
        double rest = sum;
        printf("split, %s (us per input):", classes[c]);
        for (int p = 0; p <= SPLIT_PARTS; p++) {
            uint64_t ns = c == 0 ? parts[0][p] + parts[1][p] : parts[c - 1][p];
            printf(" %s %.1f (%.0f%%),", names[p], (double)ns / n / 1e3,
                   100.0 * (double)ns / sum);
            rest -= (double)ns;
        }
        printf(" decode and runner %.1f (%.0f%%)\n", rest / n / 1e3,
               100.0 * rest / sum);
    }
    printf("per input: %.1f steps, %.1f implementation checks, %.1f model "
           "checks, %.1f full compares\n",
           (double)split_counts[SPLIT_STEPS] / runs,
           (double)split_counts[SPLIT_SUT_CHECKS] / runs,
           (double)split_counts[SPLIT_MODEL_CHECKS] / runs,
           (double)split_counts[SPLIT_FULL_COMPARES] / runs);
#endif
    for (size_t i = 0; i < input_count; i++)
        free(inputs[i].data);
    return 0;
}
