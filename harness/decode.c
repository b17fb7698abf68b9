/*
 * Byte inputs <-> programs; the format is fuzz/FORMAT.md.
 *
 * The decoder and the encoder share one operand-resolution function,
 * resolve_operand(): the decoder applies it to the input, the encoder applies
 * it to each candidate encoding and keeps the first that reproduces the
 * operation, then decodes what it wrote with the real decoder as a check.
 */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

/* ---- Bytes ------------------------------------------------------------- */

typedef struct byte_reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
} byte_reader;

/* Reads n (<= 4) bytes little-endian; 0 when fewer than n remain. */
static int read_le(byte_reader *rd, unsigned n, uint32_t *out)
{
    if (rd->size - rd->pos < n)
        return 0;
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)rd->data[rd->pos + i] << (8 * i);
    rd->pos += n;
    *out = v;
    return 1;
}

/* Header reads: missing bytes read as 0. */
static uint32_t header_le(byte_reader *rd, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (rd->pos < rd->size)
            v |= (uint32_t)rd->data[rd->pos++] << (8 * i);
    }
    return v;
}

/* Wrapping 32-bit arithmetic, written so that no unsigned operation
   overflows (clang's -fsanitize=unsigned-integer-overflow is on in
   sanitizer builds). */
/*
 * A count in the explicit header: one byte below 0xFF, else 0xFF and a u32.
 * Byte mutations then rarely make huge configurations (tens of thousands of
 * tables make a run 100 times slower), and every value stays encodable.
 */
static uint32_t header_count(byte_reader *rd)
{
    uint32_t b = header_le(rd, 1);
    return b < 0xFFu ? b : header_le(rd, 4);
}

static uint32_t wrap_add(uint32_t a, uint32_t b)
{
    return (uint32_t)(((uint64_t)a + b) & UINT32_MAX);
}

static uint32_t wrap_sub(uint32_t a, uint32_t b)
{
    return (uint32_t)(((uint64_t)a + (UINT64_C(1) << 32) - b) & UINT32_MAX);
}

/* ---- Operation bytes --------------------------------------------------- */

/* The code of each low nibble of an operation byte. */
static const op_code nibble_code[16] = {
    OP_NEW,         OP_NEW,         OP_LOWER_OWN,   OP_LOWER_BORROW,
    OP_LOWER_BORROW, OP_REP,        OP_DROP,        OP_DROP,
    OP_DROP,        OP_LIFT_OWN,    OP_LIFT_BORROW, OP_LIFT_BORROW,
    OP_ENTER,       OP_ENTER,       OP_EXIT,        OP_EXIT,
};

/* The first nibble that maps to code. */
/* Low nibble 15 is the repeat prefix: the operation after it stands for
   repeat_counts[mode] operations (mode 15: a u16 count follows, at least
   2). The counts cluster at the sizes where implementations change
   strategy (a power of two and one past it). */
#define REPEAT_NIBBLE 15u
#define REPEAT_EXPLICIT 15u
static const uint32_t repeat_counts[15] = {2,  3,  4,  5,   8,   9,   16, 17,
                                           32, 33, 64, 65, 100, 256, 257};

static uint8_t code_nibble(op_code code)
{
    for (uint8_t n = 0; n < 16; n++) {
        if (nibble_code[n] == code)
            return n;
    }
    return 0;
}

static int takes_rep(op_code code)
{
    return op_has(code, OPF_REP);
}

/* ---- Decoder state ----------------------------------------------------- */

/* An untouched table's state. */
static const decode_table untouched_table;

/* The map slot of `table`: its own, or the empty one where it belongs. */
static decode_table *map_slot(const decoder *d, uint32_t table)
{
    size_t mask = d->map_cap - 1;
    size_t at = (size_t)(((uint64_t)table * 0x9e3779b1u) >> 7) & mask;
    while (d->tables[at].key != 0 && d->tables[at].key != table + 1)
        at = (at + 1) & mask;
    return &d->tables[at];
}

/* Doubles the map. 0, or -1 when out of memory (the map stays). */
static int map_grow(decoder *d)
{
    decode_table *old = d->tables;
    size_t old_cap = d->map_cap;
    decode_table *grown = calloc(2 * old_cap, sizeof *grown);
    if (grown == NULL)
        return -1;
    d->tables = grown;
    d->map_cap = 2 * old_cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key != 0)
            *map_slot(d, old[i].key - 1) = old[i];
    }
    if (old != d->inline_tables)
        free(old);
    return 0;
}

/* The state of a table about to change, or NULL when out of memory. */
static decode_table *table_state(decoder *d, uint32_t table)
{
    if (d->direct)
        return &d->tables[table];
    decode_table *t = map_slot(d, table);
    if (t->key != 0)
        return t;
    if (2 * (d->map_used + 1) > d->map_cap) {
        if (map_grow(d) != 0)
            return NULL;
        t = map_slot(d, table);
    }
    t->key = table + 1;
    d->map_used++;
    return t;
}

static const decode_table *table_state_c(const decoder *d, uint32_t table)
{
    if (d->direct)
        return &d->tables[table];
    const decode_table *t = map_slot(d, table);
    return t->key != 0 ? t : &untouched_table;
}

/* The k-th most recently issued handle (k = 0: the latest); the oldest
   remembered when fewer are; 1 when none. */
static uint32_t recent_handle(const decode_table *t, unsigned k)
{
    if (t->count == 0)
        return 1;
    if (k >= t->count)
        k = (unsigned)t->count - 1u;
    return t->recent[(t->head + DECODE_RECENT - k) % DECODE_RECENT];
}

static void remember_issued(decode_table *t, uint32_t handle)
{
    t->head = (uint8_t)((t->head + 1u) % DECODE_RECENT);
    t->recent[t->head] = handle;
    if (t->count < DECODE_RECENT)
        t->count++;
}

/* The table of a resource; 0 when the resource does not exist. */
static int table_of(const decoder *d, uint32_t resource, uint32_t *table)
{
    if (resource == RT_HOST) {
        *table = d->instances;
        return 1;
    }
    if (resource >= d->types)
        return 0;
    *table = d->type_instance[resource];
    return 1;
}

/* ---- Operand resolution (shared by decoder and encoder) ---------------- */

static const uint32_t special_handles_base[6] = {
    1u, 0u /* limit-1 */, 0u /* limit */, UINT32_C(1) << 31, UINT32_MAX,
    UINT32_C(1) << 30,
};

/* The index-th live slot (handle order) of the table; 1 when none is live.
   index is reduced modulo the number of live slots. */
static uint32_t live_handle(const rt_impl *model, const void *self,
                            uint32_t table, uint32_t index)
{
    uint32_t size = model->table_size(self, table);
    uint32_t live = 0;
    rt_slot s;
    for (uint64_t h = 1; h <= size; h++) {
        if (model->table_slot(self, table, (uint32_t)h, &s) == 0 &&
            s.kind != RT_FREE)
            live++;
    }
    if (live == 0)
        return 1;
    index %= live;
    for (uint64_t h = 1; h <= size; h++) {
        if (model->table_slot(self, table, (uint32_t)h, &s) == 0 &&
            s.kind != RT_FREE) {
            if (index == 0)
                return (uint32_t)h;
            index--;
        }
    }
    return 1; /* a model whose slots changed under us */
}

/*
 * Spec programs, handle mode 7 of lift_borrow, drop and lift_own: what the
 * spec profile makes interesting (FORMAT.md). lift_borrow: the live borrow
 * of the deepest scope (lending it from a nested scope); drop and lift_own:
 * a lent borrow (refused as `borrowed`, where wasmtime35 frees it). The
 * highest such handle; 0 when the table has none.
 */
static uint32_t spec_handle(const rt_impl *model, const void *self,
                            uint32_t table, op_code code)
{
    uint32_t size = model->table_size(self, table);
    uint32_t best = 0, best_scope = 0;
    rt_slot s;
    for (uint64_t h = 1; h <= size; h++) {
        if (model->table_slot(self, table, (uint32_t)h, &s) != 0 ||
            s.kind != RT_BORROW)
            continue;
        if (code == OP_LIFT_BORROW ? best == 0 || s.scope >= best_scope
                                   : s.lends > 0) {
            best = (uint32_t)h;
            best_scope = s.scope;
        }
    }
    return best;
}

/*
 * The operand of an operation of `code` on `table` with operand mode `mode`
 * (the op byte's high nibble), reading any operand bytes from rd. Returns 0
 * when the bytes run out.
 */
static int resolve_operand(const decoder *d, byte_reader *rd, op_code code,
                           uint32_t table, unsigned mode,
                           const rt_impl *model, const void *self,
                           uint32_t *operand)
{
    const decode_table *t = table_state_c(d, table);
    uint32_t b = 0;

    if (takes_rep(code)) {
        switch (mode) {
        case 8:
            return read_le(rd, 1, operand);
        case 9:
            *operand = 0;
            return 1;
        case 10:
            *operand = UINT32_MAX;
            return 1;
        case 11:
            *operand = UINT32_C(1) << 31;
            return 1;
        case 12: {
            rt_slot s;
            *operand = 0;
            if (t->count > 0 &&
                model->table_slot(self, table, recent_handle(t, 0), &s) == 0 &&
                s.kind != RT_FREE)
                *operand = s.rep;
            return 1;
        }
        case 13:
            return read_le(rd, 2, operand);
        case 14:
            return read_le(rd, 4, operand);
        case 15:
            *operand = wrap_add(d->last_rep, 1);
            return 1;
        default:
            *operand = mode;
            return 1;
        }
    }

    if (mode == 7 && d->semantics == RT_SEMANTICS_SPEC &&
        (code == OP_LIFT_BORROW || code == OP_DROP || code == OP_LIFT_OWN)) {
        uint32_t h = spec_handle(model, self, table, code);
        *operand = h != 0 ? h : recent_handle(t, mode);
        return 1;
    }
    switch (mode) {
    case 8:
        if (!read_le(rd, 1, &b))
            return 0;
        *operand = live_handle(model, self, table, b);
        return 1;
    case 9:
        *operand = t->freed != 0 ? t->freed : 1u;
        return 1;
    case 10:
        *operand = 0;
        return 1;
    case 11:
        *operand = wrap_add(model->table_size(self, table), 1);
        return 1;
    case 12:
        if (!read_le(rd, 1, &b))
            return 0;
        b %= 6u;
        if (b == 1)
            *operand = wrap_sub(d->limit, 1);
        else if (b == 2)
            *operand = d->limit;
        else
            *operand = special_handles_base[b];
        return 1;
    case 13:
        return read_le(rd, 1, operand);
    case 14:
        return read_le(rd, 4, operand);
    case 15:
        if (!read_le(rd, 1, &b))
            return 0;
        /* b as int8, added with wrapping */
        *operand = b < 128u ? wrap_add(recent_handle(t, 0), b)
                            : wrap_sub(recent_handle(t, 0), 256u - b);
        return 1;
    default:
        *operand = recent_handle(t, mode);
        return 1;
    }
}

/* ---- Decoding ---------------------------------------------------------- */

static unsigned resource_width(uint32_t types)
{
    uint64_t count = (uint64_t)types + 1;
    return count <= 256 ? 1u : count <= 65536 ? 2u : 3u;
}

/* Sets up everything but the configuration. */
static void decoder_setup(decoder *d, const program *p)
{
    d->instances = p->instances;
    d->types = p->types;
    d->type_instance = p->type_instance;
    d->limit = p->limit;
    d->semantics = p->semantics;
    d->resource_bytes = resource_width(p->types);
    memset(d->inline_tables, 0, sizeof d->inline_tables);
    d->tables = d->inline_tables;
    d->direct = (size_t)p->instances + 1 <= DECODE_INLINE_TABLES;
    d->map_cap = DECODE_INLINE_TABLES;
    d->map_used = 0;
}

int decoder_begin(decoder *d, const uint8_t *data, size_t size, program *p)
{
    memset(d, 0, sizeof *d);
    d->tables = d->inline_tables;
    d->data = data;
    d->size = data != NULL ? size : 0;

    byte_reader rd = {data, d->size, 0};
    uint32_t c0 = header_le(&rd, 1);
    uint32_t instances, types, limit, max_lends;
    rt_semantics semantics = RT_SEMANTICS_WASMTIME35;
    uint32_t swarm = 0;
    uint32_t *list = NULL;
    uint32_t small[8];

    if (c0 == 0xFF) {
        instances = header_count(&rd) % (PROGRAM_MAX_INSTANCES + 1u);
        types = header_count(&rd) % (PROGRAM_MAX_TYPES + 1u);
        if (instances == 0)
            types = 0;
        if (types > 0) {
            list = malloc((size_t)types * sizeof *list);
            if (list == NULL) {
                d->done = 1;
                return -1;
            }
            for (uint32_t i = 0; i < types; i++)
                list[i] = header_count(&rd) % instances;
        }
        limit = header_le(&rd, 4);
        max_lends = header_le(&rd, 4);
        if (header_le(&rd, 1) & 1u)
            semantics = RT_SEMANTICS_SPEC;
        swarm = header_le(&rd, 1);
    } else {
        instances = (c0 & 3u) + 1u;
        types = ((c0 >> 2) & 7u) + 1u;
        uint32_t mode = c0 >> 5;
        for (uint32_t i = 0; i < types; i++)
            small[i] = header_le(&rd, 1) % instances;
        list = small;
        limit = PROGRAM_DEFAULT_LIMIT;
        max_lends = PROGRAM_DEFAULT_MAX_LENDS;
        /* Modes 1 and 3: a swarm byte follows (3: in the spec profile). */
        if (mode == 3 || mode == 4) {
            semantics = RT_SEMANTICS_SPEC;
            limit = PROGRAM_SPEC_DEFAULT_LIMIT;
        }
        if (mode == 1 || mode == 3)
            swarm = header_le(&rd, 1);
        if (mode == 5 || mode == 7)
            limit = header_le(&rd, 1) % 65u;
        if (mode == 6 || mode == 7)
            max_lends = header_le(&rd, 1) % 4u;
    }

    int status = program_set_types(p, types, list);
    if (list != small)
        free(list);
    if (status != 0) {
        d->done = 1;
        return -1;
    }
    p->semantics = semantics;
    /* Every kind switched off means none is. */
    p->swarm_off = swarm == 0xFFu ? 0 : (uint8_t)swarm;
    d->swarm_off = p->swarm_off;
    p->instances = instances;
    p->limit = limit;
    p->max_lends = max_lends;
    d->pos = rd.pos;
    decoder_setup(d, p);
    return 0;
}

int decoder_next(decoder *d, const rt_impl *model, const void *self, op *out)
{
    if (d->done || d->decoded >= DECODE_MAX_OPS || d->pos >= d->size) {
        d->done = 1;
        return 0;
    }
    byte_reader rd = {d->data, d->size, d->pos};
    uint32_t byte = 0, value = 0, table = 0, repeat = 0, same = 0;
    (void)read_le(&rd, 1, &byte);
    while ((byte & 15u) == REPEAT_NIBBLE) {
        uint32_t m = byte >> 4;
        if (m != REPEAT_EXPLICIT) {
            repeat = repeat_counts[m];
            same = 0;
        } else if (read_le(&rd, 2, &value)) {
            /* Bit 15: every repetition keeps the operand (`again`); the
               count is 2 + the low 10 bits (2 .. 1025). */
            same = value >> 15;
            repeat = 2u + (value & 0x3FFu);
        } else {
            d->done = 1;
            return 0;
        }
        if (!read_le(&rd, 1, &byte)) {
            d->done = 1;
            return 0;
        }
    }
    /* The operation cap counts every repetition. */
    size_t left = DECODE_MAX_OPS - d->decoded;
    if (repeat > left)
        repeat = (uint32_t)left;
    op o = {op_swarm_allow(d->swarm_off, nibble_code[byte & 15u]), 0, 0,
            repeat > 1 ? repeat : 0, same};
    unsigned mode = (unsigned)(byte >> 4);

    if (op_takes_resource(o.code)) {
        if (!read_le(&rd, d->resource_bytes, &value)) {
            d->done = 1;
            return 0;
        }
        value %= d->types + 1u;
        o.resource = value == d->types ? RT_HOST : value;
        (void)table_of(d, o.resource, &table);
        if (!resolve_operand(d, &rd, o.code, table, mode, model, self,
                             &o.operand)) {
            d->done = 1;
            return 0;
        }
        if (takes_rep(o.code))
            d->last_rep = o.operand;
    }
    d->pos = rd.pos;
    d->decoded += op_times(&o);
    *out = o;
    return 1;
}

void decoder_observe(decoder *d, const op *o, const op_result *r)
{
    uint32_t table;
    if (r->status != RT_OK ||
        !op_takes_resource(o->code) || !table_of(d, o->resource, &table))
        return;
    int issued = takes_rep(o->code) && r->kind == RESULT_VALUE;
    if (!issued && o->code != OP_DROP && o->code != OP_LIFT_OWN)
        return;
    decode_table *t = table_state(d, table);
    if (t == NULL) {
        /* Out of memory: the input ends here, as when decoder_begin fails. */
        d->done = 1;
        return;
    }
    if (issued)
        remember_issued(t, r->value);
    else
        t->freed = o->operand;
}

void decoder_end(decoder *d)
{
    if (d->tables != d->inline_tables)
        free(d->tables);
    d->tables = d->inline_tables;
    d->done = 1;
}

int decode_program(const uint8_t *data, size_t size, const rt_impl *model,
                   program *p)
{
    return decode_program_as(data, size, model, RT_SEMANTICS_COUNT, p);
}

int decode_program_as(const uint8_t *data, size_t size, const rt_impl *model,
                      rt_semantics as, program *p)
{
    decoder d;
    p->len = 0;
    if (decoder_begin(&d, data, size, p) != 0) {
        decoder_end(&d);
        return -1;
    }
    if (as != RT_SEMANTICS_COUNT)
        p->semantics = as;
    rt_config cfg = program_config(p);
    void *self = NULL;
    if (model->create(&cfg, &self) != RT_OK) {
        decoder_end(&d);
        return -1;
    }
    int status = 0;
    op o;
    while (status == 0 && decoder_next(&d, model, self, &o)) {
        if (program_push(p, o) != 0)
            status = -1;
        for (uint32_t k = 0; status == 0 && k < op_times(&o); k++) {
            op one = op_repetition(&o, k);
            op_result r = op_run(model, self, &one);
            if (r.status == RT_OUT_OF_MEMORY)
                status = -1;
            decoder_observe(&d, &one, &r);
        }
    }
    if (status != 0)
        p->len = 0;
    model->destroy(self);
    decoder_end(&d);
    return status;
}

/* ---- Encoding ---------------------------------------------------------- */

static void put_le(uint8_t *buf, size_t *len, uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        buf[(*len)++] = (uint8_t)(v >> (8 * i));
}

static int program_valid(const program *p)
{
    if (p->instances > PROGRAM_MAX_INSTANCES || p->types > PROGRAM_MAX_TYPES ||
        p->len > DECODE_MAX_OPS || (p->types > 0 && p->type_instance == NULL))
        return 0;
    size_t total = 0;
    for (size_t i = 0; i < p->len; i++) {
        if (p->ops[i].repeat > PROGRAM_MAX_REPEAT ||
            (p->swarm_off >> op_swarm_bit(p->ops[i].code) & 1u))
            return 0;
        total += op_times(&p->ops[i]);
    }
    if (total > DECODE_MAX_OPS)
        return 0;
    for (uint32_t i = 0; i < p->types; i++) {
        if (p->type_instance[i] >= p->instances)
            return 0;
    }
    for (size_t i = 0; i < p->len; i++) {
        const op *o = &p->ops[i];
        if ((unsigned)o->code >= OP_COUNT)
            return 0;
        if (op_takes_resource(o->code)) {
            if (o->resource != RT_HOST && o->resource >= p->types)
                return 0;
        } else if (o->resource != 0 || o->operand != 0) {
            return 0;
        }
    }
    return 1;
}

/* The inverse of header_count. */
static void put_count(uint8_t *buf, size_t *len, uint32_t v)
{
    if (v < 0xFFu) {
        buf[(*len)++] = (uint8_t)v;
        return;
    }
    buf[(*len)++] = 0xFF;
    put_le(buf, len, v, 4);
}

static size_t write_header(const program *p, uint8_t *buf)
{
    size_t len = 0;
    int spec = p->semantics == RT_SEMANTICS_SPEC;
    int small_limit = !spec && p->limit <= 64;
    int small_lends = !spec && p->max_lends <= 3;
    int shape = p->instances >= 1 && p->instances <= 4 && p->types >= 1 &&
                p->types <= 8;
    /* The spec profile has one compact form: its default limit and
       max_lends (mode 4). */
    int compact =
        shape &&
        (spec ? p->limit == PROGRAM_SPEC_DEFAULT_LIMIT &&
                    p->max_lends == PROGRAM_DEFAULT_MAX_LENDS
              : (small_limit || p->limit == PROGRAM_DEFAULT_LIMIT) &&
                    (small_lends || p->max_lends == PROGRAM_DEFAULT_MAX_LENDS));
    int swarm = p->swarm_off != 0;
    /* A swarm byte has a compact form only with the default limit and
       max_lends (modes 1 and 3). */
    if (swarm && (small_limit || small_lends) &&
        (p->limit != PROGRAM_DEFAULT_LIMIT ||
         p->max_lends != PROGRAM_DEFAULT_MAX_LENDS))
        compact = 0;
    small_limit = small_limit && !swarm;
    small_lends = small_lends && !swarm;
    uint32_t mode = spec                       ? (swarm ? 3u : 4u)
                    : swarm                    ? 1u
                    : small_limit && small_lends ? 7u
                    : small_limit              ? 5u
                    : small_lends              ? 6u
                                               : 0u;
    uint32_t c0 = compact ? (p->instances - 1u) | ((p->types - 1u) << 2) |
                                (mode << 5)
                          : 0xFFu;
    if (c0 != 0xFF) {
        buf[len++] = (uint8_t)c0;
        for (uint32_t i = 0; i < p->types; i++)
            buf[len++] = (uint8_t)p->type_instance[i];
        if (small_limit)
            buf[len++] = (uint8_t)p->limit;
        if (small_lends)
            buf[len++] = (uint8_t)p->max_lends;
        if (swarm)
            buf[len++] = p->swarm_off;
        return len;
    }
    buf[len++] = 0xFF;
    put_count(buf, &len, p->instances);
    put_count(buf, &len, p->types);
    for (uint32_t i = 0; i < p->types; i++)
        put_count(buf, &len, p->type_instance[i]);
    put_le(buf, &len, p->limit, 4);
    put_le(buf, &len, p->max_lends, 4);
    buf[len++] = spec ? 1u : 0u;
    buf[len++] = p->swarm_off;
    return len;
}

/* Whether mode plus the operand bytes extra[0..n) resolve to want. */
static int candidate_works(const decoder *d, op_code code, uint32_t table,
                           unsigned mode, const uint8_t *extra, unsigned n,
                           const rt_impl *model, const void *self,
                           uint32_t want)
{
    byte_reader rd = {extra, n, 0};
    uint32_t got = 0;
    return resolve_operand(d, &rd, code, table, mode, model, self, &got) &&
           rd.pos == n && got == want;
}

/* Chooses the first candidate encoding of the operand that resolves to it:
   fills *mode and extra[0..*n). */
static void choose_operand(const decoder *d, const op *o, uint32_t table,
                           const rt_impl *model, const void *self,
                           unsigned *mode, uint8_t extra[4], unsigned *n)
{
    uint32_t want = o->operand;
#define TRY(m, count)                                                          \
    do {                                                                       \
        if (candidate_works(d, o->code, table, (m), extra, (count), model,     \
                            self, want)) {                                     \
            *mode = (m);                                                       \
            *n = (count);                                                      \
            return;                                                            \
        }                                                                      \
    } while (0)

    for (unsigned m = 0; m < 8; m++)
        TRY(m, 0u);
    TRY(9u, 0u);
    TRY(10u, 0u);
    TRY(11u, 0u);
    if (takes_rep(o->code)) {
        TRY(12u, 0u);
        TRY(15u, 0u);
        if (want < 256) {
            extra[0] = (uint8_t)want;
            TRY(8u, 1u);
        }
        if (want < 65536) {
            extra[0] = (uint8_t)want;
            extra[1] = (uint8_t)(want >> 8);
            TRY(13u, 2u);
        }
    } else {
        for (unsigned b = 0; b < 6; b++) {
            extra[0] = (uint8_t)b;
            TRY(12u, 1u);
        }
        if (want < 256) {
            extra[0] = (uint8_t)want;
            TRY(13u, 1u);
        }
        extra[0] = (uint8_t)(wrap_sub(want, recent_handle(table_state_c(d, table), 0)) & 0xFFu);
        TRY(15u, 1u);
        /* the live-slot index of want, when it is live and below 256 */
        rt_slot s;
        uint32_t size = model->table_size(self, table);
        if (want >= 1 && want <= size &&
            model->table_slot(self, table, want, &s) == 0 &&
            s.kind != RT_FREE) {
            uint32_t index = 0;
            for (uint32_t h = 1; h < want && index < 256; h++) {
                if (model->table_slot(self, table, h, &s) == 0 &&
                    s.kind != RT_FREE)
                    index++;
            }
            if (index < 256) {
                extra[0] = (uint8_t)index;
                TRY(8u, 1u);
            }
        }
    }
#undef TRY
    *mode = 14;
    *n = 4;
    for (unsigned i = 0; i < 4; i++)
        extra[i] = (uint8_t)(want >> (8 * i));
}

static int ops_equal(const op *a, const op *b)
{
    return a->code == b->code && a->resource == b->resource &&
           a->operand == b->operand && op_times(a) == op_times(b) &&
           (op_times(a) == 1 || a->same == b->same);
}

int encode_program(const program *p, const rt_impl *model, uint8_t **out,
                   size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    if (!program_valid(p))
        return -1;

    /* Longest header: explicit, every count escaped (1 + 5 + 5 + 5 per type
       + 4 + 4 + 1); longest operation: a 3-byte repeat prefix, then
       1 + 3 + 4 bytes. */
    size_t cap = 21 + 5 * (size_t)p->types + 11 * p->len;
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        return -1;
    size_t len = write_header(p, buf);

    /* The real decoder, fed what we write, checks every step. */
    program q;
    program_init(&q);
    decoder d;
    void *self = NULL;
    int status = -1;
    if (decoder_begin(&d, buf, len, &q) != 0)
        goto done;
    if (q.semantics != p->semantics || q.swarm_off != p->swarm_off ||
        q.instances != p->instances ||
        q.types != p->types ||
        q.limit != p->limit || q.max_lends != p->max_lends ||
        (p->types > 0 &&
         memcmp(q.type_instance, p->type_instance,
                (size_t)p->types * sizeof *p->type_instance) != 0))
        goto done;
    rt_config cfg = program_config(&q);
    if (model->create(&cfg, &self) != RT_OK) {
        self = NULL;
        goto done;
    }

    for (size_t i = 0; i < p->len; i++) {
        const op *o = &p->ops[i];
        uint8_t nibble = code_nibble(o->code);
        if (op_times(o) > 1) {
            uint32_t m = REPEAT_EXPLICIT;
            for (uint32_t k = 0; k < REPEAT_EXPLICIT && !o->same; k++) {
                if (repeat_counts[k] == o->repeat)
                    m = k;
            }
            buf[len++] = (uint8_t)(REPEAT_NIBBLE | (m << 4));
            if (m == REPEAT_EXPLICIT)
                put_le(buf, &len, (o->repeat - 2u) | (o->same ? 0x8000u : 0u), 2);
        }
        if (!op_takes_resource(o->code)) {
            buf[len++] = nibble;
        } else {
            uint32_t table = 0;
            (void)table_of(&d, o->resource, &table);
            unsigned mode = 14, n = 0;
            uint8_t extra[4];
            choose_operand(&d, o, table, model, self, &mode, extra, &n);
            buf[len++] = (uint8_t)(nibble | (mode << 4));
            put_le(buf, &len, o->resource == RT_HOST ? p->types : o->resource,
                   d.resource_bytes);
            for (unsigned k = 0; k < n; k++)
                buf[len++] = extra[k];
        }
        op got;
        d.data = buf;
        d.size = len;
        if (!decoder_next(&d, model, self, &got) || !ops_equal(&got, o) ||
            d.pos != len)
            goto done;
        for (uint32_t k = 0; k < op_times(&got); k++) {
            op one = op_repetition(&got, k);
            op_result r = op_run(model, self, &one);
            if (r.status == RT_OUT_OF_MEMORY)
                goto done;
            decoder_observe(&d, &one, &r);
        }
    }
    status = 0;

done:
    if (self != NULL)
        model->destroy(self);
    decoder_end(&d);
    program_free(&q);
    if (status != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_size = len;
    return 0;
}
