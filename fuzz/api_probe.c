/*
 * API misuse probes (api_probe.h).
 */
#include "api_probe.h"

#include "impl_restab.h"

#include <stdio.h>
#include <string.h>

typedef struct dump_count {
    size_t bytes;
} dump_count;

static void count_dump(void *user, const char *text, size_t len)
{
    (void)text;
    ((dump_count *)user)->bytes += len;
}

#define EXPECT(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            snprintf(msg, msg_size, "API probe failed: %s", #cond);            \
            return -1;                                                         \
        }                                                                      \
    } while (0)

int api_probe(restab_tables *t, char *msg, size_t msg_size)
{
    const restab_status invalid = RESTAB_INVALID_ARGUMENT;
    uint32_t tables = restab_table_count(t);
    uint32_t out = 0;
    restab_dropped dropped;

    /* Invalid arguments: a status, before any other check. */
    EXPECT(restab_resource_new(NULL, RESTAB_HOST, 1, &out) == invalid);
    EXPECT(restab_resource_new(t, RESTAB_HOST, 1, NULL) == invalid);
    EXPECT(restab_resource_new(t, RESTAB_MAX_TYPES, 1, &out) == invalid);
    EXPECT(restab_resource_lower_own(t, RESTAB_MAX_TYPES, 1, &out) == invalid);
    EXPECT(restab_resource_lower_borrow(t, RESTAB_MAX_TYPES, 1, &out) == invalid);
    EXPECT(restab_resource_lower_borrow(NULL, RESTAB_HOST, 1, &out) == invalid);
    EXPECT(restab_resource_rep(t, RESTAB_MAX_TYPES, 1, &out) == invalid);
    EXPECT(restab_resource_rep(t, RESTAB_HOST, 1, NULL) == invalid);
    EXPECT(restab_resource_drop(t, RESTAB_MAX_TYPES, 1, &dropped) == invalid);
    EXPECT(restab_resource_drop(t, RESTAB_HOST, 1, NULL) == invalid);
    EXPECT(restab_resource_lift_own(t, RESTAB_MAX_TYPES, 1, &out) == invalid);
    EXPECT(restab_resource_lift_own(NULL, RESTAB_HOST, 1, &out) == invalid);
    EXPECT(restab_resource_lift_borrow(t, RESTAB_MAX_TYPES, 1, &out) == invalid);
    EXPECT(restab_resource_lift_borrow(t, RESTAB_HOST, 1, NULL) == invalid);
    EXPECT(restab_call_enter(NULL) == invalid);
    EXPECT(restab_call_exit(NULL) == invalid);
    EXPECT(restab_create(NULL, NULL) == invalid);

    /* Observation out of range. */
    restab_slot_info info;
    uint32_t table = 0, handle = 0;
    EXPECT(restab_table_of(t, RESTAB_MAX_TYPES) == UINT32_MAX);
    EXPECT(restab_table_of(t, RESTAB_HOST) == tables - 1);
    EXPECT(restab_table_of(NULL, 0) == UINT32_MAX);
    EXPECT(restab_table_size(t, tables) == 0);
    EXPECT(restab_table_next(t, tables) == 0);
    EXPECT(restab_table_slot(t, tables, 1, &info) == -1);
    EXPECT(restab_table_slot(t, 0, 0, &info) == -1);
    EXPECT(restab_table_slot(t, 0, 1, NULL) == -1);
    EXPECT(restab_table_count(NULL) == 0);
    EXPECT(restab_table_size(NULL, 0) == 0);
    EXPECT(restab_table_next(NULL, 0) == 0);
    EXPECT(restab_table_slot(NULL, 0, 1, &info) == -1);
    EXPECT(restab_scope_borrow_count(NULL, 0) == 0);
    EXPECT(restab_scope_lender_count(NULL, 0) == 0);
    EXPECT(restab_scope_lender(NULL, 0, 0, &table, &handle) == -1);
    EXPECT(restab_scope_lender(t, 0, 0, &table, NULL) == -1);
    uint32_t depth = restab_scope_count(t);
    EXPECT(restab_scope_count(NULL) == 0);
    EXPECT(restab_scope_borrow_count(t, depth) == 0);
    EXPECT(restab_scope_lender_count(t, depth) == 0);
    EXPECT(restab_scope_lender(t, depth, 0, &table, &handle) == -1);
    EXPECT(restab_scope_lender(t, 0, 0, NULL, &handle) == -1);
    if (depth > 0)
        EXPECT(restab_scope_lender(t, 0, restab_scope_lender_count(t, 0),
                                   &table, &handle) == -1);
    EXPECT(restab_check(NULL, NULL, 0) != 0);

    /* Texts for every status, and for a value that is none. */
    /* The kind words are those of the contract (the harness's list). */
    for (int s = RESTAB_OK; s <= RESTAB_INVALID_ARGUMENT; s++) {
        restab_status status = (restab_status)s;
        EXPECT(strcmp(restab_status_name(status),
                      rt_status_name(restab_to_rt(status))) == 0);
        EXPECT(restab_status_str(status)[0] != '\0');
    }
    EXPECT(strcmp(restab_status_name((restab_status)99), "unknown-status") == 0);
    EXPECT(strcmp(restab_status_str((restab_status)99), "unknown status") == 0);

    /* The dump describes every table and scope of any reachable state. */
    dump_count count = {0};
    restab_dump(t, count_dump, &count);
    restab_dump(NULL, count_dump, &count);
    restab_dump(t, NULL, NULL);
    EXPECT(count.bytes > 0);
    return 0;
}

int api_probe_fresh(uint32_t instances, uint32_t types,
                    const uint32_t *type_instance, char *msg, size_t msg_size)
{
    restab_config cfg;
    restab_config_init(&cfg);
    restab_config_init(NULL);
    cfg.instances = instances;
    cfg.types = types;
    cfg.type_instance = type_instance;
    restab_tables *t = NULL;
    if (restab_create(&cfg, &t) != RESTAB_OK) {
        snprintf(msg, msg_size, "API probe: restab_create failed");
        return -1;
    }
    int status = api_probe(t, msg, msg_size);
    restab_destroy(t);
    restab_destroy(NULL);

    /* Configurations that must be rejected. */
    restab_config bad = cfg;
    bad.types = 1;
    bad.type_instance = NULL;
    EXPECT(restab_create(&bad, &t) == RESTAB_INVALID_ARGUMENT);
    bad.types = RESTAB_MAX_TYPES + 1;
    EXPECT(restab_create(&bad, &t) == RESTAB_INVALID_ARGUMENT);
    bad = cfg;
    bad.instances = UINT32_MAX - 1;
    EXPECT(restab_create(&bad, &t) == RESTAB_INVALID_ARGUMENT);
    uint32_t wrong_instance = instances;
    bad = cfg;
    bad.types = 1;
    bad.type_instance = &wrong_instance;
    EXPECT(restab_create(&bad, &t) == RESTAB_INVALID_ARGUMENT);
    EXPECT(restab_create(&cfg, NULL) == RESTAB_INVALID_ARGUMENT);
    return status;
}
