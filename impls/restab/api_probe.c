/*
 * API misuse probes (api_probe.h).
 */
#include "api_probe.h"

#include "text_buffer.h"
#include "xorshift.h"
#include "impl_restab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The link of the last free slot on a table's list. */
#define FREE_LAST UINT32_MAX

/* A free slot's link in the dump, just after "  H: free": " (last)" gives
   FREE_LAST, " -> N" gives N. 0, or -1 when it is neither. */
static int read_free_link(const char **at, uint32_t *link)
{
    const char *p = *at;
    if (text_starts_with(p, " (last)\n")) {
        *link = FREE_LAST;
        *at = p + strlen(" (last)\n");
        return 0;
    }
    if (!text_starts_with(p, " -> "))
        return -1;
    p += strlen(" -> ");
    if (text_number(&p, link) != 0 || *link == 0 || *link == FREE_LAST ||
        *p != '\n')
        return -1;
    *at = p + 1;
    return 0;
}

/*
 * The free links of one table's dump (links[h - 1] for free handle h) must
 * form the reuse order: a chain from the next handle through every free
 * slot once, ending at the one marked last. Consumes links (each visited
 * one becomes 0). 0, or 1 with the complaint in `want`.
 */
static int free_list_wrong(const restab_tables *t, uint32_t table,
                           uint32_t free_slots, uint32_t *links, char *want,
                           size_t size)
{
    uint32_t slots = restab_table_size(t, table);
    uint32_t at = restab_table_next(t, table);
    uint32_t visited = 0;
    int ended = 0;
    while (!ended && at >= 1 && at <= slots && links[at - 1] != 0) {
        uint32_t next = links[at - 1];
        links[at - 1] = 0;
        visited++;
        ended = next == FREE_LAST;
        at = next;
    }
    if (visited == free_slots && (free_slots > 0 ? ended : at == slots + 1))
        return 0;
    snprintf(want, size,
             "table %u: free links from next handle %u through all %u free "
             "slots", table, restab_table_next(t, table), free_slots);
    return 1;
}

/* The dump has `text` at *at: 0 and *at moved past it, else -1. */
static int lit(const char **at, const char *text)
{
    if (!text_starts_with(*at, text))
        return -1;
    *at += strlen(text);
    return 0;
}

/* The dump has the decimal `value` at *at, written as restab_dump writes
   numbers (no leading zeros): 0 and *at moved past it, else -1. */
static int num(const char **at, uint32_t value)
{
    const char *p = *at;
    uint32_t read = 0;
    if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
        return -1;
    if (text_number(&p, &read) != 0 || read != value)
        return -1;
    *at = p;
    return 0;
}

/* Writes the expected text of a missed part into `want` and returns it;
   text is formatted only when something is reported. */
#define WANT(...) (snprintf(want, size, __VA_ARGS__), want)

/* The scopes through the observation API (dump_scopes). */
static uint32_t observed_borrows(const void *user, uint32_t depth)
{
    return restab_scope_borrow_count(user, depth);
}

static uint32_t observed_records(const void *user, uint32_t depth)
{
    return restab_scope_lender_count(user, depth);
}

static void observed_record(const void *user, uint32_t depth, uint32_t i,
                            uint32_t *table, uint32_t *handle)
{
    (void)restab_scope_lender(user, depth, i, table, handle);
}

const char *dump_scopes_misses(const char **at, const dump_scopes *s,
                               char *want, size_t size)
{
    if (lit(at, "scopes: ") || num(at, s->count) || lit(at, "\n"))
        return WANT("scopes: %u\n", s->count);
    for (uint32_t depth = 0; depth < s->count; depth++) {
        uint32_t lenders = s->records(s->user, depth);
        uint32_t borrows = s->borrows(s->user, depth);
        if (lit(at, "  scope ") || num(at, depth) ||
            lit(at, ": borrow count ") || num(at, borrows) ||
            lit(at, ", lenders:") || (lenders == 0 && lit(at, " none\n")))
            return WANT("  scope %u: borrow count %u, lenders:%s", depth,
                        borrows, lenders == 0 ? " none\n" : "");
        for (uint32_t i = 0; i < lenders; i++) {
            uint32_t table = 0, handle = 0;
            s->record(s->user, depth, i, &table, &handle);
            /* Each record follows the previous one directly. */
            if (lit(at, " ") || num(at, table) || lit(at, "/") ||
                num(at, handle) || (i + 1 == lenders && lit(at, "\n")))
                return WANT(" %u/%u%s", table, handle,
                            i + 1 == lenders ? "\n" : "");
        }
    }
    return NULL;
}

/* One slot's line after "  H": the expected text, or NULL when it is
   there. Free slots leave *at at their link (read_free_link). */
static const char *slot_misses(const restab_tables *t, const char **at,
                               uint32_t h, const restab_slot_info *info,
                               char *want, size_t size)
{
    if (info->kind == RESTAB_SLOT_FREE)
        return lit(at, ": free") != 0 ? WANT("  %u: free", h) : NULL;
    int host = info->resource == RESTAB_HOST;
    char resource[16];
    int missed = host ? lit(at, info->kind == RESTAB_SLOT_OWN ? ": own host"
                                                              : ": borrow host")
                     : lit(at, info->kind == RESTAB_SLOT_OWN ? ": own t"
                                                              : ": borrow t") ||
                           num(at, info->resource);
    int spec = restab_semantics_of(t) == RESTAB_SEMANTICS_SPEC;
    if (!missed && info->kind == RESTAB_SLOT_OWN)
        missed = lit(at, " rep ") || num(at, info->rep) || lit(at, " lends ") ||
                num(at, info->lends) || lit(at, "\n");
    else if (!missed)
        missed = lit(at, " rep ") || num(at, info->rep) || lit(at, " scope ") ||
                num(at, info->scope) ||
                (spec && (lit(at, " lends ") || num(at, info->lends))) ||
                lit(at, "\n");
    if (!missed)
        return NULL;
    if (host)
        snprintf(resource, sizeof resource, "host");
    else
        snprintf(resource, sizeof resource, "t%u", info->resource);
    if (info->kind == RESTAB_SLOT_OWN)
        return WANT("  %u: own %s rep %u lends %u\n", h, resource, info->rep,
                    info->lends);
    if (spec)
        return WANT("  %u: borrow %s rep %u scope %u lends %u\n", h, resource,
                    info->rep, info->scope, info->lends);
    return WANT("  %u: borrow %s rep %u scope %u\n", h, resource, info->rep,
                info->scope);
}

/*
 * Reads the dump line by line against the observation API: the header
 * line, the type map, every table's header and slots ("  H: own tK rep R
 * lends L", "  H: borrow host rep R scope S", "  H: free -> N" or
 * "  H: free (last)", links that make up the reuse order), every scope
 * with its lender records, and nothing after them. Numbers are parsed and
 * compared, not formatted. `links` has room for the largest table.
 * Returns the first part it misses (written to `want`), or NULL.
 */
static const char *dump_misses(const restab_tables *t, const char *dump,
                               uint32_t *links, char *want, size_t size)
{
    const char *at = dump;
    uint32_t tables = restab_table_count(t);
    uint32_t types = 0;
    while (restab_table_of(t, types) != UINT32_MAX)
        types++;
    /* The configuration line: restab_dump's first, which the probe cannot
       observe otherwise (the limits are not in the API). */
    if (lit(&at, "restab: ") || num(&at, tables - 1) ||
        lit(&at, " instances, ") || num(&at, types) || lit(&at, " types, "))
        return WANT("restab: %u instances, %u types, ", tables - 1, types);
    while (*at != '\0' && *at != '\n')
        at++;
    if (lit(&at, "\n"))
        return WANT("the end of the configuration line");
    for (uint32_t ty = 0; ty < types; ty++) {
        uint32_t instance = restab_table_of(t, ty);
        if (lit(&at, "  t") || num(&at, ty) || lit(&at, " in instance ") ||
            num(&at, instance) || lit(&at, "\n"))
            return WANT("  t%u in instance %u\n", ty, instance);
    }
    for (uint32_t table = 0; table < tables; table++) {
        uint32_t slots = restab_table_size(t, table);
        uint32_t next = restab_table_next(t, table);
        int host = table + 1 == tables;
        if (lit(&at, "table ") || num(&at, table) ||
            (host ? lit(&at, " (host): ")
                  : lit(&at, " (instance ") || num(&at, table) ||
                        lit(&at, "): ")) ||
            num(&at, slots) || lit(&at, " slots, next handle ") ||
            num(&at, next) || lit(&at, "\n")) {
            if (host)
                return WANT("table %u (host): %u slots, next handle %u\n",
                            table, slots, next);
            return WANT("table %u (instance %u): %u slots, next handle %u\n",
                        table, table, slots, next);
        }
        uint32_t free_slots = 0;
        for (uint32_t h = 1; h <= slots; h++) {
            restab_slot_info info;
            (void)restab_table_slot(t, table, h, &info);
            if (lit(&at, "  ") || num(&at, h))
                return WANT("  %u: ", h);
            const char *missing = slot_misses(t, &at, h, &info, want, size);
            if (missing != NULL)
                return missing;
            links[h - 1] = 0;
            if (info.kind == RESTAB_SLOT_FREE) {
                free_slots++;
                if (read_free_link(&at, &links[h - 1]) != 0)
                    return WANT("  %u: free -> N or free (last)", h);
            }
        }
        if (free_list_wrong(t, table, free_slots, links, want, size))
            return want;
    }
    const dump_scopes scopes = {restab_scope_count(t), t, observed_borrows,
                                observed_records, observed_record};
    const char *missing = dump_scopes_misses(&at, &scopes, want, size);
    if (missing != NULL)
        return missing;
    if (*at != '\0')
        return WANT("the end of the dump after the scopes");
    return NULL;
}

int api_probe_reads_dump(const restab_tables *t)
{
    uint32_t tables = restab_table_count(t);
    if (tables <= API_PROBE_DUMP_TABLES)
        return 1;
    /* A mix of what O(1) observations give, so that inputs of one large
       configuration are picked by their operations too, and the same input
       always the same way. */
    uint32_t mix[4] = {tables, restab_table_size(t, 0),
                       restab_table_size(t, tables - 1), restab_scope_count(t)};
    return xorshift_pick(mix, 4, API_PROBE_DUMP_SHARE);
}

/* Reused by every api_probe call (see there); reachable, so never a leak. */
static text_buffer probe_dump;
static uint32_t *probe_links;
static uint32_t probe_links_cap;

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
    EXPECT(restab_semantics_of(NULL) == RESTAB_SEMANTICS_WASMTIME35);

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
    text_buffer dump = {NULL, 0, 0, 0};
    restab_dump(NULL, text_buffer_append, &dump);
    restab_dump(t, NULL, NULL);
    EXPECT(dump.len == 0);
    if (!api_probe_reads_dump(t))
        return 0;
    /* The dump's text and the free links are kept for the next probe (one
       allocation for a whole campaign instead of several per input); both
       are rewritten in full before they are read. */
    dump = probe_dump;
    dump.len = 0;
    dump.failed = 0;
    restab_dump(t, text_buffer_append, &dump);
    probe_dump = dump;
    uint32_t most_slots = 1;
    for (uint32_t k = 0; k < tables; k++) {
        uint32_t n = restab_table_size(t, k);
        most_slots = n > most_slots ? n : most_slots;
    }
    if (most_slots > probe_links_cap) {
        free(probe_links);
        probe_links = malloc(most_slots * sizeof *probe_links);
        probe_links_cap = probe_links != NULL ? most_slots : 0;
    }
    char line[128];
    const char *missing = "(out of memory)";
    if (!dump.failed && dump.text != NULL && probe_links != NULL)
        missing = dump_misses(t, dump.text, probe_links, line, sizeof line);
    if (missing != NULL) {
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
    /* A profile that is none of restab_semantics's values. */
    bad = cfg;
    bad.semantics = (restab_semantics)(RESTAB_SEMANTICS_SPEC + 1);
    EXPECT(restab_create(&bad, &t) == RESTAB_INVALID_ARGUMENT);
    bad.semantics = (restab_semantics)-1;
    EXPECT(restab_create(&bad, &t) == RESTAB_INVALID_ARGUMENT);
    EXPECT(restab_create(&cfg, NULL) == RESTAB_INVALID_ARGUMENT);
    return status;
}
