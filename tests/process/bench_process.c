/*
 * process_bench: operations per second through the process bridge.
 *
 *   RESTAB_IMPL_CMD=CMD process_bench [INPUTS [BYTES]]
 *
 * Runs INPUTS (default 200) pseudo-random byte inputs of BYTES bytes
 * (default 8192, up to 4096 program instructions each) through rt_process
 * against the oracle exactly as the process_ops fuzz target does, then
 * through the oracle against itself in-process, and prints operations per
 * second for both. The bridge's count is the operation lines (new .. exit)
 * it sent to the child, not the program's instructions (a repeat prefix
 * stands for many operations) and not its other requests (reset, state,
 * summary, check); the in-process count is the operations the
 * implementation under test ran. tests/process/bench.sh runs it with the
 * Python child.
 */
#define _POSIX_C_SOURCE 200809L

#include "decode.h"
#include "oracle.h"
#include "process.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern const rt_impl rt_process;

/* The oracle as the implementation under test, counting the operations it
   runs. */
static unsigned long long oracle_ops;
#define COUNTED_(fn, params, args)       \
    static rt_status counted_##fn params \
    {                                    \
        oracle_ops++;                    \
        return rt_oracle.fn args;        \
    }
COUNTED_(resource_new, (void *s, uint32_t r, uint32_t v, uint32_t *o),
         (s, r, v, o))
COUNTED_(lower_own, (void *s, uint32_t r, uint32_t v, uint32_t *o),
         (s, r, v, o))
COUNTED_(lower_borrow, (void *s, uint32_t r, uint32_t v, uint32_t *o),
         (s, r, v, o))
COUNTED_(resource_rep, (void *s, uint32_t r, uint32_t h, uint32_t *o),
         (s, r, h, o))
COUNTED_(resource_drop, (void *s, uint32_t r, uint32_t h, int *d, uint32_t *o),
         (s, r, h, d, o))
COUNTED_(lift_own, (void *s, uint32_t r, uint32_t h, uint32_t *o), (s, r, h, o))
COUNTED_(lift_borrow, (void *s, uint32_t r, uint32_t h, uint32_t *o),
         (s, r, h, o))
COUNTED_(call_enter, (void *s), (s))
COUNTED_(call_exit, (void *s), (s))
#undef COUNTED_

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Runs every input; returns the seconds taken, or -1 after a failure. */
static double run_all(const rt_impl *sut, uint8_t *const *inputs, size_t count,
                      size_t bytes)
{
    run_options opt = run_defaults(sut, &rt_oracle);
    double start = now();
    for (size_t i = 0; i < count; i++) {
        if (run_bytes(inputs[i], bytes, &opt) != 0)
            return -1;
    }
    return now() - start;
}

int main(int argc, char **argv)
{
    size_t count = argc > 1 ? strtoul(argv[1], NULL, 10) : 200;
    size_t bytes = argc > 2 ? strtoul(argv[2], NULL, 10) : 8192;
    if (count == 0 || bytes == 0) {
        fprintf(stderr, "usage: RESTAB_IMPL_CMD=CMD %s [INPUTS [BYTES]]\n",
                argv[0]);
        return 2;
    }
    uint8_t **inputs = calloc(count, sizeof *inputs);
    uint64_t seed = 0x9e3779b97f4a7c15u, instructions = 0, steps = 0;
    for (size_t i = 0; inputs != NULL && i < count; i++) {
        inputs[i] = malloc(bytes);
        if (inputs[i] == NULL)
            return 2;
        for (size_t k = 0; k < bytes; k++)
            inputs[i][k] = (uint8_t)next(&seed);
        program p;
        program_init(&p);
        if (decode_program(inputs[i], bytes, &rt_oracle, &p) != 0)
            return 2;
        instructions += p.len;
        steps += program_steps(&p);
        program_free(&p);
    }
    if (inputs == NULL)
        return 2;
    const char *cmd = getenv("RESTAB_IMPL_CMD");
    unsigned long long before = rt_process_operations_sent();
    double t = run_all(&rt_process, inputs, count, bytes);
    if (t < 0) {
        fprintf(stderr, "process_bench: an input failed (report above)\n");
        return 1;
    }
    unsigned long long sent = rt_process_operations_sent() - before;
    printf("process bridge  %s: %llu operations sent to the child in %.2f s: "
           "%.0f operations/s\n",
           cmd != NULL ? cmd : "(unset)", sent, t, (double)sent / t);
    rt_impl counted = rt_oracle;
    counted.resource_new = counted_resource_new;
    counted.lower_own = counted_lower_own;
    counted.lower_borrow = counted_lower_borrow;
    counted.resource_rep = counted_resource_rep;
    counted.resource_drop = counted_resource_drop;
    counted.lift_own = counted_lift_own;
    counted.lift_borrow = counted_lift_borrow;
    counted.call_enter = counted_call_enter;
    counted.call_exit = counted_call_exit;
    double u = run_all(&counted, inputs, count, bytes);
    if (u < 0)
        return 1;
    printf("in-process      oracle against oracle: %llu operations run in "
           "%.2f s: %.0f operations/s\n",
           oracle_ops, u, (double)oracle_ops / u);
    printf("inputs          %zu of %zu bytes: %llu program instructions, "
           "%llu steps with repeats expanded\n",
           count, bytes, (unsigned long long)instructions,
           (unsigned long long)steps);
    for (size_t i = 0; i < count; i++)
        free(inputs[i]);
    free(inputs);
    return 0;
}
