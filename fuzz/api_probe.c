/*
 * API misuse probes (api_probe.h).
 */
#include "api_probe.h"

#include "impl_restab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The dump's text, gathered into one NUL-terminated string. */
typedef struct dump_text {
    char *text;
    size_t len;
    size_t cap;
    int failed;
} dump_text;

static void gather_dump(void *user, const char *text, size_t len)
{
    dump_text *d = user;
    if (d->failed)
        return;
    if (d->len + len + 1 > d->cap) {
        size_t cap = (d->len + len + 1) * 2;
        char *grown = realloc(d->text, cap);
        if (grown == NULL) {
            d->failed = 1;
            return;
        }
        d->text = grown;
        d->cap = cap;
    }
    memcpy(d->text + d->len, text, len);
    d->len += len;
    d->text[d->len] = '\0';
}

/*
 * Finds each expected line of the dump in order: every slot of every table
 * ("  H: own tK rep R lends L", "  H: borrow host rep R scope S", "  H:
 * free ...") and every scope ("  scope D: borrow count C"). Returns the
 * first line it misses, or NULL.
 */
static const char *dump_misses(const restab_tables *t, const char *dump,
                               char *line, size_t size)
{
    const char *at = dump;
    for (uint32_t table = 0; table < restab_table_count(t); table++) {
        for (uint32_t h = 1; h <= restab_table_size(t, table); h++) {
            restab_slot_info info;
            (void)restab_table_slot(t, table, h, &info);
            char resource[16];
            if (info.resource == RESTAB_HOST)
                snprintf(resource, sizeof resource, "host");
            else
                snprintf(resource, sizeof resource, "t%u", info.resource);
            if (info.kind == RESTAB_SLOT_OWN)
                snprintf(line, size, "\n  %u: own %s rep %u lends %u\n", h,
                         resource, info.rep, info.lends);
            else if (info.kind == RESTAB_SLOT_BORROW)
                snprintf(line, size, "\n  %u: borrow %s rep %u scope %u\n", h,
                         resource, info.rep, info.scope);
            else
                snprintf(line, size, "\n  %u: free", h);
            const char *found = strstr(at, line);
            if (found == NULL)
                return line;
            at = found + 1;
        }
    }
    for (uint32_t depth = 0; depth < restab_scope_count(t); depth++) {
        snprintf(line, size, "\n  scope %u: borrow count %u, lenders:", depth,
                 restab_scope_borrow_count(t, depth));
        const char *found = strstr(at, line);
        if (found == NULL)
            return line;
        at = found + 1;
    }
    return NULL;
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

    /* The dump describes every slot and scope of any reachable state. */
    dump_text dump = {NULL, 0, 0, 0};
    restab_dump(NULL, gather_dump, &dump);
    restab_dump(t, NULL, NULL);
    EXPECT(dump.len == 0);
    restab_dump(t, gather_dump, &dump);
    char line[96];
    const char *missing = dump.failed || dump.text == NULL
                              ? "(out of memory)"
                              : dump_misses(t, dump.text, line, sizeof line);
    free(dump.text);
    if (missing != NULL) {
        missing += missing[0] == '\n';
        int shown = (int)strcspn(missing, "\n");
        snprintf(msg, msg_size, "API probe failed: the dump lacks \"%.*s\"",
                 shown, missing);
        return -1;
    }
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
