/*
 * Checks of the restab API that no operation sequence reaches: NULL and
 * out-of-range arguments must return a status (never crash, never change
 * anything), and the dump and status texts must work on the live state.
 * restab_ops runs it on every input's final state.
 */
#ifndef RESTAB_FUZZ_API_PROBE_H
#define RESTAB_FUZZ_API_PROBE_H

#include "restab.h"

#include <stddef.h>

/* The dump check reads every table's line, so for configurations of more
   than this many tables it runs on a deterministic share of the states
   (api_probe_reads_dump); the rest of the probes always run. */
#define API_PROBE_DUMP_TABLES 1024u
#define API_PROBE_DUMP_SHARE 8u /* 1 in 8 */

/* 1 when api_probe checks t's dump: t has at most API_PROBE_DUMP_TABLES
   tables, or a hash of its configuration and of the sizes of its first and
   host tables and its scope count picks it (1 in API_PROBE_DUMP_SHARE). */
int api_probe_reads_dump(const restab_tables *t);

/* The scopes as restab_dump must list them, for dump_scopes_misses():
   their count, and for each its borrow count and lender records. */
typedef struct dump_scopes {
    uint32_t count;
    const void *user;
    uint32_t (*borrows)(const void *user, uint32_t depth);
    uint32_t (*records)(const void *user, uint32_t depth);
    void (*record)(const void *user, uint32_t depth, uint32_t i,
                   uint32_t *table, uint32_t *handle);
} dump_scopes;

/* Reads restab_dump's scope section ("scopes: N", then one line a scope
   with its records) at *at and moves past it: the one description of
   those lines, for the probes (the observation API's view) and
   restab_corrupt (a broken state's). NULL, or the first part it misses
   (written to want). */
const char *dump_scopes_misses(const char **at, const dump_scopes *s,
                               char *want, size_t size);

/* Returns 0, or -1 with a sentence in msg. Leaves the set unchanged. */
int api_probe(restab_tables *t, char *msg, size_t msg_size);

/* The same probes on a fresh set of the given shape; 0 or -1 with msg. */
int api_probe_fresh(uint32_t instances, uint32_t types,
                    const uint32_t *type_instance, char *msg, size_t msg_size);

#endif /* RESTAB_FUZZ_API_PROBE_H */
