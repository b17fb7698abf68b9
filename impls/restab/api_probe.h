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

/* Returns 0, or -1 with a sentence in msg. Leaves the set unchanged. */
int api_probe(restab_tables *t, char *msg, size_t msg_size);

/* The same probes on a fresh set of the given shape; 0 or -1 with msg. */
int api_probe_fresh(uint32_t instances, uint32_t types,
                    const uint32_t *type_instance, char *msg, size_t msg_size);

#endif /* RESTAB_FUZZ_API_PROBE_H */
