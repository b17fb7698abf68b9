/*
 * CHECK(cond, fmt, ...) for the standalone test programs outside tests/unit
 * (tests/mutator, tests/roundtrip): counts checks and failures, and prints
 * the first 20 failures with their location, condition and message. One
 * program per translation unit, so the counters live here.
 */
#ifndef RESTAB_TESTS_CHECK_H
#define RESTAB_TESTS_CHECK_H

#include <stdio.h>

static int failures;
static int checks;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        checks++;                                                              \
        if (!(cond)) {                                                         \
            failures++;                                                        \
            if (failures <= 20) {                                              \
                fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__,         \
                        __LINE__, #cond);                                      \
                fprintf(stderr, __VA_ARGS__);                                  \
                fputc('\n', stderr);                                           \
            }                                                                  \
        }                                                                      \
    } while (0)

#endif /* RESTAB_TESTS_CHECK_H */
