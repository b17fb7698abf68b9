/*
 * Byte inputs <-> programs (fuzz/FORMAT.md).
 *
 * Every byte string decodes to a valid program: decoding is total and
 * deterministic, and running out of bytes simply ends the program. Operands
 * are resolved against the state of a model implementation ("the handle the
 * table issued most recently", "the third live slot", ...), so decoding runs
 * a model alongside. The stepping API lets a harness decode while it runs its
 * own model instance:
 *
 *     decoder d;
 *     if (decoder_begin(&d, data, size, &p) != 0) ...;
 *     rt_config cfg = program_config(&p);
 *     model->create(&cfg, &self);
 *     op o;
 *     while (decoder_next(&d, model, self, &o)) {
 *         op_result r = op_run(model, self, &o);
 *         decoder_observe(&d, &o, &r);
 *         ...
 *     }
 *     decoder_end(&d);
 *
 * encode_program() is the inverse: it turns any valid program into bytes that
 * decode back to exactly that program.
 */
#ifndef RESTAB_FUZZ_DECODE_H
#define RESTAB_FUZZ_DECODE_H

#include "restab_impl.h"
#include "program.h"

#include <stddef.h>
#include <stdint.h>

/* A byte input decodes to at most this many operations. */
#define DECODE_MAX_OPS 4096

/* How many handles each table remembers as "recently issued". */
#define DECODE_RECENT 8

/* Room for decoder state inside the decoder itself: every table of a
   compact configuration (at most 4 instances plus the host table), indexed
   by table number, or the first slots of the map that larger
   configurations use (a power of two). */
#define DECODE_INLINE_TABLES 8

/* Per-table decoder state. Private. */
typedef struct decode_table {
    uint32_t recent[DECODE_RECENT]; /* ring of issued handles */
    uint32_t freed;                 /* most recently freed handle, 0: none */
    uint32_t key;                   /* in a map: table number + 1, 0: empty */
    uint8_t head;                   /* ring index of the most recent one */
    uint8_t count;                  /* ring entries in use */
} decode_table;

/* The decoder. Callers allocate it (for example on the stack); the fields are
   private. Nothing is allocated for compact configurations. Larger ones keep
   the state of the tables the operations use in an open-addressing map,
   which allocates only past DECODE_INLINE_TABLES / 2 tables used, so the
   cost follows the tables used and not the tables declared. */
typedef struct decoder {
    const uint8_t *data;
    size_t size;
    size_t pos;
    size_t decoded;                 /* operations produced so far */
    uint32_t instances;
    uint32_t types;
    const uint32_t *type_instance;  /* points into the program */
    uint32_t limit;
    rt_semantics semantics;         /* the header's profile */
    uint32_t last_rep;              /* the last rep operand produced */
    unsigned resource_bytes;        /* 1, 2 or 3 */
    uint8_t swarm_off;              /* the kinds switched off (program.h) */
    int done;
    int direct;                     /* tables[] is indexed by table number */
    decode_table *tables;           /* direct: [instances + 1]; else the map */
    size_t map_cap;                 /* the map's slots, a power of two */
    size_t map_used;                /* its tables */
    decode_table inline_tables[DECODE_INLINE_TABLES];
} decoder;

/*
 * Reads the header (configuration) of data into p's configuration fields
 * (instances, types and type_instance via program_set_types, limit,
 * max_lends); p->ops is untouched. p must stay alive, with its configuration
 * unchanged, until decoder_end. Returns 0, or -1 when out of memory (then
 * decoder_next returns 0 at once and decoder_end is still allowed).
 */
int decoder_begin(decoder *d, const uint8_t *data, size_t size, program *p);

/*
 * Decodes the next operation using the current observable state of the
 * model (an rt_impl and its instance, created from program_config(p)).
 * Returns 1 and fills *out, or 0 at the end: bytes exhausted (including a
 * truncated operation, which is dropped) or DECODE_MAX_OPS reached.
 */
int decoder_next(decoder *d, const rt_impl *model, const void *self, op *out);

/* Tells the decoder what the operation did on the model, so it can remember
   issued and freed handles. Call it after running each decoded operation. */
void decoder_observe(decoder *d, const op *o, const op_result *r);

/* Frees what decoder_begin allocated. */
void decoder_end(decoder *d);

/*
 * Whole-input convenience: decodes data into p (program_init'ed; its
 * operations are replaced) by running the model (the oracle). Returns 0, or
 * -1 when out of memory or the model cannot be created; then p holds the
 * configuration and no operations.
 */
int decode_program(const uint8_t *data, size_t size, const rt_impl *model,
                   program *p);
/* decode_program with the operations run in profile `as` instead of the
   input's own (RT_SEMANTICS_COUNT: its own), as run_bytes runs an input of
   a profile the implementation lacks (run.h, run_profile); p->semantics is
   then `as`. */
int decode_program_as(const uint8_t *data, size_t size, const rt_impl *model,
                      rt_semantics as, program *p);

/*
 * Encodes p as bytes that decode_program turns back into a program equal to
 * p (program_equal). *out is malloc'ed; the caller frees it. Returns 0, or -1
 * when out of memory, when p is not valid (a type in a missing instance, an
 * unknown resource or code, enter/exit with a nonzero resource or operand)
 * or when it has more than DECODE_MAX_OPS operations.
 */
int encode_program(const program *p, const rt_impl *model, uint8_t **out,
                   size_t *out_size);

#endif /* RESTAB_FUZZ_DECODE_H */
