/*
 * xorshift32 (Marsaglia), the generator the benchmark workloads are
 * specified with: x ^= x << 13; x ^= x >> 17; x ^= x << 5.
 */
#ifndef RESTAB_BENCH_XORSHIFT_H
#define RESTAB_BENCH_XORSHIFT_H

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

#endif /* RESTAB_BENCH_XORSHIFT_H */
