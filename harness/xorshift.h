/*
 * The project's pseudo-random generators (Marsaglia's xorshift), one copy:
 * xorshift32 (13, 17, 5), which the benchmark workloads are specified with,
 * and xorshift64 (13, 7, 17) for the mutator and the tests. No
 * multiplication, so the overflow sanitizer has nothing to say.
 */
#ifndef RESTAB_HARNESS_XORSHIFT_H
#define RESTAB_HARNESS_XORSHIFT_H

#include <stdint.h>

#define XORSHIFT_SEED UINT32_C(2463534242)

static inline uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* The next value of a 64-bit state (never 0). */
static inline uint64_t xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

/* 1 for a deterministic 1 in `share` of the values mix[0 .. n-1] can take:
   the same values always give the same answer. Picks the inputs whose
   largest states get a walk that is sampled (fuzz/FORMAT.md, "Checking
   policy"). */
static inline int xorshift_pick(const uint32_t *mix, int n, uint32_t share)
{
    uint32_t h = XORSHIFT_SEED;
    for (int i = 0; i < n; i++) {
        h ^= mix[i];
        (void)xorshift32(&h);
        (void)xorshift32(&h);
    }
    return (h >> 16) % share == 0;
}

#endif /* RESTAB_HARNESS_XORSHIFT_H */
