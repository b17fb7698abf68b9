/*
 * The op-level mutator (mutator.h) as an AFL++ custom mutator:
 *
 *     AFL_CUSTOM_MUTATOR_LIBRARY=build/afl/fuzz/librestab_afl_mutator.so \
 *         afl-fuzz -i SEEDS -o OUT -- build/afl/fuzz/restab_ops
 *
 * Leave AFL_CUSTOM_MUTATOR_ONLY unset: AFL++ then runs this mutator as the
 * stage before havoc, and havoc (with the dictionary) still runs. One in
 * five calls with a splice partner cross programs over instead.
 *
 * fuzz/CMakeLists.txt builds this library uninstrumented and without
 * sanitizers: it is loaded into afl-fuzz itself, not into the target.
 */
#include "mutator.h"
#include "xorshift.h"

#include <stdlib.h>
#include <string.h>

typedef struct afl_mutator {
    uint64_t state;     /* xorshift64: one seed per call */
    unsigned char *buf; /* the output, owned here, reused */
    size_t cap;
} afl_mutator;

void *afl_custom_init(void *afl, unsigned int seed)
{
    (void)afl;
    afl_mutator *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->state = (uint64_t)seed ^ UINT64_C(0xD1B54A32D192ED03);
    if (m->state == 0)
        m->state = 1;
    return m;
}

static unsigned next_seed(afl_mutator *m)
{
    return (unsigned)(xorshift64(&m->state) >> 32);
}

size_t afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size,
                       unsigned char **out_buf, unsigned char *add_buf,
                       size_t add_buf_size, size_t max_size)
{
    afl_mutator *m = data;
    size_t len = buf_size < max_size ? buf_size : max_size;
    if (m->cap < max_size || m->buf == NULL) {
        size_t cap = max_size > 0 ? max_size : 1;
        unsigned char *grown = realloc(m->buf, cap);
        if (grown == NULL) {
            *out_buf = buf; /* unchanged: AFL++ simply runs it again */
            return len;
        }
        m->buf = grown;
        m->cap = cap;
    }
    unsigned seed = next_seed(m);
    size_t size;
    if (add_buf != NULL && add_buf_size > 0 && seed % 5 == 0) {
        size = mutator_cross_over(buf, buf_size, add_buf, add_buf_size,
                                  m->buf, max_size, seed);
    } else {
        if (len > 0)
            memcpy(m->buf, buf, len);
        size = mutator_mutate(m->buf, len, max_size, seed, NULL);
    }
    *out_buf = m->buf;
    return size;
}

void afl_custom_deinit(void *data)
{
    afl_mutator *m = data;
    if (m == NULL)
        return;
    free(m->buf);
    free(m);
}
