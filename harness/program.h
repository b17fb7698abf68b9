/*
 * Programs: a table-set configuration plus a sequence of operations. Every
 * tool and fuzz target works on programs: .ops scripts parse into them, byte
 * inputs decode into them (decode.h), and they print back as .ops scripts.
 */
#ifndef RESTAB_FUZZ_PROGRAM_H
#define RESTAB_FUZZ_PROGRAM_H

#include "restab_impl.h"

#include <stddef.h>
#include <stdint.h>

/* Bounds a script may ask for; larger values are rejected as out of range. */
#define PROGRAM_MAX_INSTANCES 65536u
#define PROGRAM_MAX_TYPES 65536u

#define PROGRAM_DEFAULT_INSTANCES 2u
#define PROGRAM_DEFAULT_LIMIT (UINT32_C(1) << 30)
/* The spec profile's default: its largest handle is 2^28 - 1. */
#define PROGRAM_SPEC_DEFAULT_LIMIT (UINT32_C(1) << 28)
#define PROGRAM_DEFAULT_MAX_LENDS UINT32_MAX

/* X(NAME, word, takes a resource and operand, operand is a rep) */
#define OP_MAP(X)                                                              \
    X(NEW, "new", 1, 1)                                                        \
    X(LOWER_OWN, "lower_own", 1, 1)                                            \
    X(LOWER_BORROW, "lower_borrow", 1, 1)                                      \
    X(REP, "rep", 1, 0)                                                        \
    X(DROP, "drop", 1, 0)                                                      \
    X(LIFT_OWN, "lift_own", 1, 0)                                              \
    X(LIFT_BORROW, "lift_borrow", 1, 0)                                        \
    X(ENTER, "enter", 0, 0)                                                    \
    X(EXIT, "exit", 0, 0)

typedef enum op_code {
#define OP_ENUM_(name, word, operands, rep) OP_##name,
    OP_MAP(OP_ENUM_)
#undef OP_ENUM_
        OP_COUNT
} op_code;

/* One operation: resource and operand are unused (0) for enter and exit;
   the operand is a rep for new/lower_own/lower_borrow, else a handle. */
typedef struct op {
    op_code code;
    uint32_t resource; /* type index or RT_HOST */
    uint32_t operand;
} op;

typedef struct program {
    rt_semantics semantics;
    uint32_t instances;
    uint32_t types;
    uint32_t *type_instance; /* [types] */
    uint32_t limit;
    uint32_t max_lends;
    op *ops;
    size_t len;
    size_t cap;
} program;

/* What an operation returned. */
typedef enum result_kind {
    RESULT_NONE,     /* enter, exit: "ok" */
    RESULT_VALUE,    /* a handle or rep: "ok N" */
    RESULT_BORROW    /* drop of a borrow: "ok none" */
} result_kind;

typedef struct op_result {
    rt_status status;
    result_kind kind; /* only for RT_OK */
    uint32_t value;   /* only for RESULT_VALUE */
} op_result;

/* The longest line op_format or result_format writes, with its NUL. */
#define OP_TEXT_MAX 48

/* The default handle limit of a profile. */
uint32_t program_default_limit(rt_semantics semantics);
/* The .ops word of a profile ("spec", "wasmtime35"). */
const char *semantics_name(rt_semantics semantics);

const char *op_name(op_code code);
int op_takes_resource(op_code code);

/* An empty program with the default configuration. */
void program_init(program *p);
void program_free(program *p);
/* Sets the configuration; type_instance is copied. 0, or -1 when out of
   memory. */
int program_set_types(program *p, uint32_t types, const uint32_t *type_instance);
/* Appends an operation; 0, or -1 when out of memory. */
int program_push(program *p, op o);
/* 1 when the configurations and operations are the same. */
int program_equal(const program *a, const program *b);
/* The rt_config of the program (pointing into p). */
rt_config program_config(const program *p);

/*
 * Parses a .ops script of len bytes (not necessarily NUL-terminated). On
 * success fills *p (which must be program_init'ed) and returns 0; otherwise
 * writes "NAME:LINE: reason" to err and returns -1, with *p emptied.
 */
int program_parse(const char *text, size_t len, const char *name, program *p,
                  char *err, size_t err_size);

/* One operation as its .ops line, without a newline ("drop t0 3"). */
void op_format(const op *o, char *buf, size_t size);

/* A result as its .ops output line ("ok 3", "error wrong-type"). */
void result_format(const op_result *r, char *buf, size_t size);

/* 1 when two results are the same observable outcome. */
int result_equal(const op_result *a, const op_result *b);

/* Receives text, like fwrite to a stream. */
typedef void (*text_sink)(void *user, const char *text, size_t len);

/* Writes the whole program as a .ops script: the directives, then the first
   `count` operations (all of them when count > len). */
void program_print(const program *p, size_t count, text_sink sink, void *user);

/* Runs one operation on an implementation. */
op_result op_run(const rt_impl *impl, void *self, const op *o);

#endif /* RESTAB_FUZZ_PROGRAM_H */
