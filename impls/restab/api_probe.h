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

/* Returns 0, or -1 with a sentence in msg. Leaves the set unchanged. */
int api_probe(restab_tables *t, char *msg, size_t msg_size);

/* The same probes on a fresh set of the given shape; 0 or -1 with msg. */
int api_probe_fresh(uint32_t instances, uint32_t types,
                    const uint32_t *type_instance, char *msg, size_t msg_size);

#endif /* RESTAB_FUZZ_API_PROBE_H */
