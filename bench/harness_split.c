/*
 * restab-bench-inputs / restab-bench-split: what one fuzz input of
 * restab_ops costs, and where the time goes.
 *
 * The inputs are fixed: the committed corpus (the .bin files of the folder
 * given with --corpus) and GENERATED inputs made deterministically
 * (xorshift32, seed XORSHIFT_SEED): GENERATED_SIZE random bytes each, so a
 * compact header (1-4 instances) and about 105 operations (about 650
 * steps with the repeats of the repeat prefix: fuzz/FORMAT.md), and every
 * LARGE_EVERY-th one an explicit header declaring 3,000 to 65,000
 * instances, the kind of input that costs the most (fuzz/FORMAT.md).
 * Each input runs as restab_ops runs it (run_bytes with the final check),
 * --rounds times over the whole set; then the compact generated inputs
 * again with every repeat run once (decoded, repeats cleared, encoded),
 * inputs of the size the throughput goal of issue 11 was set for.
 *
 * restab-bench-inputs (the harness as the targets link it) prints
 *   inputs: N (C corpus, G generated, L large)
 *   us per input: X (large configurations: Y, the rest: Z)
 *   exec/s: R
 *   steps: S per input, T per second
 * and the same for the set without repeats, each line after "without
 * repeats: ". restab-bench-split (its own copy of the harness, compiled
 * with the timing hooks of harness/split.h, which add a clock read per
 * part) adds, for each set, the share of each part:
 *   split: library A%, oracle B%, checkers C%, compares D%, setup E%,
 *          final probe F%, decode and runner G%
 * and the checks and comparisons per input. Both end each set with the
 * bound that checking nothing would give: the inputs decoded with the
 * model, then their steps run on the library alone.
 * "decode and runner" is the rest: decoding, the decoder's observations,
 * result comparison and the runner's bookkeeping.
 *
 *   restab-bench-inputs|split [--corpus DIR] [--rounds N] [--write DIR]
 *
 * --write DIR writes the generated inputs as files (gen-NNNN.bin), so that
 * the fuzz target itself can be timed on the same set.
 */
#define _POSIX_C_SOURCE 200809L

#include "decode.h"
#include "files.h"
#include "impl_restab.h"
#include "oracle.h"
#include "program.h"
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
    size_t steps; /* operations, each repetition counted */
} input;

static input inputs[MAX_INPUTS];
static size_t input_count, corpus_count, large_count;

/* What measure() found for the inputs it ran, per class (0: the rest, 1:
   large configurations): the time of whole runs, and of each part, then
   of the final probe (part_times); and the split's counts. */
static uint64_t class_ns[2];
static uint64_t parts[2][SPLIT_PARTS + 1];
#ifdef RESTAB_HARNESS_SPLIT
static uint64_t counts[SPLIT_COUNTS];
#endif

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
/* What one clock read costs on this machine, in ns. */
static double clock_read_ns(void)
{
    enum { READS = 100000 };
    uint64_t t0 = clock_ns(), sink = 0;
    for (int i = 0; i < READS; i++)
        sink += clock_ns() & 1u;
    return (double)(clock_ns() - t0 - sink) / READS;
}
#endif

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
    program p;
    program_init(&p);
    if (decode_program(data, size, &rt_oracle, &p) != 0)
        fail("out of memory");
    inputs[input_count++] = (input){data, size, large, program_steps(&p)};
    large_count += large != 0;
    program_free(&p);
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

/*
 * Appends inputs[from .. to) but large configurations again, each decoded,
 * its repeats made single operations, and encoded back: inputs of the size
 * the throughput goal was first set for (about 105 steps here; the
 * issue counted about 130 operations in its corpus).
 */
static void without_repeats(size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (inputs[i].large)
            continue;
        program p;
        program_init(&p);
        if (decode_program(inputs[i].data, inputs[i].size, &rt_oracle, &p) != 0)
            fail("out of memory");
        for (size_t k = 0; k < p.len; k++)
            p.ops[k].repeat = 0;
        uint8_t *data = NULL;
        size_t size = 0;
        if (encode_program(&p, &rt_oracle, &data, &size) != 0)
            fail("an input without repeats does not encode");
        program_free(&p);
        add(data, size, 0);
    }
}

/* Runs inputs[from .. to) `rounds` times as restab_ops does (class_ns,
   parts and counts). */
static void measure(const run_options *opt, size_t from, size_t to,
                    int rounds)
{
    memset(class_ns, 0, sizeof class_ns);
    memset(parts, 0, sizeof parts);
#ifdef RESTAB_HARNESS_SPLIT
    memset(split_counts, 0, sizeof split_counts);
#endif
    for (int r = 0; r < rounds; r++) {
        for (size_t i = from; i < to; i++) {
            uint64_t before[SPLIT_PARTS + 1];
            part_times(before);
            uint64_t t0 = clock_ns();
            if (run_bytes(inputs[i].data, inputs[i].size, opt) != 0)
                fail("an input failed");
            class_ns[inputs[i].large != 0] += clock_ns() - t0;
            uint64_t after[SPLIT_PARTS + 1];
            part_times(after);
            for (int p = 0; p <= SPLIT_PARTS; p++)
                parts[inputs[i].large != 0][p] += after[p] - before[p];
        }
    }
#ifdef RESTAB_HARNESS_SPLIT
    memcpy(counts, split_counts, sizeof counts);
#endif
}

/* Prints what measure() found for inputs[from .. to), each line after
   `label`. */
static void report(const char *label, size_t from, size_t to, int rounds)
{
    size_t large = 0, steps = 0;
    for (size_t i = from; i < to; i++) {
        large += inputs[i].large != 0;
        steps += inputs[i].steps;
    }
    double runs = (double)(to - from) * rounds;
    double total = (double)(class_ns[0] + class_ns[1]);
    double per = total / runs / 1000.0;
    double steps_per = (double)steps / (double)(to - from);
    if (large > 0)
        printf("%sus per input: %.1f (large configurations: %.1f, the rest: "
               "%.1f)\n",
               label, per, (double)class_ns[1] / ((double)large * rounds) / 1e3,
               (double)class_ns[0] / ((double)(to - from - large) * rounds) /
                   1e3);
    else
        printf("%sus per input: %.1f\n", label, per);
    printf("%sexec/s: %.0f\n", label, 1e6 / per);
    printf("%ssteps: %.1f per input, %.0f per second\n", label, steps_per,
           steps_per * 1e6 / per);
#ifdef RESTAB_HARNESS_SPLIT
    static const char *const names[SPLIT_PARTS + 1] = {
        "library", "oracle", "checkers", "compares", "setup", "final probe"};
    const char *const classes[3] = {"all", "the rest", "large"};
    for (int c = 0; c < (large > 0 ? 3 : 1); c++) {
        double n = c == 0   ? runs
                   : c == 1 ? (double)(to - from - large) * rounds
                            : (double)large * rounds;
        double sum = c == 0 ? total : (double)class_ns[c - 1];
        double rest = sum;
        printf("%ssplit, %s (us per input):", label, classes[c]);
        for (int p = 0; p <= SPLIT_PARTS; p++) {
            uint64_t ns = c == 0 ? parts[0][p] + parts[1][p] : parts[c - 1][p];
            printf(" %s %.1f (%.0f%%),", names[p], (double)ns / n / 1e3,
                   100.0 * (double)ns / sum);
            rest -= (double)ns;
        }
        printf(" decode and runner %.1f (%.0f%%)\n", rest / n / 1e3,
               100.0 * rest / sum);
    }
    printf("%sper input: %.1f steps, %.1f implementation checks, %.1f model "
           "checks, %.1f full compares\n",
           label, (double)counts[SPLIT_STEPS] / runs,
           (double)counts[SPLIT_SUT_CHECKS] / runs,
           (double)counts[SPLIT_MODEL_CHECKS] / runs,
           (double)counts[SPLIT_FULL_COMPARES] / runs);
    /* Each timed part costs two clock reads, which the figures above
       include: about half inside the parts, half in decode and runner. */
    double reads = 2.0 * (double)counts[SPLIT_TIMED] / runs;
    printf("%sthe split's own clock reads: %.0f per input, about %.1f us\n",
           label, reads, reads * clock_read_ns() / 1e3);
#endif
}

/*
 * The bound on exec/s that checking nothing would give: each input of
 * inputs[from .. to) decoded with the model (the decoder and the oracle,
 * as a run does them) and its steps then run on the library alone, with
 * no comparison, checker or probe and no clock read inside.
 */
static void report_unchecked(const char *label, size_t from, size_t to,
                             int rounds)
{
    uint64_t ns = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t i = from; i < to; i++) {
            uint64_t t0 = clock_ns();
            program p;
            program_init(&p);
            if (decode_program(inputs[i].data, inputs[i].size, &rt_oracle,
                               &p) != 0)
                fail("out of memory");
            rt_config cfg = program_config(&p);
            void *self = NULL;
            if (rt_restab.create(&cfg, &self) != RT_OK)
                fail("the library cannot create an input's tables");
            for (size_t k = 0; k < p.len; k++)
                for (uint32_t j = 0; j < op_times(&p.ops[k]); j++) {
                    op o = op_repetition(&p.ops[k], j);
                    (void)op_run(&rt_restab, self, &o);
                }
            rt_restab.destroy(self);
            program_free(&p);
            ns += clock_ns() - t0;
        }
    }
    double per = (double)ns / ((double)(to - from) * rounds) / 1e3;
    printf("%swithout any check (decoding with the model, then the library "
           "alone): %.1f us per input, exec/s at most %.0f\n",
           label, per, 1e6 / per);
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
    measure(&opt, 0, input_count, rounds);
    printf("inputs: %zu (%zu corpus, %u generated, %zu large)\n", input_count,
           corpus_count, GENERATED, large_count);
    report("", 0, input_count, rounds);
    report_unchecked("", 0, input_count, rounds);

    /* The goal was set for inputs of about 130 steps: the generated
       inputs of compact configurations again, each repeat run once. */
    size_t first = input_count;
    without_repeats(corpus_count, first);
    measure(&opt, first, input_count, rounds);
    printf("without repeats: %zu inputs\n", input_count - first);
    report("without repeats: ", first, input_count, rounds);
    report_unchecked("without repeats: ", first, input_count, rounds);
    for (size_t i = 0; i < input_count; i++)
        free(inputs[i].data);
    return 0;
}
