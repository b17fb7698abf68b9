/*
 * The two-byte prefixes some targets read before the program
 * (fuzz/targets.txt), and their .ops directives: one codec for the targets,
 * the replay tool and corpus-encode, so no script reads input bytes.
 *
 *   fail_at   bytes 0-1, little-endian: which allocation fails (1 = the
 *             first, 0 = none); `fail_at N`. An input shorter than two
 *             bytes has no prefix (no allocation fails) and is all program.
 *   corrupt   byte 0: the corruption, as its index in the target's list
 *             (modulo its length); byte 1: the victim; `corrupt NAME V`.
 *             An input shorter than two bytes does nothing.
 */
#ifndef RESTAB_HARNESS_PREFIX_H
#define RESTAB_HARNESS_PREFIX_H

#include "program.h"

typedef enum prefix_kind { PREFIX_NONE, PREFIX_FAIL_AT, PREFIX_CORRUPT } prefix_kind;

/* The names of the corruptions, in index order (restab_corrupt's list). */
typedef struct prefix_names {
    const char *const *names;
    size_t count;
} prefix_names;

/* The prefix kind of a target kind ("oom", "corrupt"); PREFIX_NONE for the
   others. */
prefix_kind prefix_of_target(const char *target_kind);

/*
 * Reads the prefix of a byte input into p's fail_at or corrupt fields and
 * returns how many bytes it took (0 or 2); the program follows. For
 * PREFIX_CORRUPT an input shorter than 2 bytes returns SIZE_MAX: nothing
 * to run.
 */
size_t prefix_read(prefix_kind kind, const prefix_names *names,
                   const uint8_t *data, size_t size, program *p);

/*
 * The prefix bytes for p (which must carry the directive of `kind`): 0 or
 * 2 bytes written to out. -1 with a sentence in err when p lacks the
 * directive or names an unknown corruption.
 */
int prefix_write(prefix_kind kind, const prefix_names *names, const program *p,
                 uint8_t out[2], char *err, size_t err_size);

#endif /* RESTAB_HARNESS_PREFIX_H */
