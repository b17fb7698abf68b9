/*
 * An op-level custom mutator for restab_ops inputs.
 *
 * Byte-level mutations of a fuzz input mostly change one instruction's bytes
 * (fuzz/FORMAT.md, "Locality"). This mutator works one level up: it decodes
 * the input into a program (decode_program), changes the program -- inserts,
 * deletes, duplicates or swaps operations, points an operand at a live,
 * adjacent, freed or foreign handle, changes a resource, an operation or a
 * rep, wraps a stretch in enter/exit, tweaks the configuration -- and encodes
 * the result again (encode_program), so every output is a program that
 * differs structurally from its input.
 *
 * The same mutator serves libFuzzer (LLVMFuzzerCustomMutator and
 * LLVMFuzzerCustomCrossOver, defined in mutator.c and linked into
 * restab_ops_mut) and AFL++ (afl_mutator.c, built as the shared library
 * restab_afl_mutator for AFL_CUSTOM_MUTATOR_LIBRARY).
 *
 * Everything is deterministic given the input bytes and the seed; no state
 * survives a call.
 */
#ifndef RESTAB_FUZZ_MUTATOR_H
#define RESTAB_FUZZ_MUTATOR_H

#include "program.h"

#include <stddef.h>
#include <stdint.h>

/* A byte-level mutator with libFuzzer's LLVMFuzzerMutate contract: mutates
   data[0..size) in place (capacity max_size) and returns the new size. */
typedef size_t (*mutator_bytes_fn)(uint8_t *data, size_t size, size_t max_size);

/*
 * Applies one to four random structural mutations to p, which must be a
 * valid program (encodable: every resource exists, enter/exit carry no
 * operands). p stays valid and at most DECODE_MAX_OPS operations long.
 * *first_changed receives the index of the first operation that may differ
 * (0 when the configuration changed). Returns 0, or -1 when out of memory
 * (p is then still valid).
 */
int mutator_mutate_program(program *p, uint64_t seed, size_t *first_changed);

/*
 * Mutates the input data[0..size) in place (its buffer holds max_size bytes)
 * and returns the new size, at most max_size. Decodes, mutates the program,
 * re-encodes; when the encoding does not fit, keeps the prefix that does if
 * the change lies inside it. Uses `bytes` (may be NULL: a small built-in
 * byte mutator) when the program route fails, and, for diversity, for one
 * call in five when it is not NULL.
 */
size_t mutator_mutate(uint8_t *data, size_t size, size_t max_size,
                      unsigned seed, mutator_bytes_fn bytes);

/*
 * Writes to out (capacity max_out) a program spliced from the programs of a
 * and b: a's configuration, a's operations with a stretch of b's inserted or
 * replacing a's tail (b's resources mapped into a's configuration). Returns
 * the size written, at most max_out.
 */
size_t mutator_cross_over(const uint8_t *a, size_t a_size, const uint8_t *b,
                          size_t b_size, uint8_t *out, size_t max_out,
                          unsigned seed);

/* libFuzzer's hooks (mutator.c). */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
                                 const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size,
                                 unsigned int seed);

/* AFL++'s custom mutator API (afl_mutator.c); `afl` is afl_state_t *. */
void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size,
                       unsigned char **out_buf, unsigned char *add_buf,
                       size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

#endif /* RESTAB_FUZZ_MUTATOR_H */
