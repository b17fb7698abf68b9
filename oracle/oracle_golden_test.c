/*
 * Replays .ops scripts on the oracle alone and compares each output line with
 * the sibling .expected file, running check() after every operation.
 *
 * It carries its own small .ops reader and its own kind words so that a
 * mistake shared with the project's replay tool or rt_status_name cannot hide
 * a mistake in the oracle.
 *
 * Usage: oracle-golden-test FILE.ops...
 * Prints the outputs on stdout, diagnostics on stderr; exits 0 when every
 * script matches, 1 on a mismatch or broken invariant, 2 on a malformed
 * script or unreadable file.
 */
#include "oracle.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 4096

typedef enum op_kind {
    OP_NEW,
    OP_LOWER_OWN,
    OP_LOWER_BORROW,
    OP_REP,
    OP_DROP,
    OP_LIFT_OWN,
    OP_LIFT_BORROW,
    OP_ENTER,
    OP_EXIT
} op_kind;

static const struct {
    const char *word;
    op_kind kind;
    int operands; /* resource and a number, or nothing */
} op_words[] = {
    {"new", OP_NEW, 1},
    {"lower_own", OP_LOWER_OWN, 1},
    {"lower_borrow", OP_LOWER_BORROW, 1},
    {"rep", OP_REP, 1},
    {"drop", OP_DROP, 1},
    {"lift_own", OP_LIFT_OWN, 1},
    {"lift_borrow", OP_LIFT_BORROW, 1},
    {"enter", OP_ENTER, 0},
    {"exit", OP_EXIT, 0},
};

typedef struct op {
    op_kind kind;
    uint32_t resource;
    uint32_t number; /* rep or handle */
    unsigned line;
} op;

typedef struct script {
    const char *path;
    uint32_t instances;
    uint32_t *types; /* instance of each type */
    uint32_t num_types;
    int types_given;
    uint32_t limit;
    op *ops;
    size_t num_ops;
} script;

/* Written out by hand on purpose: see the file comment. */
static const char *kind_word(rt_status st)
{
    switch (st) {
    case RT_OK: return "ok";
    case RT_UNKNOWN_HANDLE: return "unknown-handle";
    case RT_WRONG_TYPE: return "wrong-type";
    case RT_BORROWED: return "borrowed";
    case RT_NOT_OWN: return "not-own";
    case RT_BORROWS_REMAIN: return "borrows-remain";
    case RT_HANDLE_OVERFLOW: return "handle-overflow";
    case RT_NO_SCOPE: return "no-scope";
    case RT_OUT_OF_MEMORY: return "out-of-memory";
    case RT_LEND_OVERFLOW: return "lend-overflow";
    case RT_INVALID: return "invalid-argument";
    case RT_STATUS_COUNT: break;
    }
    return "?";
}

/* ---- reading scripts --------------------------------------------------- */

static int malformed(const script *s, unsigned line, const char *why,
                     const char *word)
{
    fprintf(stderr, "%s:%u: %s%s%s\n", s->path, line, why,
            word ? ": " : "", word ? word : "");
    return -1;
}

/* Strict decimal uint32: digits only, no sign, no overflow. */
static int parse_u32(const char *word, uint32_t *out)
{
    uint64_t v = 0;

    if (word == NULL || *word == '\0')
        return -1;
    for (; *word; word++) {
        if (*word < '0' || *word > '9')
            return -1;
        v = v * 10 + (uint64_t)(*word - '0');
        if (v > UINT32_MAX)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int parse_resource(const script *s, const char *word, uint32_t *out)
{
    if (word == NULL)
        return -1;
    if (strcmp(word, "host") == 0) {
        *out = RT_HOST;
        return 0;
    }
    if (word[0] != 't' || parse_u32(word + 1, out) != 0)
        return -1;
    return *out < s->num_types ? 0 : -1;
}

static int add_type(script *s, uint32_t instance)
{
    uint32_t *t = realloc(s->types, ((size_t)s->num_types + 1) * sizeof *t);

    if (t == NULL)
        return -1;
    s->types = t;
    s->types[s->num_types++] = instance;
    return 0;
}

static int add_op(script *s, op o)
{
    op *ops = realloc(s->ops, (s->num_ops + 1) * sizeof *ops);

    if (ops == NULL)
        return -1;
    s->ops = ops;
    s->ops[s->num_ops++] = o;
    return 0;
}

/* Settles the defaults once the first operation arrives. */
static int finish_directives(script *s, unsigned line)
{
    uint32_t k;

    if (!s->types_given && (add_type(s, 0) || add_type(s, 0) || add_type(s, 1)))
        return malformed(s, line, "out of memory", NULL);
    s->types_given = 1;
    for (k = 0; k < s->num_types; k++)
        if (s->types[k] >= s->instances)
            return malformed(s, line, "a type names a missing instance", NULL);
    return 0;
}

static int parse_directive(script *s, unsigned line, const char *word,
                           char **rest)
{
    uint32_t v;
    char *arg = strtok(NULL, " \t\r\n");

    if (strcmp(word, "types") == 0) {
        s->num_types = 0;
        s->types_given = 1;
        for (; arg != NULL; arg = strtok(NULL, " \t\r\n"))
            if (parse_u32(arg, &v) != 0 || add_type(s, v) != 0)
                return malformed(s, line, "bad type instance", arg);
        return 0;
    }
    if (parse_u32(arg, &v) != 0)
        return malformed(s, line, "missing or bad operand", arg);
    if (strcmp(word, "instances") == 0)
        s->instances = v;
    else
        s->limit = v;
    *rest = strtok(NULL, " \t\r\n");
    return 0;
}

static int is_directive(const char *word)
{
    return strcmp(word, "instances") == 0 || strcmp(word, "types") == 0 ||
           strcmp(word, "limit") == 0;
}

static int parse_op(script *s, unsigned line, const char *word, char **rest)
{
    size_t i;
    op o;

    memset(&o, 0, sizeof o);
    o.line = line;
    for (i = 0; i < sizeof op_words / sizeof op_words[0]; i++)
        if (strcmp(word, op_words[i].word) == 0)
            break;
    if (i == sizeof op_words / sizeof op_words[0])
        return malformed(s, line, "unknown word", word);
    if (s->num_ops == 0 && finish_directives(s, line) != 0)
        return -1;
    o.kind = op_words[i].kind;
    if (op_words[i].operands) {
        char *res = strtok(NULL, " \t\r\n");
        char *num = strtok(NULL, " \t\r\n");
        if (parse_resource(s, res, &o.resource) != 0)
            return malformed(s, line, "missing or bad resource", res);
        if (parse_u32(num, &o.number) != 0)
            return malformed(s, line, "missing or bad number", num);
    }
    *rest = strtok(NULL, " \t\r\n");
    return add_op(s, o) == 0 ? 0 : malformed(s, line, "out of memory", NULL);
}

static int parse_line(script *s, unsigned line, char *text)
{
    char *hash = strchr(text, '#');
    char *word;
    char *rest = NULL;
    int r;

    if (hash != NULL)
        *hash = '\0';
    word = strtok(text, " \t\r\n");
    if (word == NULL)
        return 0;
    if (is_directive(word)) {
        if (s->num_ops > 0)
            return malformed(s, line, "directive after an operation", word);
        r = parse_directive(s, line, word, &rest);
    } else {
        r = parse_op(s, line, word, &rest);
    }
    if (r == 0 && rest != NULL)
        return malformed(s, line, "extra operand", rest);
    return r;
}

static int read_script(script *s, const char *path)
{
    char text[MAX_LINE];
    unsigned line = 0;
    FILE *f = fopen(path, "r");
    int r = 0;

    memset(s, 0, sizeof *s);
    s->path = path;
    s->instances = 2;
    s->limit = UINT32_C(1) << 30;
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    while (r == 0 && fgets(text, sizeof text, f) != NULL) {
        line++;
        if (strchr(text, '\n') == NULL && !feof(f))
            r = malformed(s, line, "line too long", NULL);
        else
            r = parse_line(s, line, text);
    }
    fclose(f);
    if (r == 0 && s->num_ops == 0)
        r = finish_directives(s, line);
    return r;
}

static void free_script(script *s)
{
    free(s->types);
    free(s->ops);
}

/* ---- expected output --------------------------------------------------- */

typedef struct lines {
    char **items;
    size_t count;
} lines;

static void free_lines(lines *l)
{
    size_t i;

    for (i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
}

static int read_lines(const char *path, lines *out)
{
    char text[MAX_LINE];
    FILE *f = fopen(path, "r");
    char **items;

    out->items = NULL;
    out->count = 0;
    if (f == NULL)
        return -1;
    while (fgets(text, sizeof text, f) != NULL) {
        text[strcspn(text, "\r\n")] = '\0';
        items = realloc(out->items, (out->count + 1) * sizeof *items);
        if (items == NULL)
            break;
        out->items = items;
        out->items[out->count] = malloc(strlen(text) + 1);
        if (out->items[out->count] == NULL)
            break;
        strcpy(out->items[out->count++], text);
    }
    fclose(f);
    return 0;
}

/* FILE.ops -> FILE.expected, in a buffer the caller frees. */
static char *expected_path(const char *ops_path)
{
    size_t n = strlen(ops_path);
    size_t stem = n >= 4 && strcmp(ops_path + n - 4, ".ops") == 0 ? n - 4 : n;
    char *p = malloc(stem + sizeof ".expected");

    if (p != NULL) {
        memcpy(p, ops_path, stem);
        strcpy(p + stem, ".expected");
    }
    return p;
}

/* ---- running ----------------------------------------------------------- */

static rt_status run_op(void *t, const op *o, char *out, size_t out_size)
{
    uint32_t v = 0;
    int due = 0;
    rt_status st = RT_OK;

    switch (o->kind) {
    case OP_NEW: st = rt_oracle.resource_new(t, o->resource, o->number, &v); break;
    case OP_LOWER_OWN: st = rt_oracle.lower_own(t, o->resource, o->number, &v); break;
    case OP_LOWER_BORROW: st = rt_oracle.lower_borrow(t, o->resource, o->number, &v); break;
    case OP_REP: st = rt_oracle.resource_rep(t, o->resource, o->number, &v); break;
    case OP_DROP: st = rt_oracle.resource_drop(t, o->resource, o->number, &due, &v); break;
    case OP_LIFT_OWN: st = rt_oracle.lift_own(t, o->resource, o->number, &v); break;
    case OP_LIFT_BORROW: st = rt_oracle.lift_borrow(t, o->resource, o->number, &v); break;
    case OP_ENTER: st = rt_oracle.call_enter(t); break;
    case OP_EXIT: st = rt_oracle.call_exit(t); break;
    }
    if (st != RT_OK)
        snprintf(out, out_size, "error %s", kind_word(st));
    else if (o->kind == OP_ENTER || o->kind == OP_EXIT)
        snprintf(out, out_size, "ok");
    else if (o->kind == OP_DROP && !due)
        snprintf(out, out_size, "ok none");
    else
        snprintf(out, out_size, "ok %" PRIu32, v);
    return st;
}

/* 0 when every line matches and every check passes, 1 otherwise. */
static int replay(const script *s, void *t, const lines *want)
{
    char got[64];
    char msg[256];
    size_t i;
    int bad;

    for (i = 0; i < s->num_ops; i++) {
        run_op(t, &s->ops[i], got, sizeof got);
        printf("%s\n", got);
        if (i >= want->count || strcmp(got, want->items[i]) != 0) {
            fprintf(stderr, "%s:%u: got '%s', expected '%s'\n", s->path,
                    s->ops[i].line, got,
                    i < want->count ? want->items[i] : "(end of file)");
            return 1;
        }
        bad = rt_oracle.check(t, msg, sizeof msg);
        if (bad != 0) {
            fprintf(stderr, "%s:%u: check() = %d: %s\n", s->path,
                    s->ops[i].line, bad, msg);
            return 1;
        }
    }
    if (want->count != s->num_ops) {
        fprintf(stderr, "%s: %zu operations but %zu expected lines\n",
                s->path, s->num_ops, want->count);
        return 1;
    }
    return 0;
}

static int run_file(const char *path)
{
    script s;
    lines want;
    rt_config cfg;
    void *t = NULL;
    char *exp_path;
    int r;

    if (read_script(&s, path) != 0) {
        free_script(&s);
        return 2;
    }
    exp_path = expected_path(path);
    if (exp_path == NULL || read_lines(exp_path, &want) != 0) {
        fprintf(stderr, "%s: cannot read\n", exp_path ? exp_path : path);
        free(exp_path);
        free_script(&s);
        return 2;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.instances = s.instances;
    cfg.types = s.num_types;
    cfg.type_instance = s.types;
    cfg.limit = s.limit;
    cfg.max_lends = UINT32_MAX;
    if (rt_oracle.create(&cfg, &t) != RT_OK) {
        fprintf(stderr, "%s: create failed\n", path);
        r = 1;
    } else {
        r = replay(&s, t, &want);
        rt_oracle.destroy(t);
    }
    if (r == 0)
        fprintf(stderr, "%s: ok (%zu operations)\n", path, s.num_ops);
    free_lines(&want);
    free(exp_path);
    free_script(&s);
    return r;
}

int main(int argc, char **argv)
{
    int worst = 0;
    int r;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.ops...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        r = run_file(argv[i]);
        if (r > worst)
            worst = r;
    }
    return worst;
}
