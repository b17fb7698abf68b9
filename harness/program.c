/*
 * Programs, the .ops text format (docs/semantics.md, "Text scripts"), and
 * running one operation through an rt_impl.
 */
#include "program.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *word;
    const char *function;
    unsigned flags;
} op_info[OP_COUNT] = {
#define OP_INFO_(name, word, function, flags) {word, function, flags},
    OP_MAP(OP_INFO_)
#undef OP_INFO_
};

const char *rt_status_name(rt_status status)
{
    static const char *const names[RT_STATUS_COUNT] = {
#define RT_STATUS_WORD_(name, word) word,
        RT_STATUS_MAP(RT_STATUS_WORD_)
#undef RT_STATUS_WORD_
    };
    return (unsigned)status < RT_STATUS_COUNT ? names[status] : "unknown-status";
}

const char *op_name(op_code code)
{
    return (unsigned)code < OP_COUNT ? op_info[code].word : "?";
}

unsigned op_swarm_bit(op_code code)
{
    return code < OP_ENTER ? (unsigned)code : 7u;
}

op_code op_swarm_allow(uint8_t swarm_off, op_code code)
{
    for (int k = 0; k < OP_COUNT; k++) {
        op_code c = (op_code)(((int)code + k) % OP_COUNT);
        if (!(swarm_off >> op_swarm_bit(c) & 1u))
            return c;
    }
    return code;
}

size_t program_steps(const program *p)
{
    size_t steps = 0;
    for (size_t i = 0; i < p->len; i++)
        steps += op_times(&p->ops[i]);
    return steps;
}

uint32_t op_times(const op *o)
{
    return o->repeat > 1 ? o->repeat : 1;
}

op op_repetition(const op *o, uint32_t k)
{
    op one = *o;
    one.repeat = 0;
    one.same = 0;
    if (op_takes_resource(o->code) && !o->same) /* wrapping at 2^32 */
        one.operand = (uint32_t)(((uint64_t)o->operand + k) & UINT32_MAX);
    return one;
}

void op_signature_name(const op *o, char *buf, size_t size)
{
    int high = op_has(o->code, OPF_RESOURCE) && !op_has(o->code, OPF_REP) &&
               o->operand >= 0x80000000u;
    snprintf(buf, size, "%s%s", op_name(o->code), high ? ".high-handle" : "");
}

const char *op_function(op_code code)
{
    return (unsigned)code < OP_COUNT ? op_info[code].function : "?";
}

int op_has(op_code code, unsigned flags)
{
    return (unsigned)code < OP_COUNT && (op_info[code].flags & flags) == flags;
}

int op_takes_resource(op_code code)
{
    return op_has(code, OPF_RESOURCE);
}

/* ---- Programs --------------------------------------------------------- */

static const char *const semantics_words[RT_SEMANTICS_COUNT] = {
    [RT_SEMANTICS_WASMTIME35] = "wasmtime35",
    [RT_SEMANTICS_SPEC] = "spec",
};

const char *semantics_name(rt_semantics semantics)
{
    return (unsigned)semantics < RT_SEMANTICS_COUNT ? semantics_words[semantics]
                                                    : "unknown";
}

uint32_t program_default_limit(rt_semantics semantics)
{
    return semantics == RT_SEMANTICS_SPEC ? PROGRAM_SPEC_DEFAULT_LIMIT
                                          : PROGRAM_DEFAULT_LIMIT;
}

void program_init(program *p)
{
    memset(p, 0, sizeof *p);
    p->instances = PROGRAM_DEFAULT_INSTANCES;
    p->limit = PROGRAM_DEFAULT_LIMIT;
    p->max_lends = PROGRAM_DEFAULT_MAX_LENDS;
    static const uint32_t default_types[] = {0, 0, 1};
    /* Three words cannot fail to allocate in any way we can recover from;
       the caller sees types == 0 in that case and scripts still parse. */
    (void)program_set_types(p, 3, default_types);
}

void program_free(program *p)
{
    free(p->type_instance);
    free(p->ops);
    memset(p, 0, sizeof *p);
}

int program_set_types(program *p, uint32_t types, const uint32_t *type_instance)
{
    uint32_t *copy = NULL;
    if (types > 0) {
        copy = malloc(types * sizeof *copy);
        if (copy == NULL)
            return -1;
        memcpy(copy, type_instance, types * sizeof *copy);
    }
    free(p->type_instance);
    p->type_instance = copy;
    p->types = types;
    return 0;
}

int program_push(program *p, op o)
{
    if (p->len == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        op *grown = realloc(p->ops, cap * sizeof *grown);
        if (grown == NULL)
            return -1;
        p->ops = grown;
        p->cap = cap;
    }
    p->ops[p->len++] = o;
    return 0;
}

int program_equal(const program *a, const program *b)
{
    if (a->semantics != b->semantics || a->swarm_off != b->swarm_off ||
        a->instances != b->instances ||
        a->types != b->types || a->has_fail_at != b->has_fail_at ||
        a->fail_at != b->fail_at || a->has_corrupt != b->has_corrupt ||
        a->corrupt_victim != b->corrupt_victim ||
        strcmp(a->corrupt, b->corrupt) != 0 ||
        a->limit != b->limit || a->max_lends != b->max_lends ||
        a->len != b->len)
        return 0;
    for (uint32_t i = 0; i < a->types; i++) {
        if (a->type_instance[i] != b->type_instance[i])
            return 0;
    }
    for (size_t i = 0; i < a->len; i++) {
        if (a->ops[i].code != b->ops[i].code ||
            a->ops[i].resource != b->ops[i].resource ||
            a->ops[i].operand != b->ops[i].operand ||
            op_times(&a->ops[i]) != op_times(&b->ops[i]) ||
            (op_times(&a->ops[i]) > 1 && a->ops[i].same != b->ops[i].same))
            return 0;
    }
    return 1;
}

rt_config program_config(const program *p)
{
    rt_config cfg = {p->instances, p->types,     p->type_instance,
                     p->limit,     p->max_lends, p->semantics,
                     NULL,         NULL};
    return cfg;
}

/* ---- Parsing ---------------------------------------------------------- */

typedef struct parser {
    const char *name;
    char *err;
    size_t err_size;
    program *p;
    size_t line;
    /* line numbers of the directives seen (0: not given) */
    size_t semantics_line, instances_line, types_line, limit_line,
        max_lends_line, fail_at_line, corrupt_line, swarm_line;
    /* the words of the current line; a types line is the longest */
    const char **tokens;
    size_t *token_len;
    size_t token_cap; /* grows to the longest line, at most MAX_TOKENS */
    size_t ntokens;
    int more_tokens; /* the line had more than MAX_TOKENS words */
} parser;

#define MAX_TOKENS (PROGRAM_MAX_TYPES + 1)

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(parser *ps, const char *fmt, ...)
{
    if (ps->err_size == 0)
        return -1;
    int n = snprintf(ps->err, ps->err_size, "%s:%zu: ", ps->name, ps->line);
    if (n >= 0 && (size_t)n < ps->err_size) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(ps->err + n, ps->err_size - (size_t)n, fmt, args);
        va_end(args);
    }
    return -1;
}

static int token_is(const parser *ps, size_t i, const char *word)
{
    size_t len = strlen(word);
    return ps->token_len[i] == len && memcmp(ps->tokens[i], word, len) == 0;
}

/* A token for messages: at most 32 characters, quoted by the caller. */
static int shown(const parser *ps, size_t i)
{
    return ps->token_len[i] > 32 ? 32 : (int)ps->token_len[i];
}

static int parse_u32(parser *ps, size_t i, const char *what, uint32_t *out)
{
    const char *s = ps->tokens[i];
    size_t len = ps->token_len[i];
    uint64_t value = 0;
    for (size_t k = 0; k < len; k++) {
        if (s[k] < '0' || s[k] > '9')
            return fail(ps, "%s '%.*s' is not a decimal number", what,
                        shown(ps, i), s);
        value = value * 10 + (uint64_t)(s[k] - '0');
        if (value > UINT32_MAX)
            return fail(ps, "%s '%.*s' is out of range (0 to 4294967295)",
                        what, shown(ps, i), s);
    }
    *out = (uint32_t)value;
    return 0;
}

static int parse_resource(parser *ps, size_t i, uint32_t *out)
{
    if (token_is(ps, i, "host")) {
        *out = RT_HOST;
        return 0;
    }
    const char *s = ps->tokens[i];
    size_t len = ps->token_len[i];
    if (len < 2 || s[0] != 't')
        return fail(ps, "'%.*s' is not a resource (host or tN)", shown(ps, i),
                    s);
    uint64_t value = 0;
    for (size_t k = 1; k < len; k++) {
        if (s[k] < '0' || s[k] > '9')
            return fail(ps, "'%.*s' is not a resource (host or tN)",
                        shown(ps, i), s);
        value = value * 10 + (uint64_t)(s[k] - '0');
        if (value > UINT32_MAX)
            break;
    }
    if (value >= ps->p->types)
        return fail(ps, "type '%.*s' does not exist (%" PRIu32 " types)",
                    shown(ps, i), s, ps->p->types);
    *out = (uint32_t)value;
    return 0;
}

static int expect_operands(parser *ps, size_t want)
{
    if (ps->ntokens - 1 < want)
        return fail(ps, "'%.*s' needs %zu operand%s", shown(ps, 0),
                    ps->tokens[0], want, want == 1 ? "" : "s");
    if (ps->ntokens - 1 > want || ps->more_tokens)
        return fail(ps, "unexpected '%.*s' after '%.*s'", shown(ps, want + 1),
                    ps->tokens[want + 1], shown(ps, 0), ps->tokens[0]);
    return 0;
}

/* Completes the configuration once the directives are read: the profile's
   default limit unless one was given, and the types in force must all name
   an existing instance. */
static int check_config(parser *ps)
{
    if (!ps->limit_line)
        ps->p->limit = program_default_limit(ps->p->semantics);
    for (uint32_t ty = 0; ty < ps->p->types; ty++) {
        if (ps->p->type_instance[ty] >= ps->p->instances) {
            size_t at = ps->types_line ? ps->types_line : ps->instances_line;
            ps->line = at;
            return fail(ps,
                        "type t%" PRIu32 " is in instance %" PRIu32
                        " but there %s only %" PRIu32 " instance%s%s",
                        ty, ps->p->type_instance[ty],
                        ps->p->instances == 1 ? "is" : "are",
                        ps->p->instances, ps->p->instances == 1 ? "" : "s",
                        ps->types_line ? "" : " (default types 0 0 1)");
        }
    }
    return 0;
}

static int parse_directive(parser *ps, size_t *seen, const char *word)
{
    if (ps->p->len > 0)
        return fail(ps, "directive '%s' after the first operation", word);
    if (*seen)
        return fail(ps, "directive '%s' given twice (first on line %zu)", word,
                    *seen);
    *seen = ps->line;
    return 0;
}

static int parse_types(parser *ps)
{
    if (ps->more_tokens)
        return fail(ps, "too many types (at most %u)", PROGRAM_MAX_TYPES);
    uint32_t count = (uint32_t)(ps->ntokens - 1);
    uint32_t *list = malloc((count ? count : 1) * sizeof *list);
    if (list == NULL)
        return fail(ps, "out of memory");
    int status = 0;
    for (uint32_t i = 0; i < count && status == 0; i++) {
        status = parse_u32(ps, i + 1, "instance", &list[i]);
        if (status == 0 && list[i] >= PROGRAM_MAX_INSTANCES)
            status = fail(ps, "instance %" PRIu32 " is out of range (below %u)",
                          list[i], PROGRAM_MAX_INSTANCES);
    }
    if (status == 0 && program_set_types(ps->p, count, list) != 0)
        status = fail(ps, "out of memory");
    free(list);
    return status;
}

static int parse_operation(parser *ps, op *out);

static int parse_line(parser *ps)
{
    program *p = ps->p;
    uint32_t value = 0;
    if (token_is(ps, 0, "instances")) {
        if (parse_directive(ps, &ps->instances_line, "instances") ||
            expect_operands(ps, 1) ||
            parse_u32(ps, 1, "instance count", &value))
            return -1;
        if (value > PROGRAM_MAX_INSTANCES)
            return fail(ps, "instance count %" PRIu32 " is out of range (at most %u)",
                        value, PROGRAM_MAX_INSTANCES);
        p->instances = value;
        return 0;
    }
    if (token_is(ps, 0, "semantics")) {
        if (parse_directive(ps, &ps->semantics_line, "semantics") ||
            expect_operands(ps, 1))
            return -1;
        for (int s = 0; s < RT_SEMANTICS_COUNT; s++) {
            if (token_is(ps, 1, semantics_words[s])) {
                p->semantics = (rt_semantics)s;
                return 0;
            }
        }
        return fail(ps, "unknown semantics '%.*s' (spec or wasmtime35)",
                    shown(ps, 1), ps->tokens[1]);
    }
    if (token_is(ps, 0, "swarm")) {
        if (parse_directive(ps, &ps->swarm_line, "swarm"))
            return -1;
        if (ps->ntokens < 2)
            return fail(ps, "'swarm' needs the operation kinds it keeps on");
        unsigned on = 0;
        for (size_t i = 1; i < ps->ntokens; i++) {
            int found = 0;
            for (int code = 0; code < OP_COUNT && !found; code++) {
                if (token_is(ps, i, op_info[code].word)) {
                    on |= 1u << op_swarm_bit((op_code)code);
                    found = 1;
                }
            }
            if (!found)
                return fail(ps, "'%.*s' is not an operation", shown(ps, i),
                            ps->tokens[i]);
        }
        p->swarm_off = (uint8_t)(~on & 0xFFu);
        return 0;
    }
    if (token_is(ps, 0, "fail_at")) {
        if (parse_directive(ps, &ps->fail_at_line, "fail_at") ||
            expect_operands(ps, 1) ||
            parse_u32(ps, 1, "allocation number", &p->fail_at))
            return -1;
        if (p->fail_at > 65535)
            return fail(ps, "allocation number %" PRIu32
                            " is out of range (at most 65535)",
                        p->fail_at);
        p->has_fail_at = 1;
        return ps->corrupt_line
                   ? fail(ps, "'fail_at' and 'corrupt' belong to different "
                              "targets (corrupt is on line %zu)",
                          ps->corrupt_line)
                   : 0;
    }
    if (token_is(ps, 0, "corrupt")) {
        if (parse_directive(ps, &ps->corrupt_line, "corrupt") ||
            expect_operands(ps, 2))
            return -1;
        size_t n = ps->token_len[1];
        for (size_t k = 0; k < n; k++) {
            char c = ps->tokens[1][k];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                return fail(ps, "'%.*s' is not a corruption name (a-z, 0-9, -)",
                            shown(ps, 1), ps->tokens[1]);
        }
        if (n >= PROGRAM_NAME_MAX)
            return fail(ps, "corruption name '%.*s' is too long", shown(ps, 1),
                        ps->tokens[1]);
        memcpy(p->corrupt, ps->tokens[1], n);
        p->corrupt[n] = '\0';
        if (parse_u32(ps, 2, "victim", &p->corrupt_victim))
            return -1;
        if (p->corrupt_victim > 255)
            return fail(ps, "victim %" PRIu32 " is out of range (at most 255)",
                        p->corrupt_victim);
        p->has_corrupt = 1;
        return ps->fail_at_line
                   ? fail(ps, "'fail_at' and 'corrupt' belong to different "
                              "targets (fail_at is on line %zu)",
                          ps->fail_at_line)
                   : 0;
    }
    if (token_is(ps, 0, "types"))
        return parse_directive(ps, &ps->types_line, "types") || parse_types(ps);
    if (token_is(ps, 0, "limit")) {
        if (parse_directive(ps, &ps->limit_line, "limit") ||
            expect_operands(ps, 1) || parse_u32(ps, 1, "limit", &p->limit))
            return -1;
        return 0;
    }
    if (token_is(ps, 0, "max_lends")) {
        if (parse_directive(ps, &ps->max_lends_line, "max_lends") ||
            expect_operands(ps, 1) ||
            parse_u32(ps, 1, "max_lends", &p->max_lends))
            return -1;
        return 0;
    }

    op o = {OP_COUNT, 0, 0, 0, 0};
    if (token_is(ps, 0, "repeat") || token_is(ps, 0, "again")) {
        o.same = token_is(ps, 0, "again") ? 1u : 0u;
        if (ps->ntokens < 3)
            return fail(ps, "'%s' needs a count and an operation",
                        o.same ? "again" : "repeat");
        if (parse_u32(ps, 1, "repeat count", &o.repeat))
            return -1;
        if (o.repeat < 2 || o.repeat > PROGRAM_MAX_REPEAT)
            return fail(ps, "repeat count %" PRIu32 " is out of range (2 to %u)",
                        o.repeat, PROGRAM_MAX_REPEAT);
        /* The operation is the rest of the line. */
        ps->tokens += 2;
        ps->token_len += 2;
        ps->ntokens -= 2;
        int status = parse_operation(ps, &o);
        ps->tokens -= 2;
        ps->token_len -= 2;
        ps->ntokens += 2;
        return status;
    }
    return parse_operation(ps, &o);
}

/* The operation on the current line (its words from the first on). */
static int parse_operation(parser *ps, op *out)
{
    program *p = ps->p;
    op o = *out;
    for (int code = 0; code < OP_COUNT; code++) {
        if (token_is(ps, 0, op_info[code].word))
            o.code = (op_code)code;
    }
    if (o.code == OP_COUNT)
        return fail(ps, "unknown word '%.*s'", shown(ps, 0), ps->tokens[0]);
    if (p->swarm_off >> op_swarm_bit(o.code) & 1u)
        return fail(ps, "'%s' is switched off by the swarm directive (line %zu)",
                    op_info[o.code].word, ps->swarm_line);
    if (p->len == 0) {
        size_t line = ps->line;
        if (check_config(ps) != 0)
            return -1;
        ps->line = line;
    }
    if (op_has(o.code, OPF_RESOURCE)) {
        if (expect_operands(ps, 2) || parse_resource(ps, 1, &o.resource) ||
            parse_u32(ps, 2, "operand", &o.operand))
            return -1;
    } else if (expect_operands(ps, 0)) {
        return -1;
    }
    if (program_push(p, o) != 0)
        return fail(ps, "out of memory");
    return 0;
}

/* Room for more words on a line, up to MAX_TOKENS (then more_tokens). */
static int grow_tokens(parser *ps)
{
    if (ps->token_cap == MAX_TOKENS)
        return 0;
    size_t cap = ps->token_cap ? ps->token_cap * 2 : 16;
    cap = cap < MAX_TOKENS ? cap : MAX_TOKENS;
    const char **tokens = realloc(ps->tokens, cap * sizeof *tokens);
    if (tokens != NULL)
        ps->tokens = tokens;
    size_t *lens = tokens == NULL ? NULL
                                  : realloc(ps->token_len, cap * sizeof *lens);
    if (lens == NULL)
        return fail(ps, "out of memory");
    ps->token_len = lens;
    ps->token_cap = cap;
    return 0;
}

/* Splits one line into tokens; a '#' starts a comment. */
static int tokenize(parser *ps, const char *s, size_t len)
{
    ps->ntokens = 0;
    ps->more_tokens = 0;
    size_t k = 0;
    while (k < len) {
        char c = s[k];
        if (c == '#')
            break;
        if (c == ' ' || c == '\t' || c == '\r') {
            k++;
            continue;
        }
        if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
            return fail(ps, "unexpected byte 0x%02x", (unsigned char)c);
        size_t start = k;
        while (k < len && s[k] != ' ' && s[k] != '\t' && s[k] != '\r' &&
               s[k] != '#' && (unsigned char)s[k] >= 0x20 &&
               (unsigned char)s[k] < 0x7f)
            k++;
        if (ps->ntokens == ps->token_cap && grow_tokens(ps) != 0)
            return -1;
        if (ps->ntokens == MAX_TOKENS) {
            ps->more_tokens = 1;
            continue;
        }
        ps->tokens[ps->ntokens] = s + start;
        ps->token_len[ps->ntokens] = k - start;
        ps->ntokens++;
    }
    return 0;
}

int program_parse(const char *text, size_t len, const char *name, program *p,
                  char *err, size_t err_size)
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.name = name;
    ps.err = err;
    ps.err_size = err_size;
    ps.p = p;
    if (err_size > 0)
        err[0] = '\0';

    size_t at = 0;
    int status = grow_tokens(&ps);
    while (at < len && status == 0) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        ps.line++;
        status = tokenize(&ps, text + at, end - at);
        if (status == 0 && ps.ntokens > 0)
            status = parse_line(&ps);
        at = end + 1;
    }
    if (status == 0 && p->len == 0) {
        /* A script of directives only still has to be consistent. */
        ps.line = ps.line ? ps.line : 1;
        status = check_config(&ps);
    }
    free(ps.tokens);
    free(ps.token_len);
    if (status != 0) {
        program_free(p);
        program_init(p);
    }
    return status;
}

/* ---- Printing --------------------------------------------------------- */

static void format_resource(uint32_t resource, char *buf, size_t size)
{
    if (resource == RT_HOST)
        snprintf(buf, size, "host");
    else
        snprintf(buf, size, "t%" PRIu32, resource);
}

void op_format(const op *o, char *buf, size_t size)
{
    char times[24] = "";
    if (o->repeat > 1)
        snprintf(times, sizeof times, "%s %" PRIu32 " ",
                 o->same ? "again" : "repeat", o->repeat);
    if (!op_takes_resource(o->code)) {
        snprintf(buf, size, "%s%s", times, op_name(o->code));
        return;
    }
    char resource[16];
    format_resource(o->resource, resource, sizeof resource);
    snprintf(buf, size, "%s%s %s %" PRIu32, times, op_name(o->code), resource,
             o->operand);
}

void result_format(const op_result *r, char *buf, size_t size)
{
    if (r->status != RT_OK)
        snprintf(buf, size, "error %s", rt_status_name(r->status));
    else if (r->kind == RESULT_VALUE)
        snprintf(buf, size, "ok %" PRIu32, r->value);
    else if (r->kind == RESULT_BORROW)
        snprintf(buf, size, "ok none");
    else
        snprintf(buf, size, "ok");
}

int result_equal(const op_result *a, const op_result *b)
{
    if (a->status != b->status || a->misbehaviour != NULL ||
        b->misbehaviour != NULL)
        return 0;
    if (a->status != RT_OK)
        return 1;
    return a->kind == b->kind && (a->kind != RESULT_VALUE || a->value == b->value);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void emit(text_sink sink, void *user, const char *fmt, ...)
{
    char line[128];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    if (n > 0)
        sink(user, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void program_print(const program *p, size_t count, text_sink sink, void *user)
{
    if (p->semantics != RT_SEMANTICS_WASMTIME35)
        emit(sink, user, "semantics %s\n", semantics_name(p->semantics));
    emit(sink, user, "instances %" PRIu32 "\n", p->instances);
    emit(sink, user, "types");
    for (uint32_t ty = 0; ty < p->types; ty++)
        emit(sink, user, " %" PRIu32, p->type_instance[ty]);
    emit(sink, user, "\n");
    if (p->limit != program_default_limit(p->semantics))
        emit(sink, user, "limit %" PRIu32 "\n", p->limit);
    if (p->max_lends != PROGRAM_DEFAULT_MAX_LENDS)
        emit(sink, user, "max_lends %" PRIu32 "\n", p->max_lends);
    if (p->swarm_off != 0) {
        emit(sink, user, "swarm");
        for (int code = 0; code < OP_COUNT; code++) {
            if (!(p->swarm_off >> op_swarm_bit((op_code)code) & 1u))
                emit(sink, user, " %s", op_info[code].word);
        }
        emit(sink, user, "\n");
    }
    if (p->has_fail_at)
        emit(sink, user, "fail_at %" PRIu32 "\n", p->fail_at);
    if (p->has_corrupt)
        emit(sink, user, "corrupt %s %" PRIu32 "\n", p->corrupt,
             p->corrupt_victim);
    size_t n = count < p->len ? count : p->len;
    for (size_t i = 0; i < n; i++) {
        char line[OP_TEXT_MAX];
        op_format(&p->ops[i], line, sizeof line);
        emit(sink, user, "%s\n", line);
    }
}

/* ---- Running ---------------------------------------------------------- */

/* What a failing call must leave in its out-parameters: untouched. */
#define UNWRITTEN UINT32_C(0xA5A5A5A5)

op_result op_run(const rt_impl *impl, void *self, const op *o)
{
    op_result r = {RT_OK, RESULT_VALUE, UNWRITTEN, NULL};
    int destructor_due = -1;
    switch (o->code) {
    case OP_NEW:
        r.status = impl->resource_new(self, o->resource, o->operand, &r.value);
        break;
    case OP_LOWER_OWN:
        r.status = impl->lower_own(self, o->resource, o->operand, &r.value);
        break;
    case OP_LOWER_BORROW:
        r.status = impl->lower_borrow(self, o->resource, o->operand, &r.value);
        break;
    case OP_REP:
        r.status = impl->resource_rep(self, o->resource, o->operand, &r.value);
        break;
    case OP_DROP:
        r.status = impl->resource_drop(self, o->resource, o->operand,
                                       &destructor_due, &r.value);
        if (r.status == RT_OK && destructor_due == 0) {
            r.kind = RESULT_BORROW;
            r.value = 0;
        } else if (r.status == RT_OK && destructor_due != 1) {
            r.misbehaviour = "succeeded without setting *destructor_due to 0 "
                             "or 1";
        }
        break;
    case OP_LIFT_OWN:
        r.status = impl->lift_own(self, o->resource, o->operand, &r.value);
        break;
    case OP_LIFT_BORROW:
        r.status = impl->lift_borrow(self, o->resource, o->operand, &r.value);
        break;
    case OP_ENTER:
        r.status = impl->call_enter(self);
        r.kind = RESULT_NONE;
        break;
    case OP_EXIT:
        r.status = impl->call_exit(self);
        r.kind = RESULT_NONE;
        break;
    case OP_COUNT:
        r.status = RT_INVALID;
        break;
    }
    if ((unsigned)r.status >= RT_STATUS_COUNT)
        r.misbehaviour = "returned a value that is not an rt_status";
    else if (r.status != RT_OK &&
             (r.value != UNWRITTEN || destructor_due != -1))
        r.misbehaviour = "failed but wrote an out-parameter (restab_impl.h: "
                         "out-parameters are written only on success)";
    if (r.misbehaviour != NULL)
        r.status = RT_INVALID;
    if (r.status != RT_OK) {
        r.kind = RESULT_NONE;
        r.value = 0;
    }
    return r;
}
