/*
 * Tests of the op-level custom mutator (fuzz/mutator.h), on the seeds of
 * corpus/restab_ops and on pseudo-random inputs:
 *
 * (a) LLVMFuzzerCustomMutator: outputs fit max_size, equal seeds give equal
 *     outputs, every output decodes, and runs through restab_ops'
 *     LLVMFuzzerTestOneInput (linked in; it aborts on a harness failure);
 * (b) the mutations are structural: operation counts grow and shrink,
 *     same-length programs change, configurations change, one seed input
 *     yields many distinct programs, and the byte-level fallback runs for
 *     about one call in five;
 * (c) mutator_mutate_program keeps programs valid: every result encodes
 *     and decodes back to itself;
 * (d) LLVMFuzzerCustomCrossOver and the AFL++ hooks obey the same rules.
 *
 * Usage: test_mutator [DIR_OR_FILE.bin...]
 */
#define _POSIX_C_SOURCE 200809L

#include "decode.h"
#include "files.h"
#include "oracle.h"
#include "mutator.h"
#include "program.h"

#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* ---- Helpers ------------------------------------------------------------ */

static uint64_t rng = 0x2545F4914F6CDD1Du;

static uint32_t random_below(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n == 0 ? 0 : (uint32_t)(rng % n);
}

/* The stand-in for libFuzzer's byte-level mutator: flips one bit. */
static unsigned long fallback_calls;

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
{
    fallback_calls++;
    if (size == 0)
        return max_size > 0 ? (data[0] = 0x5A, 1u) : 0u;
    size_t at = random_below((uint32_t)size);
    data[at] ^= (uint8_t)(1u << random_below(8));
    return size;
}

typedef struct input {
    uint8_t *data;
    size_t size;
} input;

static input *inputs;
static size_t input_count;

static void add_input(const uint8_t *data, size_t size)
{
    input *grown = realloc(inputs, (input_count + 1) * sizeof *inputs);
    uint8_t *copy = malloc(size ? size : 1);
    if (grown == NULL || copy == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    inputs = grown;
    if (size > 0)
        memcpy(copy, data, size);
    inputs[input_count++] = (input){copy, size};
}

static int load_walked(const char *path, void *user)
{
    (void)user;
    if (!files_has_suffix(path, ".bin"))
        return 0;
    char err[512];
    size_t size = 0;
    char *data = files_read(path, &size, err, sizeof err);
    if (data == NULL) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    add_input((const uint8_t *)data, size);
    free(data);
    return 0;
}

/* Loads the .bin inputs of a file or directory tree. */
static void load(const char *path)
{
    char err[512];
    if (files_walk(path, load_walked, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
}

static uint64_t hash_bytes(const uint8_t *data, size_t size)
{
    /* xorshift mixing: no multiplication for the overflow sanitizer */
    uint64_t h = 0x9E3779B97F4A7C15u ^ size;
    for (size_t i = 0; i < size; i++) {
        h ^= data[i];
        h ^= h << 13;
        h ^= h >> 7;
        h ^= h << 17;
    }
    return h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static size_t distinct(uint64_t *hashes, size_t n)
{
    qsort(hashes, n, sizeof *hashes, cmp_u64);
    size_t count = n > 0;
    for (size_t i = 1; i < n; i++)
        count += hashes[i] != hashes[i - 1];
    return count;
}

static int same_config(const program *a, const program *b)
{
    return a->semantics == b->semantics && a->instances == b->instances &&
           a->types == b->types &&
           a->limit == b->limit && a->max_lends == b->max_lends &&
           (a->types == 0 || memcmp(a->type_instance, b->type_instance,
                                    a->types * sizeof *a->type_instance) == 0);
}

/* ---- (a), (b): LLVMFuzzerCustomMutator ---------------------------------- */

typedef struct tally {
    unsigned long calls, grew, shrank, same_len_changed, config_changed;
    unsigned long to_spec, to_wasmtime; /* profile flips */
} tally;

static void mutate_checked(const input *in, size_t max_size, unsigned seed,
                           tally *t, uint64_t *hash)
{
    size_t cap = max_size > in->size ? max_size : in->size;
    uint8_t *a = calloc(cap ? cap : 1, 1), *b = calloc(cap ? cap : 1, 1);
    if (a == NULL || b == NULL)
        exit(2);
    size_t size = in->size < max_size ? in->size : max_size;
    if (size > 0) {
        memcpy(a, in->data, size);
        memcpy(b, in->data, size);
    }
    uint64_t saved = rng; /* the fallback stub draws from rng too */
    size_t na = LLVMFuzzerCustomMutator(a, size, max_size, seed);
    uint64_t after = rng;
    rng = saved;
    size_t nb = LLVMFuzzerCustomMutator(b, size, max_size, seed);
    rng = after;
    CHECKF(na <= max_size, "output %zu > max_size %zu", na, max_size);
    CHECKF(na == nb && memcmp(a, b, na) == 0, "seed %u is not deterministic",
          seed);

    program before, got;
    program_init(&before);
    program_init(&got);
    CHECKF(decode_program(in->data, size, &rt_oracle, &before) == 0, "input decodes");
    CHECKF(decode_program(a, na, &rt_oracle, &got) == 0, "output decodes");
    t->calls++;
    if (before.semantics != got.semantics) {
        if (got.semantics == RT_SEMANTICS_SPEC)
            t->to_spec++;
        else
            t->to_wasmtime++;
    }
    if (!same_config(&before, &got))
        t->config_changed++;
    else if (got.len > before.len)
        t->grew++;
    else if (got.len < before.len)
        t->shrank++;
    else if (!program_equal(&before, &got))
        t->same_len_changed++;
    program_free(&before);
    program_free(&got);

    LLVMFuzzerTestOneInput(a, na);
    *hash = hash_bytes(a, na);
    free(a);
    free(b);
}

static void test_custom_mutator(void)
{
    tally t = {0};
    unsigned long fallbacks_before = fallback_calls;
    const size_t max_sizes[] = {4096, 64, 16};
    for (size_t i = 0; i < input_count; i++) {
        for (unsigned seed = 1; seed <= 40; seed++) {
            uint64_t h;
            mutate_checked(&inputs[i], max_sizes[seed % 3], seed, &t, &h);
            /* max_size equal to the size: no room to grow */
            mutate_checked(&inputs[i], inputs[i].size, seed, &t, &h);
        }
    }
    /* random inputs */
    for (unsigned k = 0; k < 300; k++) {
        uint8_t buf[300];
        size_t n = random_below(sizeof buf);
        for (size_t j = 0; j < n; j++)
            buf[j] = (uint8_t)random_below(256);
        input in = {buf, n};
        uint64_t h;
        mutate_checked(&in, 1024, k, &t, &h);
    }
    unsigned long fallbacks = (fallback_calls - fallbacks_before) / 2;
    printf("custom mutator: %lu calls: %lu grew, %lu shrank, %lu changed at "
           "the same length, %lu changed the configuration; %lu byte-level "
           "fallbacks\n",
           t.calls, t.grew, t.shrank, t.same_len_changed, t.config_changed,
           fallbacks);
    CHECKF(t.grew * 10 > t.calls, "insertions are common (%lu)", t.grew);
    CHECKF(t.shrank * 20 > t.calls, "deletions are common (%lu)", t.shrank);
    CHECKF(t.same_len_changed * 20 > t.calls, "in-place changes are common (%lu)",
          t.same_len_changed);
    CHECKF(t.config_changed > 0, "configurations change sometimes");
    printf("profile flips: %lu to spec, %lu to wasmtime35\n", t.to_spec,
           t.to_wasmtime);
    CHECKF(t.to_spec > 0 && t.to_wasmtime > 0,
          "the profile flips both ways (%lu, %lu)", t.to_spec, t.to_wasmtime);
    CHECKF(fallbacks * 10 > t.calls && fallbacks * 10 < t.calls * 4,
          "about one call in five falls back (%lu of %lu)", fallbacks, t.calls);
}

/* Many distinct programs from one input (the biggest seed). */
static void test_diversity(void)
{
    if (input_count == 0)
        return;
    size_t big = 0;
    for (size_t i = 1; i < input_count; i++) {
        if (inputs[i].size > inputs[big].size && inputs[i].size < 2000)
            big = i;
    }
    enum { N = 400 };
    static uint64_t hashes[N];
    tally t = {0};
    for (unsigned seed = 0; seed < N; seed++)
        mutate_checked(&inputs[big], 4096, seed + 1000u, &t, &hashes[seed]);
    size_t d = distinct(hashes, N);
    printf("diversity: %zu distinct outputs of %d from one %zu-byte seed\n", d,
           N, inputs[big].size);
    CHECKF(d * 10 >= N * 7, "%zu distinct of %d", d, N);
}

/* ---- (c): programs stay valid ------------------------------------------- */

static void test_programs_valid(void)
{
    size_t mutations = 0;
    for (size_t i = 0; i < input_count; i++) {
        program p;
        program_init(&p);
        CHECKF(decode_program(inputs[i].data, inputs[i].size, &rt_oracle, &p) == 0, "decodes");
        /* a chain of mutations on one program */
        for (uint64_t seed = 1; seed <= 60; seed++) {
            size_t first = 0;
            CHECKF(mutator_mutate_program(&p, seed * 7919u, &first) == 0, "mutates");
            CHECKF(first <= p.len || p.len == 0, "first %zu of %zu", first, p.len);
            uint8_t *enc = NULL;
            size_t enc_size = 0;
            int status = encode_program(&p, &rt_oracle, &enc, &enc_size);
            CHECKF(status == 0, "input %zu, seed %llu: the program encodes", i,
                  (unsigned long long)seed);
            if (status == 0) {
                program back;
                program_init(&back);
                CHECKF(decode_program(enc, enc_size, &rt_oracle, &back) == 0 &&
                          program_equal(&p, &back),
                      "input %zu, seed %llu: round trip", i,
                      (unsigned long long)seed);
                program_free(&back);
                LLVMFuzzerTestOneInput(enc, enc_size);
            }
            free(enc);
            mutations++;
            /* Keep the chain fast: at most 1500 operations, repeats
               counted. */
            while (p.len > 0 && program_steps(&p) > 1500)
                p.len--;
        }
        program_free(&p);
    }
    printf("program chains: %zu mutations, all valid\n", mutations);
}

/* ---- (d): crossover and AFL++ ------------------------------------------- */

static void test_cross_over(void)
{
    if (input_count < 2)
        return;
    uint8_t out[4096], again[4096];
    size_t changed = 0, total = 0;
    for (unsigned k = 0; k < 400; k++) {
        const input *a = &inputs[random_below((uint32_t)input_count)];
        const input *b = &inputs[random_below((uint32_t)input_count)];
        size_t max = k % 4 == 0 ? 32 : sizeof out;
        size_t n = LLVMFuzzerCustomCrossOver(a->data, a->size, b->data, b->size,
                                             out, max, k);
        size_t m = LLVMFuzzerCustomCrossOver(a->data, a->size, b->data, b->size,
                                             again, max, k);
        CHECKF(n <= max, "crossover output %zu > %zu", n, max);
        CHECKF(n == m && memcmp(out, again, n) == 0, "crossover seed %u", k);
        program pa, q;
        program_init(&pa);
        program_init(&q);
        CHECKF(decode_program(out, n, &rt_oracle, &q) == 0, "crossover output decodes");
        (void)decode_program(a->data, a->size, &rt_oracle, &pa);
        if (max == sizeof out) {
            CHECKF(same_config(&pa, &q), "the configuration of the first");
            changed += !program_equal(&pa, &q);
            total++;
        }
        program_free(&pa);
        program_free(&q);
        LLVMFuzzerTestOneInput(out, n);
    }
    printf("crossover: %zu of %zu outputs differ from their first parent\n",
           changed, total);
    CHECKF(changed * 2 > total, "crossover changes programs (%zu)", changed);
}

static void test_afl(void)
{
    void *m1 = afl_custom_init(NULL, 7), *m2 = afl_custom_init(NULL, 7);
    CHECKF(m1 != NULL && m2 != NULL, "afl_custom_init");
    if (m1 == NULL || m2 == NULL)
        return;
    for (unsigned k = 0; k < 600 && input_count > 0; k++) {
        input *in = &inputs[k % input_count];
        input *add = &inputs[(k * 7u + 3u) % input_count];
        size_t max = k % 5 == 0 ? in->size : 1u << 20;
        unsigned char *o1 = NULL, *o2 = NULL;
        size_t n1 = afl_custom_fuzz(m1, in->data, in->size, &o1,
                                    k % 3 ? add->data : NULL, add->size, max);
        size_t n2 = afl_custom_fuzz(m2, in->data, in->size, &o2,
                                    k % 3 ? add->data : NULL, add->size, max);
        CHECKF(o1 != NULL && n1 <= max, "afl output %zu <= %zu", n1, max);
        CHECKF(n1 == n2 && (n1 == 0 || memcmp(o1, o2, n1) == 0),
              "afl determinism at call %u", k);
        if (o1 != NULL)
            LLVMFuzzerTestOneInput(o1, n1);
    }
    afl_custom_deinit(m1);
    afl_custom_deinit(m2);
    afl_custom_deinit(NULL);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        load(argv[i]);
    static const uint8_t tiny[] = {0x09, 0x00, 0x00, 0x01};
    add_input(tiny, sizeof tiny);
    add_input(NULL, 0);
    test_custom_mutator();
    test_diversity();
    test_programs_valid();
    test_cross_over();
    test_afl();
    printf("%zu inputs\n", input_count);
    return tst_finish("test_mutator");
}
