/*
 * process_bench: operations per second through the process bridge.
 *
 *   RESTAB_IMPL_CMD=CMD process_bench [INPUTS [BYTES]]
 *
 * Runs INPUTS (default 200) pseudo-random byte inputs of BYTES bytes
 * (default 8192, up to 4096 operations each) through rt_process against the
 * oracle exactly as the process_ops fuzz target does, then through the
 * oracle against itself in-process, and prints operations per second for
 * both. tests/process/bench.sh runs it with the Python child.
 */
#define _POSIX_C_SOURCE 200809L

#include "decode.h"
#include "oracle.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern const rt_impl rt_process;

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
        fprintf(stderr, "usage: RESTAB_IMPL_CMD=CMD %s [INPUTS [BYTES]]\n", argv[0]);
        return 2;
    }
    uint8_t **inputs = calloc(count, sizeof *inputs);
    uint64_t seed = 0x9e3779b97f4a7c15u, ops = 0;
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
        ops += p.len;
        program_free(&p);
    }
    if (inputs == NULL)
        return 2;
    const char *cmd = getenv("RESTAB_IMPL_CMD");
    double t = run_all(&rt_process, inputs, count, bytes);
    if (t < 0) {
        fprintf(stderr, "process_bench: an input failed (report above)\n");
        return 1;
    }
    printf("process bridge  %-60s %8llu ops in %6.2f s: %9.0f ops/s\n",
           cmd != NULL ? cmd : "(unset)", (unsigned long long)ops, t,
           (double)ops / t);
    double u = run_all(&rt_oracle, inputs, count, bytes);
    printf("in-process      %-60s %8llu ops in %6.2f s: %9.0f ops/s\n",
           "oracle against oracle", (unsigned long long)ops, u,
           (double)ops / u);
    for (size_t i = 0; i < count; i++)
        free(inputs[i]);
    free(inputs);
    return 0;
}
