/*
 * The op-level custom mutator (mutator.h): decode, mutate the program,
 * encode. Operands are chosen from the oracle's state at the mutated
 * position, replayed on demand, so a retargeted drop names a handle that is
 * live, just freed, one off, or live in another table, instead of a byte
 * that happens to decode to something.
 */
#include "mutator.h"

#include "decode.h"
#include "oracle.h"
#include "xorshift.h"

#include <stdlib.h>
#include <string.h>

/* libFuzzer's own byte-level mutator. Weak, so that restab_ops_mut also
   links with the standalone and AFL++ drivers, which have none (it is NULL
   there). */
#if defined(__GNUC__)
#define MUTATOR_WEAK __attribute__((weak))
#else
#define MUTATOR_WEAK
#endif
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) MUTATOR_WEAK;

/* ---- Random numbers ---------------------------------------------------- */

/* xorshift64: shifts and xors only, so clang's unsigned-overflow sanitizer
   has nothing to report. */
typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    return xorshift64(&r->s);
}

static rng rng_seeded(uint64_t seed)
{
    rng r = {seed ^ UINT64_C(0x9E3779B97F4A7C15)};
    if (r.s == 0)
        r.s = 1;
    for (int i = 0; i < 4; i++)
        (void)rng_next(&r);
    return r;
}

/* Uniform-enough in [0, n); 0 when n is 0. */
static uint32_t rng_below(rng *r, uint32_t n)
{
    return n == 0 ? 0 : (uint32_t)(rng_next(r) % n);
}

static size_t rng_size(rng *r, size_t n)
{
    return n == 0 ? 0 : (size_t)(rng_next(r) % n);
}

/* 1 with probability 1/n. */
static int rng_one_in(rng *r, uint32_t n)
{
    return rng_below(r, n) == 0;
}

/* ---- Programs ---------------------------------------------------------- */

static int takes_rep(op_code code)
{
    return op_has(code, OPF_REP);
}

static int takes_handle(op_code code)
{
    return op_takes_resource(code) && !takes_rep(code);
}

static uint32_t inc(uint32_t v)
{
    return v == UINT32_MAX ? 0 : v + 1;
}

static uint32_t dec(uint32_t v)
{
    return v == 0 ? UINT32_MAX : v - 1;
}

/* The table a resource addresses (FORMAT.md: guest tables, then host). */
static uint32_t table_of(const program *p, uint32_t resource)
{
    if (resource == RT_HOST || resource >= p->types)
        return p->instances;
    return p->type_instance[resource];
}

static uint32_t random_resource(const program *p, rng *r)
{
    uint32_t k = rng_below(r, p->types + 1u);
    return k == p->types ? RT_HOST : k;
}

/* Operations, weighted: the ones that create and destroy handles most. */
/* A random operation kind among those p's swarm mask keeps on. */
static op_code random_code(const program *p, rng *r)
{
    static const op_code weighted[] = {
        OP_NEW,         OP_NEW,         OP_NEW,       OP_NEW,
        OP_LOWER_OWN,   OP_LOWER_OWN,   OP_LOWER_BORROW, OP_LOWER_BORROW,
        OP_LOWER_BORROW, OP_REP,        OP_REP,       OP_DROP,
        OP_DROP,        OP_DROP,        OP_DROP,      OP_LIFT_OWN,
        OP_LIFT_OWN,    OP_LIFT_BORROW, OP_LIFT_BORROW, OP_LIFT_BORROW,
        OP_ENTER,       OP_ENTER,       OP_EXIT,      OP_EXIT,
    };
    return op_swarm_allow(
        p->swarm_off,
        weighted[rng_below(r, (uint32_t)(sizeof weighted / sizeof *weighted))]);
}

/* Inserts n (<= 16) operations at position at; src may point into p. 1 when
   it would exceed DECODE_MAX_OPS (nothing changes), -1 when out of memory. */
static int ops_insert(program *p, size_t at, const op *src, size_t n)
{
    op copy[16];
    if (n > 16 || at > p->len)
        return 1;
    size_t steps = program_steps(p);
    for (size_t i = 0; i < n; i++)
        steps += op_times(&src[i]);
    if (steps > DECODE_MAX_OPS)
        return 1;
    memcpy(copy, src, n * sizeof *copy);
    size_t old_len = p->len;
    for (size_t i = 0; i < n; i++) {
        if (program_push(p, copy[0]) != 0) {
            p->len = old_len;
            return -1;
        }
    }
    memmove(p->ops + at + n, p->ops + at, (old_len - at) * sizeof *p->ops);
    memcpy(p->ops + at, copy, n * sizeof *copy);
    return 0;
}

static void ops_erase(program *p, size_t at, size_t n)
{
    memmove(p->ops + at, p->ops + at + n, (p->len - at - n) * sizeof *p->ops);
    p->len -= n;
}

/* ---- The state at a position ------------------------------------------- */

typedef struct state {
    void *self;      /* the oracle after the operations before the position */
    uint32_t table;  /* the table of interest */
    uint32_t issued; /* the latest handle issued in it, 0: none */
    uint32_t freed;  /* the latest handle freed in it, 0: none */
} state;

/* Runs the oracle over p->ops[0..at). 0, or -1 when it cannot be created. */
static int state_at(const program *p, size_t at, uint32_t table, state *st)
{
    rt_config cfg = program_config(p);
    st->self = NULL;
    st->table = table;
    st->issued = 0;
    st->freed = 0;
    if (rt_oracle.create(&cfg, &st->self) != RT_OK) {
        st->self = NULL;
        return -1;
    }
    for (size_t i = 0; i < at && i < p->len; i++) {
        for (uint32_t k = 0; k < op_times(&p->ops[i]); k++) {
            const op one = op_repetition(&p->ops[i], k);
            op_result res = op_run(&rt_oracle, st->self, &one);
            if (res.status != RT_OK || !op_takes_resource(one.code) ||
                table_of(p, one.resource) != table)
                continue;
            if (takes_rep(one.code) && res.kind == RESULT_VALUE)
                st->issued = res.value;
            else if (one.code == OP_DROP || one.code == OP_LIFT_OWN)
                st->freed = one.operand;
        }
    }
    return 0;
}

static void state_end(state *st)
{
    if (st->self != NULL)
        rt_oracle.destroy(st->self);
    st->self = NULL;
}

/* A random slot of the table that is live (or free); 0 when there is none.
   Tables hold at most one slot per operation, so the scans stay short. */
static uint32_t pick_slot(const void *self, uint32_t table, int live, rng *r,
                          rt_slot *out)
{
    uint32_t size = rt_oracle.table_size(self, table);
    uint32_t count = 0;
    rt_slot s;
    for (uint64_t h = 1; h <= size; h++) {
        if (rt_oracle.table_slot(self, table, (uint32_t)h, &s) == 0 &&
            (s.kind != RT_FREE) == (live != 0))
            count++;
    }
    if (count == 0)
        return 0;
    uint32_t k = rng_below(r, count);
    for (uint64_t h = 1; h <= size; h++) {
        if (rt_oracle.table_slot(self, table, (uint32_t)h, &s) == 0 &&
            (s.kind != RT_FREE) == (live != 0)) {
            if (k == 0) {
                if (out != NULL)
                    *out = s;
                return (uint32_t)h;
            }
            k--;
        }
    }
    return 0;
}

/* A handle operand for an operation on st->table whose operand is now cur. */
static uint32_t pick_handle(const program *p, const state *st, uint32_t cur,
                            rng *r)
{
    uint32_t size = rt_oracle.table_size(st->self, st->table);
    uint32_t tables = p->instances + 1u;
    uint32_t h = 0;
    switch (rng_below(r, 10)) {
    case 0:
    case 1:
    case 2: /* live */
        h = pick_slot(st->self, st->table, 1, r, NULL);
        break;
    case 3: /* adjacent to the current operand or the latest issued */
        h = rng_one_in(r, 2) ? cur : st->issued;
        return rng_one_in(r, 2) ? inc(h) : dec(h);
    case 4: /* freed */
        h = st->freed != 0 && rng_one_in(r, 2)
                ? st->freed
                : pick_slot(st->self, st->table, 0, r, NULL);
        if (h == 0)
            h = st->freed != 0 ? st->freed : inc(size);
        return h;
    case 5:
    case 6: /* live in another table */
        if (tables > 1) {
            uint32_t other =
                (uint32_t)(((uint64_t)st->table + 1u + rng_below(r, tables - 1u)) %
                           tables);
            h = pick_slot(st->self, other, 1, r, NULL);
        }
        break;
    case 7: { /* edges */
        const uint32_t edges[] = {0,           inc(size),  dec(p->limit),
                                  p->limit,    UINT32_MAX, UINT32_C(1) << 31};
        return edges[rng_below(r, 6)];
    }
    case 8: /* the latest issued */
        h = st->issued;
        break;
    default: /* small */
        return 1u + rng_below(r, 8);
    }
    if (h == 0)
        h = st->issued != 0 ? st->issued : 1u;
    return h;
}

/* A rep operand for an operation on st->table whose rep is now cur. */
static uint32_t pick_rep(const program *p, const state *st, uint32_t cur,
                         rng *r)
{
    rt_slot s;
    switch (rng_below(r, 10)) {
    case 0:
        return rng_below(r, 8);
    case 1:
        return rng_below(r, 256);
    case 2:
    case 3: /* the rep of a live slot of this table (a lent own's rep makes
               lower_borrow meaningful) */
        if (pick_slot(st->self, st->table, 1, r, &s) != 0)
            return s.rep;
        return rng_below(r, 8);
    case 4: { /* the rep of a live slot of any table */
        uint32_t table = rng_below(r, p->instances + 1u);
        if (pick_slot(st->self, table, 1, r, &s) != 0)
            return s.rep;
        return cur;
    }
    case 5:
    case 6:
        return rng_one_in(r, 2) ? inc(cur) : dec(cur);
    case 7: {
        const uint32_t edges[] = {0, UINT32_MAX, UINT32_C(1) << 31,
                                  UINT32_C(1) << 30};
        return edges[rng_below(r, 4)];
    }
    case 8:
        return (uint32_t)rng_next(r);
    default:
        return rng_below(r, 65536);
    }
}

/* Picks the operand of o (resource set) from the state before position at.
   0, or -1 when the oracle cannot be created. */
static int pick_operand(const program *p, size_t at, op *o, rng *r)
{
    state st;
    if (state_at(p, at, table_of(p, o->resource), &st) != 0)
        return -1;
    o->operand = takes_rep(o->code) ? pick_rep(p, &st, o->operand, r)
                                    : pick_handle(p, &st, o->operand, r);
    state_end(&st);
    return 0;
}

/* A random operation that fits at position at. */
/* Repeat counts the mutator picks: about the sizes where implementations
   change strategy (fuzz/FORMAT.md, the repeat prefix). */
static const uint32_t repeat_choices[] = {2,  3,  4,  8,  9,   16,  17, 32,
                                          33, 64, 65, 100, 256, 257, 1025};

/* A repeat count for o (0: once), one time in six; `again` one in four. */
static void random_repeat(op *o, rng *r)
{
    o->repeat = 0;
    o->same = 0;
    if (!rng_one_in(r, 6))
        return;
    o->repeat = repeat_choices[rng_size(
        r, sizeof repeat_choices / sizeof repeat_choices[0])];
    o->same = rng_one_in(r, 4) ? 1u : 0u;
}

static int random_op(const program *p, size_t at, op *o, rng *r)
{
    o->code = random_code(p, r);
    o->resource = 0;
    o->operand = 0;
    random_repeat(o, r);
    if (!op_takes_resource(o->code))
        return 0;
    o->resource = random_resource(p, r);
    return pick_operand(p, at, o, r);
}

/* An operation index whose code satisfies want, after a few tries; -1 when
   none was found. */
static long find_op(const program *p, int (*want)(op_code), rng *r)
{
    if (p->len == 0)
        return -1;
    for (int tries = 0; tries < 8; tries++) {
        size_t i = rng_size(r, p->len);
        if (want(p->ops[i].code))
            return (long)i;
    }
    for (size_t i = 0; i < p->len; i++) {
        if (want(p->ops[i].code))
            return (long)i;
    }
    return -1;
}

/* ---- Configuration ----------------------------------------------------- */

/* Moves every resource into the configuration: guest types past the end
   become another type or the host. */
static void remap_resources(program *p, rng *r)
{
    for (size_t i = 0; i < p->len; i++) {
        op *o = &p->ops[i];
        if (!op_takes_resource(o->code) || o->resource == RT_HOST ||
            o->resource < p->types)
            continue;
        o->resource = p->types == 0 || rng_one_in(r, 4) ? RT_HOST
                                                        : o->resource % p->types;
    }
}

/* The default limit of a profile (2^30 for wasmtime35, 2^28 for spec). */
static uint32_t default_limit(rt_semantics semantics)
{
    return semantics == RT_SEMANTICS_SPEC ? PROGRAM_SPEC_DEFAULT_LIMIT
                                          : PROGRAM_DEFAULT_LIMIT;
}

/*
 * Flips the profile. A limit that was the old profile's default becomes the
 * new one's, so the program keeps its meaning ("the default bound") and its
 * compact header (FORMAT.md: spec programs are compact only with the spec
 * defaults); any other limit stays, which the explicit header encodes.
 */
static void flip_profile(program *p)
{
    rt_semantics to = p->semantics == RT_SEMANTICS_SPEC ? RT_SEMANTICS_WASMTIME35
                                                        : RT_SEMANTICS_SPEC;
    if (p->limit == default_limit(p->semantics))
        p->limit = default_limit(to);
    p->semantics = to;
}

static int tweak_config(program *p, rng *r)
{
    switch (rng_below(r, 5)) {
    case 0: /* limit: the default, small, or one off */
        switch (rng_below(r, 4)) {
        case 0:
            p->limit = default_limit(p->semantics);
            break;
        case 1:
            p->limit = rng_below(r, 65);
            break;
        case 2:
            p->limit = inc(p->limit);
            break;
        default:
            p->limit = dec(p->limit);
            break;
        }
        return 0;
    case 1: /* max_lends: the default, small, or one off */
        switch (rng_below(r, 4)) {
        case 0:
            p->max_lends = PROGRAM_DEFAULT_MAX_LENDS;
            break;
        case 1:
            p->max_lends = rng_below(r, 4);
            break;
        case 2:
            p->max_lends = inc(p->max_lends);
            break;
        default:
            p->max_lends = dec(p->max_lends);
            break;
        }
        return 0;
    case 2: { /* instances: 1..4 (compact headers), rarely 5..8 */
        uint32_t n = 1u + rng_below(r, 4);
        if (rng_one_in(r, 8))
            n = 5u + rng_below(r, 4);
        p->instances = n;
        for (uint32_t t = 0; t < p->types; t++)
            p->type_instance[t] %= n;
        return 0;
    }
    case 3: { /* types: 1..8, new ones in random instances */
        uint32_t list[8];
        uint32_t n = 1u + rng_below(r, 8);
        if (p->instances == 0)
            p->instances = 1;
        for (uint32_t t = 0; t < n; t++)
            list[t] = t < p->types ? p->type_instance[t]
                                   : rng_below(r, p->instances);
        if (program_set_types(p, n, list) != 0)
            return -1;
        remap_resources(p, r);
        return 0;
    }
    default: /* one type moves to another instance */
        if (p->types > 0 && p->instances > 1) {
            uint32_t t = rng_below(r, p->types);
            p->type_instance[t] = rng_below(r, p->instances);
        }
        return 0;
    }
}

/* ---- Mutations --------------------------------------------------------- */

typedef enum mutation {
    M_INSERT,
    M_DELETE,
    M_DUPLICATE,
    M_SWAP,
    M_RETARGET,
    M_RESOURCE,
    M_CODE,
    M_REP,
    M_WRAP,
    M_CONFIG,
    M_PROFILE,
    M_REPEAT,
    M_SWARM,
    M_COUNT
} mutation;

/* Relative weights of the mutations. */
static const uint32_t mutation_weight[M_COUNT] = {16, 10, 8, 8, 18, 8, 8, 8, 6, 3, 2, 6, 2};

/* Switches one operation kind on or off (never all off), or all back on;
   the operations of a kind switched off become the next kind that is on
   (op_swarm_allow), so the program stays valid. */
static void tweak_swarm(program *p, rng *r)
{
    uint8_t off = 0;
    if (!rng_one_in(r, 3)) {
        off = (uint8_t)(p->swarm_off ^ (1u << rng_below(r, 8)));
        if (off == 0xFFu)
            off = p->swarm_off;
    }
    p->swarm_off = off;
    for (size_t i = 0; i < p->len; i++) {
        op *o = &p->ops[i];
        op_code code = op_swarm_allow(off, o->code);
        if (code == o->code)
            continue;
        if (!op_takes_resource(code)) {
            o->resource = 0;
            o->operand = 0;
        } else if (!op_takes_resource(o->code)) {
            o->operand = 1;
        }
        o->code = code;
    }
}

static mutation random_mutation(rng *r)
{
    uint32_t total = 0;
    for (int m = 0; m < M_COUNT; m++)
        total += mutation_weight[m];
    uint32_t k = rng_below(r, total);
    for (int m = 0; m < M_COUNT; m++) {
        if (k < mutation_weight[m])
            return (mutation)m;
        k -= mutation_weight[m];
    }
    return M_INSERT;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Applies mutation m. 0: done; 1: not applicable here; -1: out of memory.
   *first is lowered to the first operation that may have changed. */
static int apply(program *p, mutation m, rng *r, size_t *first)
{
    switch (m) {
    case M_INSERT: {
        if (program_steps(p) >= DECODE_MAX_OPS)
            return 1;
        size_t at = rng_size(r, p->len + 1);
        op o;
        if (random_op(p, at, &o, r) != 0)
            return -1;
        *first = min_size(*first, at);
        return ops_insert(p, at, &o, 1);
    }
    case M_DELETE: {
        if (p->len == 0)
            return 1;
        size_t at = rng_size(r, p->len);
        size_t n = rng_one_in(r, 3) ? 1u + rng_size(r, min_size(8, p->len - at))
                                    : 1u;
        ops_erase(p, at, n);
        *first = min_size(*first, at);
        return 0;
    }
    case M_DUPLICATE: {
        if (p->len == 0)
            return 1;
        size_t at = rng_size(r, p->len);
        size_t n = 1u + rng_size(r, min_size(8, p->len - at));
        size_t to = rng_one_in(r, 2) ? at + n : rng_size(r, p->len + 1);
        *first = min_size(*first, min_size(at, to));
        return ops_insert(p, to, p->ops + at, n);
    }
    case M_SWAP: {
        if (p->len < 2)
            return 1;
        size_t i = rng_size(r, p->len - 1);
        size_t j = rng_one_in(r, 2) ? i + 1 : rng_size(r, p->len);
        op t = p->ops[i];
        p->ops[i] = p->ops[j];
        p->ops[j] = t;
        *first = min_size(*first, min_size(i, j));
        return 0;
    }
    case M_RETARGET:
    case M_REP: {
        long at = find_op(p, m == M_REP ? takes_rep : takes_handle, r);
        if (at < 0)
            return 1;
        if (pick_operand(p, (size_t)at, &p->ops[at], r) != 0)
            return -1;
        *first = min_size(*first, (size_t)at);
        return 0;
    }
    case M_RESOURCE: {
        long at = find_op(p, op_takes_resource, r);
        if (at < 0 || p->types == 0)
            return 1;
        op *o = &p->ops[at];
        uint32_t old = o->resource;
        for (int tries = 0; tries < 4 && o->resource == old; tries++)
            o->resource = random_resource(p, r);
        *first = min_size(*first, (size_t)at);
        return 0;
    }
    case M_CODE: {
        if (p->len == 0)
            return 1;
        size_t at = rng_size(r, p->len);
        op *o = &p->ops[at];
        op_code old = o->code;
        op_code code = old;
        for (int tries = 0; tries < 4 && code == old; tries++)
            code = random_code(p, r);
        o->code = code;
        *first = min_size(*first, at);
        if (!op_takes_resource(code)) {
            o->resource = 0;
            o->operand = 0;
            return 0;
        }
        if (!op_takes_resource(old))
            o->resource = random_resource(p, r);
        else if (takes_rep(code) == takes_rep(old) && rng_one_in(r, 2))
            return 0; /* same operand, different operation */
        return pick_operand(p, at, o, r) != 0 ? -1 : 0;
    }
    case M_WRAP: {
        if (program_steps(p) + 2 > DECODE_MAX_OPS)
            return 1;
        size_t a = rng_size(r, p->len + 1);
        size_t b = a + rng_size(r, min_size(p->len - a, 32) + 1);
        const op enter = {OP_ENTER, 0, 0, 0, 0}, exit_op = {OP_EXIT, 0, 0, 0, 0};
        int status = ops_insert(p, b, &exit_op, 1);
        if (status == 0)
            status = ops_insert(p, a, &enter, 1);
        *first = min_size(*first, a);
        return status;
    }
    case M_CONFIG:
        *first = 0;
        return tweak_config(p, r);
    case M_PROFILE: /* the same operations in the other profile */
        *first = 0;
        flip_profile(p);
        return 0;
    case M_SWARM:
        *first = 0;
        tweak_swarm(p, r);
        return 0;
    case M_REPEAT: { /* an operation's repeat count, within the cap */
        if (p->len == 0)
            return 1;
        size_t at = rng_size(r, p->len);
        op o = p->ops[at];
        random_repeat(&o, r);
        if (o.repeat == 0 && op_times(&p->ops[at]) == 1)
            o.repeat = 2 + rng_below(r, 63);
        if (program_steps(p) - op_times(&p->ops[at]) + op_times(&o) >
            DECODE_MAX_OPS)
            return 1;
        p->ops[at] = o;
        *first = min_size(*first, at);
        return 0;
    }
    case M_COUNT:
        break;
    }
    return 1;
}

int mutator_mutate_program(program *p, uint64_t seed, size_t *first_changed)
{
    rng r = rng_seeded(seed);
    size_t first = p->len;
    uint32_t count = rng_one_in(&r, 2) ? 1u : 2u + rng_below(&r, 3);
    int status = 0;
    for (uint32_t done = 0, tries = 0; done < count && tries < 4 * count; tries++) {
        int s = apply(p, random_mutation(&r), &r, &first);
        if (s < 0) {
            status = -1;
            break;
        }
        if (s == 0)
            done++;
    }
    *first_changed = first;
    return status;
}

/* ---- Byte inputs ------------------------------------------------------- */

/* A stand-in for LLVMFuzzerMutate: one byte flipped, set, inserted or
   erased. */
static size_t byte_mutate(uint8_t *data, size_t size, size_t max_size, rng *r)
{
    uint32_t kind = size == 0 ? 2 : rng_below(r, 4);
    if (kind == 2 && size >= max_size)
        kind = size > 0 ? 3 : 4;
    size_t at = rng_size(r, size);
    switch (kind) {
    case 0:
        data[at] ^= (uint8_t)(1u << rng_below(r, 8));
        return size;
    case 1:
        data[at] = (uint8_t)rng_below(r, 256);
        return size;
    case 2:
        at = rng_size(r, size + 1);
        memmove(data + at + 1, data + at, size - at);
        data[at] = (uint8_t)rng_below(r, 256);
        return size + 1;
    case 3:
        memmove(data + at, data + at + 1, size - at - 1);
        return size - 1;
    default:
        return size;
    }
}

/* Whether the bytes of operations 0..first of an encoding of len
   operations and enc_size bytes probably fit in max_size (assuming
   operations of even length), so that truncating keeps the change. */
static int change_fits(size_t first, size_t len, size_t enc_size,
                       size_t max_size)
{
    return len > 0 && first < len &&
           (uint64_t)(first + 1) * enc_size < (uint64_t)max_size * len;
}

size_t mutator_mutate(uint8_t *data, size_t size, size_t max_size,
                      unsigned seed, mutator_bytes_fn bytes)
{
    rng r = rng_seeded(seed);
    if (size > max_size)
        size = max_size;
    if (bytes != NULL && rng_one_in(&r, 5))
        return bytes(data, size, max_size);

    program p;
    program_init(&p);
    uint8_t *enc = NULL;
    size_t enc_size = 0, first = 0, out = 0;
    int ok = 0;
    if (decode_program(data, size, &rt_oracle, &p) == 0 &&
        mutator_mutate_program(&p, rng_next(&r), &first) == 0 &&
        encode_program(&p, &rt_oracle, &enc, &enc_size) == 0) {
        if (enc_size <= max_size) {
            out = enc_size;
            ok = 1;
        } else if (change_fits(first, p.len, enc_size, max_size)) {
            out = max_size; /* the decoder drops the cut operation */
            ok = 1;
        }
        if (ok && out > 0)
            memcpy(data, enc, out);
    }
    free(enc);
    program_free(&p);
    if (ok)
        return out;
    return bytes != NULL ? bytes(data, size, max_size)
                         : byte_mutate(data, size, max_size, &r);
}

/* Maps a resource of another configuration into p's. */
static uint32_t map_resource(const program *p, uint32_t resource)
{
    if (resource == RT_HOST || resource < p->types)
        return resource;
    return p->types == 0 ? RT_HOST : resource % p->types;
}

size_t mutator_cross_over(const uint8_t *a, size_t a_size, const uint8_t *b,
                          size_t b_size, uint8_t *out, size_t max_out,
                          unsigned seed)
{
    rng r = rng_seeded(seed);
    program pa, pb, q;
    program_init(&pa);
    program_init(&pb);
    program_init(&q);
    uint8_t *enc = NULL;
    size_t enc_size = 0, written = 0;
    int ok = decode_program(a, a_size, &rt_oracle, &pa) == 0 &&
             decode_program(b, b_size, &rt_oracle, &pb) == 0 &&
             program_set_types(&q, pa.types, pa.type_instance) == 0;
    if (ok) {
        q.semantics = pa.semantics;
        q.swarm_off = pa.swarm_off;
        q.instances = pa.instances;
        q.limit = pa.limit;
        q.max_lends = pa.max_lends;
        size_t cut = rng_size(&r, pa.len + 1);
        size_t from = rng_size(&r, pb.len + 1);
        size_t n = pb.len - from;
        if (rng_one_in(&r, 2))
            n = rng_size(&r, n + 1);
        int keep_tail = rng_one_in(&r, 2);
        /* Within the decoder's cap, which counts every repetition. */
        size_t steps = 0;
        for (size_t i = 0; ok && i < cut; i++) {
            steps += op_times(&pa.ops[i]);
            ok = program_push(&q, pa.ops[i]) == 0;
        }
        for (size_t i = 0; ok && i < n; i++) {
            op o = pb.ops[from + i];
            if (steps + op_times(&o) > DECODE_MAX_OPS)
                break;
            if (q.swarm_off >> op_swarm_bit(o.code) & 1u)
                continue; /* a kind the first parent switches off */
            steps += op_times(&o);
            if (op_takes_resource(o.code))
                o.resource = map_resource(&q, o.resource);
            ok = program_push(&q, o) == 0;
        }
        for (size_t i = cut; ok && keep_tail && i < pa.len; i++) {
            if (steps + op_times(&pa.ops[i]) > DECODE_MAX_OPS)
                break;
            steps += op_times(&pa.ops[i]);
            ok = program_push(&q, pa.ops[i]) == 0;
        }
    }
    if (ok && encode_program(&q, &rt_oracle, &enc, &enc_size) == 0) {
        written = min_size(enc_size, max_out);
        if (written > 0)
            memcpy(out, enc, written);
    } else {
        written = min_size(a_size, max_out);
        if (written > 0)
            memcpy(out, a, written);
    }
    free(enc);
    program_free(&pa);
    program_free(&pb);
    program_free(&q);
    return written;
}

/* ---- libFuzzer --------------------------------------------------------- */

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed)
{
    return mutator_mutate(data, size, max_size, seed, LLVMFuzzerMutate);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
                                 const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size,
                                 unsigned int seed)
{
    return mutator_cross_over(data1, size1, data2, size2, out, max_out_size,
                              seed);
}
