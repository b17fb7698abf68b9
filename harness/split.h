/*
 * Timing hooks for the harness benchmark's split (bench/harness_split.c):
 * where the time of one differential run goes. Compiled in only with
 * RESTAB_HARNESS_SPLIT, which only the benchmark's own copy of the harness
 * sets; everywhere else SPLIT(part, statement) is the statement.
 */
#ifndef RESTAB_HARNESS_SPLIT_H
#define RESTAB_HARNESS_SPLIT_H

#include <stdint.h>

typedef enum split_part {
    SPLIT_LIBRARY,  /* the implementation under test's operations */
    SPLIT_ORACLE,   /* the model's operations */
    SPLIT_CHECKERS, /* both integrity checkers */
    SPLIT_COMPARES, /* observable-state comparisons */
    SPLIT_SETUP,    /* creating and destroying both table sets */
    SPLIT_PARTS
} split_part;

/* Counted events: checker calls on each side, state comparisons. */
typedef enum split_count {
    SPLIT_SUT_CHECKS,
    SPLIT_MODEL_CHECKS,
    SPLIT_FULL_COMPARES, /* every slot of every addressed table */
    SPLIT_STEPS,
    SPLIT_TIMED, /* timed parts: two clock reads each */
    SPLIT_COUNTS
} split_count;

#ifdef RESTAB_HARNESS_SPLIT
extern uint64_t split_ns[SPLIT_PARTS];
extern uint64_t split_counts[SPLIT_COUNTS];
#define SPLIT_COUNT(what) (split_counts[what]++)
uint64_t split_clock(void);
#define SPLIT(part, statement)                                                 \
    do {                                                                       \
        uint64_t split_t0_ = split_clock();                                    \
        statement;                                                             \
        split_ns[part] += split_clock() - split_t0_;                           \
        split_counts[SPLIT_TIMED]++;                                           \
    } while (0)
#else
#define SPLIT_COUNT(what) ((void)0)
#define SPLIT(part, statement)                                                 \
    do {                                                                       \
        statement;                                                             \
    } while (0)
#endif

#endif /* RESTAB_HARNESS_SPLIT_H */
