/*
 * Round-trip tests of the byte format (fuzz/FORMAT.md):
 *
 * (a) every .ops script in the directories (or files) named on the command
 *     line parses, encodes, and decodes back to the same program;
 * (b) pseudo-random byte strings decode totally and deterministically, and
 *     decode(encode(decode(x))) == decode(x); the decoded program also prints
 *     as a .ops script that parses back to it;
 * (c) explicit configurations with big values, edge configurations and
 *     random programs with arbitrary operands round-trip;
 * (d) locality: flipping one byte in the operation area of a 200-operation
 *     input changes few operations (edit distance) in most trials.
 *
 * Usage: test_roundtrip [DIR_OR_FILE.ops...]
 */
#define _POSIX_C_SOURCE 200809L

#include "decode.h"
#include "files.h"
#include "xorshift.h"
#include "oracle.h"
#include "program.h"
#include "text_buffer.h"

#include "test_support.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- Helpers ------------------------------------------------------------ */

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t next_random(void)
{
    return xorshift64(&rng);
}

static uint32_t random_below(uint32_t n)
{
    return n == 0 ? 0 : (uint32_t)(next_random() % n);
}

/* Encodes p, decodes the bytes, and checks the result equals p. */
static int check_roundtrip(const program *p, const char *what)
{
    uint8_t *bytes = NULL;
    size_t size = 0;
    int ok = 0;
    if (encode_program(p, &rt_oracle, &bytes, &size) != 0) {
        CHECKF(0, "%s: encode_program failed", what);
        return 0;
    }
    program back;
    program_init(&back);
    if (decode_program(bytes, size, &rt_oracle, &back) != 0) {
        CHECKF(0, "%s: decode_program failed", what);
    } else {
        ok = program_equal(p, &back);
        CHECKF(ok, "%s: decode(encode(p)) != p (%zu ops, %zu bytes, got %zu ops)",
              what, p->len, size, back.len);
    }
    program_free(&back);
    free(bytes);
    return ok;
}

/* Prints p as a .ops script and parses it back. */
static void check_print_parse(const program *p, const char *what)
{
    text_buffer t = {NULL, 0, 0, 0};
    program_print(p, SIZE_MAX, text_buffer_append, &t);
    CHECKF(!t.failed, "%s: out of memory printing", what);
    if (t.failed) {
        text_buffer_free(&t);
        return;
    }
    program q;
    program_init(&q);
    char err[256];
    int status = program_parse(t.text ? t.text : "", t.len, what, &q, err,
                               sizeof err);
    CHECKF(status == 0, "%s: printed program does not parse: %s", what, err);
    if (status == 0)
        CHECKF(program_equal(p, &q), "%s: print/parse changed the program",
              what);
    program_free(&q);
    text_buffer_free(&t);
}

/* ---- (a) scripts -------------------------------------------------------- */

static int scripts_checked;

static void check_script(const char *path)
{
    size_t len = 0;
    char err[512];
    char *text = files_read(path, &len, err, sizeof err);
    if (text == NULL) {
        CHECKF(0, "%s", err);
        return;
    }
    program p;
    program_init(&p);
    int status = program_parse(text, len, path, &p, err, sizeof err);
    CHECKF(status == 0, "%s: does not parse: %s", path, err);
    if (status == 0 && p.len > DECODE_MAX_OPS) {
        /* Too long for one input: encoding refuses; the first
           DECODE_MAX_OPS operations round-trip. */
        uint8_t *bytes = NULL;
        size_t size = 0;
        CHECKF(encode_program(&p, &rt_oracle, &bytes, &size) == -1,
              "%s: %zu operations encoded", path, p.len);
        free(bytes);
        p.len = DECODE_MAX_OPS;
    }
    if (status == 0) {
        check_roundtrip(&p, path);
        scripts_checked++;
    }
    program_free(&p);
    free(text);
}

static int check_walked(const char *path, void *user)
{
    (void)user;
    if (files_has_suffix(path, ".ops"))
        check_script(path);
    return 0;
}

static void check_path(const char *path)
{
    char err[512];
    if (files_walk(path, check_walked, NULL, err, sizeof err) != 0)
        CHECKF(0, "%s", err);
}

/* ---- (b) random bytes --------------------------------------------------- */

static void check_random_bytes(int iterations)
{
    uint8_t data[600];
    size_t total_ops = 0;
    for (int it = 0; it < iterations; it++) {
        size_t size = random_below(601);
        for (size_t i = 0; i < size; i++)
            data[i] = (uint8_t)next_random();
        /* Bias some inputs toward compact headers with small limits. */
        if (size > 0 && it % 4 == 1)
            data[0] = (uint8_t)(data[0] | 0xE0u);
        if (size > 0 && it % 256 == 3)
            data[0] = 0xFF;

        char what[64];
        snprintf(what, sizeof what, "random input %d", it);
        program a, b;
        program_init(&a);
        program_init(&b);
        int sa = decode_program(data, size, &rt_oracle, &a);
        int sb = decode_program(data, size, &rt_oracle, &b);
        CHECKF(sa == 0 && sb == 0, "%s: decode_program failed", what);
        CHECKF(program_equal(&a, &b), "%s: decoding is not deterministic",
              what);
        CHECKF(a.len <= DECODE_MAX_OPS, "%s: too many operations", what);
        total_ops += a.len;
        if (sa == 0) {
            check_roundtrip(&a, what);
            check_print_parse(&a, what);
        }
        program_free(&a);
        program_free(&b);
    }
    printf("(b) %d random inputs, %zu operations decoded\n", iterations,
           total_ops);
}

/* ---- (c) big and edge configurations ------------------------------------ */

/* Fills p with n random operations whose operands mix small values,
   extremes and handles the oracle actually issued. */
static int random_ops(program *p, size_t n)
{
    rt_config cfg = program_config(p);
    void *self = NULL;
    if (rt_oracle.create(&cfg, &self) != RT_OK)
        return -1;
    uint32_t issued[16] = {0};
    for (size_t i = 0; i < n; i++) {
        op o = {op_swarm_allow(p->swarm_off, (op_code)random_below(OP_COUNT)),
                0, 0, 0, 0};
        if (op_takes_resource(o.code)) {
            uint32_t r = random_below(p->types + 1);
            o.resource = r == p->types ? RT_HOST : r;
            switch (random_below(6)) {
            case 0:
                o.operand = UINT32_MAX;
                break;
            case 1:
                o.operand = (uint32_t)next_random();
                break;
            case 2:
                o.operand = random_below(300);
                break;
            case 3:
                o.operand = random_below(70000);
                break;
            default:
                o.operand = issued[random_below(16)];
                break;
            }
        }
        /* Now and then a repeat (operand advancing or kept), within the
           decoder's cap. */
        if (random_below(8) == 0 &&
            program_steps(p) + (n - i) + 70 <= DECODE_MAX_OPS) {
            static const uint32_t counts[] = {2, 9, 17, 33, 65, 70};
            o.repeat = counts[random_below(6)];
            o.same = random_below(3) == 0;
        }
        for (uint32_t k = 0; k < op_times(&o); k++) {
            const op one = op_repetition(&o, k);
            op_result r = op_run(&rt_oracle, self, &one);
            if (r.status == RT_OK && r.kind == RESULT_VALUE)
                issued[random_below(16)] = r.value;
        }
        if (program_push(p, o) != 0) {
            rt_oracle.destroy(self);
            return -1;
        }
    }
    rt_oracle.destroy(self);
    return 0;
}

static void make_config(program *p, uint32_t instances, uint32_t types,
                        uint32_t limit, uint32_t max_lends, int random_types)
{
    uint32_t *list = malloc((types ? types : 1) * sizeof *list);
    if (list == NULL) {
        CHECKF(0, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < types; i++)
        list[i] = random_types ? random_below(instances)
                               : (uint32_t)(((uint64_t)i * 7u) % instances);
    CHECKF(program_set_types(p, types, list) == 0, "out of memory");
    free(list);
    p->instances = instances;
    p->limit = limit;
    p->max_lends = max_lends;
}

static void check_config_case(uint32_t instances, uint32_t types,
                              uint32_t limit, uint32_t max_lends, size_t n,
                              const char *what)
{
    program p;
    program_init(&p);
    make_config(&p, instances, types, limit, max_lends, 0);
    CHECKF(random_ops(&p, n) == 0, "%s: oracle", what);
    check_roundtrip(&p, what);
    program_free(&p);
}

static void check_big_configs(void)
{
    /* The brief's case: big explicit values and UINT32_MAX operands. */
    program p;
    program_init(&p);
    make_config(&p, 1000, 300, 7, 5, 0);
    static const op fixed[] = {
        {OP_NEW, 299, 4294967295u, 0, 0},        {OP_NEW, RT_HOST, 4294967295u, 0, 0},
        {OP_REP, 299, 4294967295u, 0, 0},        {OP_DROP, RT_HOST, 4294967295u, 0, 0},
        {OP_LOWER_BORROW, 0, 4294967295u, 0, 0}, {OP_ENTER, 0, 0, 0, 0},
        {OP_LOWER_BORROW, 0, 4294967295u, 0, 0}, {OP_LIFT_BORROW, 299, 1, 0, 0},
        {OP_LIFT_OWN, 299, 1, 0, 0},             {OP_EXIT, 0, 0, 0, 0},
        {OP_DROP, 299, 1, 0, 0},                 {OP_REP, 123, 0, 0, 0},
        {OP_NEW, 256, 4294967295u, 0, 0},        {OP_LIFT_OWN, 255, 4294967295u, 0, 0},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        CHECKF(program_push(&p, fixed[i]) == 0, "out of memory");
    check_roundtrip(&p, "big explicit config");
    check_print_parse(&p, "big explicit config");
    CHECKF(random_ops(&p, 2000) == 0, "oracle");
    check_roundtrip(&p, "big explicit config, random ops");
    program_free(&p);

    check_config_case(1000, 300, 7, 5, 3000, "1000 instances, 300 types");
    check_config_case(65536, 65536, 100, 2, 1000, "maximal config");
    check_config_case(65536, 65535, 0, 0, 500, "65535 types");
    check_config_case(300, 255, 4096, UINT32_MAX, 1500, "255 types");
    check_config_case(300, 256, 4096, 1, 1500, "256 types");
    check_config_case(0, 0, 10, 1, 500, "no instances");
    check_config_case(5, 0, 10, 1, 500, "no types");
    check_config_case(4, 8, 64, 3, 500, "compact-looking but c0 0xff");
    check_config_case(4, 8, 65, 3, 500, "limit 65");
    check_config_case(1, 1, 0, 0, 500, "limit 0");
    check_config_case(2, 3, UINT32_MAX, 4, 1000, "limit UINT32_MAX");
    check_config_case(3, 5, PROGRAM_DEFAULT_LIMIT, 3, 1000, "compact");
    check_config_case(1, 1, 2, PROGRAM_DEFAULT_MAX_LENDS, DECODE_MAX_OPS,
                      "longest program");

    /* Too long to encode. */
    program_init(&p);
    CHECKF(random_ops(&p, DECODE_MAX_OPS + 1) == 0, "oracle");
    uint8_t *bytes = NULL;
    size_t size = 0;
    CHECKF(encode_program(&p, &rt_oracle, &bytes, &size) == -1, "over-long program encoded");
    free(bytes);
    program_free(&p);

    /* Random configurations and operations. */
    for (int it = 0; it < 300; it++) {
        program_init(&p);
        uint32_t instances = 1 + random_below(it % 3 == 0 ? 6 : 40);
        uint32_t types = random_below(it % 2 ? 10 : 300);
        uint32_t limit = random_below(3) == 0 ? random_below(80)
                         : random_below(2) ? PROGRAM_DEFAULT_LIMIT
                                            : (uint32_t)next_random();
        uint32_t lends = random_below(3) == 0 ? random_below(5)
                         : random_below(2) ? PROGRAM_DEFAULT_MAX_LENDS
                                            : (uint32_t)next_random();
        make_config(&p, instances, types, limit, lends, 1);
        if (it % 4 == 0) /* swarm: some kinds off (never all) */
            p.swarm_off = (uint8_t)random_below(255);
        CHECKF(random_ops(&p, random_below(400)) == 0, "oracle");
        char what[64];
        snprintf(what, sizeof what, "random program %d", it);
        check_roundtrip(&p, what);
        program_free(&p);
    }
    printf("(c) big and edge configurations done\n");
}

/* ---- (d) locality ------------------------------------------------------- */

enum { LOC_OPS = 200, LOC_MAX = LOC_OPS + 8 };

/* Decodes at most max operations of data with the stepping API; fills ops
   and the byte offsets where each operation starts (at[n]: where the last
   one ends). Returns the number of operations. */
static size_t decode_steps(const uint8_t *data, size_t size, size_t max,
                           op *ops, size_t *at)
{
    decoder d;
    program p;
    program_init(&p);
    size_t n = 0;
    at[0] = 0;
    if (decoder_begin(&d, data, size, &p) == 0) {
        at[0] = d.pos;
        rt_config cfg = program_config(&p);
        void *self = NULL;
        if (rt_oracle.create(&cfg, &self) == RT_OK) {
            while (n < max && decoder_next(&d, &rt_oracle, self, &ops[n])) {
                op_result r = op_run(&rt_oracle, self, &ops[n]);
                decoder_observe(&d, &ops[n], &r);
                at[++n] = d.pos;
            }
            rt_oracle.destroy(self);
        }
    }
    decoder_end(&d);
    program_free(&p);
    return n;
}

typedef struct seq {
    const op *ops;       /* concrete operations */
    const uint8_t *data; /* or their instruction bytes */
    const size_t *at;
} seq;

static int same_item(const seq *a, size_t i, const seq *b, size_t j)
{
    if (a->ops != NULL)
        return a->ops[i].code == b->ops[j].code &&
               a->ops[i].resource == b->ops[j].resource &&
               a->ops[i].operand == b->ops[j].operand;
    size_t la = a->at[i + 1] - a->at[i], lb = b->at[j + 1] - b->at[j];
    return la == lb && memcmp(a->data + a->at[i], b->data + b->at[j], la) == 0;
}

static size_t edit_distance(const seq *a, size_t n, const seq *b, size_t m,
                            size_t *row)
{
    /* A common prefix and suffix cost nothing; the table covers the rest. */
    size_t skip = 0;
    while (skip < n && skip < m && same_item(a, skip, b, skip))
        skip++;
    while (n > skip && m > skip && same_item(a, n - 1, b, m - 1)) {
        n--;
        m--;
    }
    seq sa = *a, sb = *b;
    if (sa.ops != NULL) {
        sa.ops += skip;
        sb.ops += skip;
    } else {
        sa.at += skip;
        sb.at += skip;
    }
    a = &sa;
    b = &sb;
    n -= skip;
    m -= skip;
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (same_item(a, i - 1, b, j - 1) ? 0u : 1u);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

enum { BUCKETS = 6 };
static const size_t bucket_limit[BUCKETS] = {0, 1, 2, 3, 5, 10};

typedef struct tally {
    size_t within[BUCKETS];
    size_t sum, worst;
} tally;

static void tally_add(tally *t, size_t dist)
{
    t->sum += dist;
    if (dist > t->worst)
        t->worst = dist;
    for (int k = 0; k < BUCKETS; k++)
        t->within[k] += dist <= bucket_limit[k];
}

static void tally_print(const tally *t, size_t total, const char *what)
{
    printf("    %s: mean %.2f, worst %zu;", what,
           total ? (double)t->sum / (double)total : 0.0, t->worst);
    for (int k = 0; k < BUCKETS; k++)
        printf(" <=%zu: %.1f%%", bucket_limit[k],
               total ? 100.0 * (double)t->within[k] / (double)total : 0.0);
    printf("\n");
}

/*
 * Two measures: the edit distance between the concrete operation lists, and
 * between the lists of instructions (each operation's bytes). The second is
 * the byte format's own locality; the first also counts the operations whose
 * bytes are unchanged but whose state-relative operand ("the latest handle
 * of this table") now resolves to a different number because an earlier
 * operation changed the table.
 */
static void check_locality(int trials)
{
    static uint8_t data[4096], flipped[4096];
    static op a[LOC_MAX], b[LOC_MAX];
    static size_t at_a[LOC_MAX + 1], at_b[LOC_MAX + 1];
    size_t row[LOC_MAX + 2];
    tally concrete = {{0}, 0, 0}, instr = {{0}, 0, 0};
    size_t total = 0;
    for (int t = 0; t < trials; t++) {
        for (size_t i = 0; i < sizeof data; i++)
            data[i] = (uint8_t)next_random();
        /* compact header: 1-4 instances, 1-8 types, defaults or small */
        data[0] = (uint8_t)(data[0] % 0xFF);
        size_t n = decode_steps(data, sizeof data, LOC_OPS, a, at_a);
        if (n < LOC_OPS)
            continue;
        size_t end = at_a[n];
        memcpy(flipped, data, end);
        size_t pos = at_a[0] + random_below((uint32_t)(end - at_a[0]));
        flipped[pos] = (uint8_t)(flipped[pos] ^ (1u + random_below(255)));
        size_t m = decode_steps(flipped, end, LOC_MAX, b, at_b);
        seq sa = {a, NULL, NULL}, sb = {b, NULL, NULL};
        tally_add(&concrete, edit_distance(&sa, n, &sb, m, row));
        seq ia = {NULL, data, at_a}, ib = {NULL, flipped, at_b};
        tally_add(&instr, edit_distance(&ia, n, &ib, m, row));
        total++;
    }
    printf("(d) locality: %zu trials, one byte of the operation area of a "
           "%d-op input changed\n", total, LOC_OPS);
    tally_print(&instr, total, "instructions changed");
    tally_print(&concrete, total, "concrete ops changed ");
    CHECKF(total > 0, "no locality trials");
    /* The format: at most 5 instructions change in at least 90% of trials. */
    CHECKF(instr.within[4] * 10 >= total * 9,
          "only %zu of %zu trials changed <= 5 instructions", instr.within[4],
          total);
    /* Concrete operations cascade through state-relative operands (see
       FORMAT.md, "Locality"); this guards against a regression only. */
    CHECKF(concrete.within[4] * 100 >= total * 60,
          "only %zu of %zu trials changed <= 5 operations",
          concrete.within[4], total);
}

static void lap(const char *what)
{
    static clock_t last;
    clock_t now = clock();
    printf("    [%s: %.2f s]\n", what,
           (double)(now - last) / (double)CLOCKS_PER_SEC);
    last = now;
}

int main(int argc, char **argv)
{
    lap("start");
    for (int i = 1; i < argc; i++)
        check_path(argv[i]);
    printf("(a) %d scripts round-tripped\n", scripts_checked);
    lap("a");
    check_random_bytes(20000);
    lap("b");
    check_big_configs();
    lap("c");
    check_locality(2000);
    lap("d");
    return tst_finish("test_roundtrip");
}
