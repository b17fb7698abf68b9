/*
 * What an implementation says of itself beside its statuses
 * (restab_impl.h): the reason of a decline (rt_decline) and its own
 * failures (rt_impl_failed). Each keeps the first one since the harness
 * last took it: a batch may decline or fail on several operations, and
 * only the first one is where the input ends.
 */
#ifndef RESTAB_HARNESS_OUTCOME_H
#define RESTAB_HARNESS_OUTCOME_H

#include <stddef.h>

/* The longest decline reason kept, with its NUL. */
#define OUTCOME_REASON_MAX 64

typedef struct impl_failure {
    char kind[24];     /* "panic", "timeout", ... */
    char function[32]; /* "resource_drop", "create", ... */
    char message[256];
} impl_failure;

/* Forgets any pending decline and failure (the start of an input). */
void outcome_clear(void);

/* Copies the pending decline's reason into reason and forgets it. 1 when
   there was one, else 0 (reason "" then). */
int outcome_take_decline(char *reason, size_t size);

/* 1 when a failure is pending. */
int outcome_failed(void);

/* Copies the pending failure into *f and forgets it. 1 when there was one. */
int outcome_take_failure(impl_failure *f);

#endif /* RESTAB_HARNESS_OUTCOME_H */
