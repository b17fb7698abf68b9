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
/* The longest corruption name, with its NUL. */
#define PROGRAM_NAME_MAX 32
#define PROGRAM_DEFAULT_LIMIT (UINT32_C(1) << 30)
/* The spec profile's default: its largest handle is 2^28 - 1. */
#define PROGRAM_SPEC_DEFAULT_LIMIT (UINT32_C(1) << 28)
#define PROGRAM_DEFAULT_MAX_LENDS UINT32_MAX

/*
 * Every fact about an operation, in one place:
 * X(NAME, .ops word, rt_impl function, flags)
 * with flags from OPF_* below. The decoder, mutator and runner read them
 * through op_has().
 */
#define OPF_RESOURCE 1u /* takes a resource and an operand */
#define OPF_REP 2u      /* the operand is a rep (else a handle) */
#define OPF_TABLE 4u    /* may change a table's size or next handle */
#define OPF_SCOPE 8u    /* may change a scope's counts or lender records */
#define OPF_GROWS 16u   /* on success adds a slot, a lender record or a scope */
#define OP_MAP(X)                                                              \
    X(NEW, "new", "resource_new",                                              \
      OPF_RESOURCE | OPF_REP | OPF_TABLE | OPF_GROWS)                          \
    X(LOWER_OWN, "lower_own", "lower_own",                                     \
      OPF_RESOURCE | OPF_REP | OPF_TABLE | OPF_GROWS)                          \
    X(LOWER_BORROW, "lower_borrow", "lower_borrow",                            \
      OPF_RESOURCE | OPF_REP | OPF_TABLE | OPF_SCOPE | OPF_GROWS)              \
    X(REP, "rep", "resource_rep", OPF_RESOURCE)                                \
    X(DROP, "drop", "resource_drop", OPF_RESOURCE | OPF_TABLE | OPF_SCOPE)     \
    X(LIFT_OWN, "lift_own", "lift_own", OPF_RESOURCE | OPF_TABLE)              \
    X(LIFT_BORROW, "lift_borrow", "lift_borrow",                               \
      OPF_RESOURCE | OPF_SCOPE | OPF_GROWS)                                    \
    X(ENTER, "enter", "call_enter", OPF_SCOPE | OPF_GROWS)                     \
    X(EXIT, "exit", "call_exit", OPF_SCOPE)

typedef enum op_code {
#define OP_ENUM_(name, word, function, flags) OP_##name,
    OP_MAP(OP_ENUM_)
#undef OP_ENUM_
        OP_COUNT
} op_code;

/* One operation: resource and operand are unused (0) for enter and exit;
   the operand is a rep for new/lower_own/lower_borrow, else a handle.
   With repeat N (2 .. PROGRAM_MAX_REPEAT) it stands for N operations, the
   operand advancing by 1 each time (`repeat 40 new t0 7`: reps 7 .. 46;
   `repeat 40 drop t0 1`: handles 1 .. 40; `repeat 16 enter`), or with
   `same` set keeping it (`again 64 lift_borrow t0 1`: 64 lends of one). */
typedef struct op {
    op_code code;
    uint32_t resource; /* type index or RT_HOST */
    uint32_t operand;
    uint32_t repeat; /* 0: once */
    uint32_t same;   /* 1: every repetition has the same operand */
} op;

/* The most operations one repeat stands for: one past 1024, the largest
   size boundary the byte format aims at (fuzz/FORMAT.md). */
#define PROGRAM_MAX_REPEAT 1025u

typedef struct program {
    rt_semantics semantics;
    uint32_t instances;
    uint32_t types;
    uint32_t *type_instance; /* [types] */
    uint32_t limit;
    uint32_t max_lends;
    /* The inputs of some targets carry one more fact before the program
       (fuzz/targets.txt): which allocation fails (`fail_at N`, restab_oom
       and every <impl>_oom), or which corruption is planted where
       (`corrupt NAME VICTIM`, restab_corrupt). */
    /* Swarm testing: the operation kinds this input switches off (bit
       op_swarm_bit(code)); 0: all on. Only decoding reads it (a byte
       input's header, fuzz/FORMAT.md); a script gives it as `swarm` and
       the kinds left on. */
    uint8_t swarm_off;
    int has_fail_at;
    uint32_t fail_at; /* 1: the first allocation; 0: none */
    int has_corrupt;
    char corrupt[PROGRAM_NAME_MAX]; /* a corruption's name */
    uint32_t corrupt_victim;        /* 0 .. 255 */
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
    /* NULL, or how the implementation broke restab_impl.h's rules in this
       call (then status is RT_INVALID and the result never matches). */
    const char *misbehaviour;
} op_result;

/* The longest line op_format or result_format writes, with its NUL. */
#define OP_TEXT_MAX 48

/* The default handle limit of a profile. */
uint32_t program_default_limit(rt_semantics semantics);
/* The .ops word of a profile ("spec", "wasmtime35"). */
const char *semantics_name(rt_semantics semantics);

const char *op_name(op_code code);
/* The swarm bit of an operation kind: new, lower_own, lower_borrow, rep,
   drop, lift_own, lift_borrow are bits 0-6; enter and exit share bit 7. */
unsigned op_swarm_bit(op_code code);
/* code, or when swarm_off switches its kind off the next kind (in code
   order, wrapping) that is on; code itself when all are off. */
op_code op_swarm_allow(uint8_t swarm_off, op_code code);

/* How many operations p stands for, repeats expanded. */
size_t program_steps(const program *p);
/* How many operations o stands for (1, or its repeat count). */
uint32_t op_times(const op *o);
/* The k-th operation o stands for (0 <= k < op_times(o)): o without its
   repeat, the operand advanced by k (wrapping around 2^32). */
op op_repetition(const op *o, uint32_t k);

/* The OPERATION field of a signature (signature.h) for a step: its .ops
   name, with ".high-handle" when it takes a handle of 2^31 or more (the
   top bit set). Implementations that shift, sign-extend or index with a
   handle fail there, and the mark keeps that cause apart from the same
   outcome at an ordinary handle. */
void op_signature_name(const op *o, char *buf, size_t size);

/* The rt_impl function that runs an operation ("resource_drop"). */
const char *op_function(op_code code);
/* 1 when the operation has every flag of `flags` (OPF_*). */
int op_has(op_code code, unsigned flags);
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
