/*
 * rt_restab: the harness interface over the restab library (lib/).
 */
#include "impl_restab.h"

#include "api_probe.h"

rt_status restab_to_rt(restab_status status)
{
    switch (status) {
    case RESTAB_OK:
        return RT_OK;
    case RESTAB_UNKNOWN_HANDLE:
        return RT_UNKNOWN_HANDLE;
    case RESTAB_WRONG_TYPE:
        return RT_WRONG_TYPE;
    case RESTAB_BORROWED:
        return RT_BORROWED;
    case RESTAB_NOT_OWN:
        return RT_NOT_OWN;
    case RESTAB_BORROWS_REMAIN:
        return RT_BORROWS_REMAIN;
    case RESTAB_HANDLE_OVERFLOW:
        return RT_HANDLE_OVERFLOW;
    case RESTAB_NO_SCOPE:
        return RT_NO_SCOPE;
    case RESTAB_OUT_OF_MEMORY:
        return RT_OUT_OF_MEMORY;
    case RESTAB_LEND_OVERFLOW:
        return RT_LEND_OVERFLOW;
    case RESTAB_INVALID_ARGUMENT:
        return RT_INVALID;
    }
    return RT_INVALID;
}

static rt_status create(const rt_config *cfg, void **self)
{
    restab_config rc;
    restab_config_init(&rc);
    switch (cfg->semantics) {
    case RT_SEMANTICS_WASMTIME35:
        rc.semantics = RESTAB_SEMANTICS_WASMTIME35;
        break;
    case RT_SEMANTICS_SPEC:
        rc.semantics = RESTAB_SEMANTICS_SPEC;
        break;
    default:
        return RT_INVALID;
    }
    rc.instances = cfg->instances;
    rc.types = cfg->types;
    rc.type_instance = cfg->type_instance;
    rc.limit = cfg->limit;
    rc.max_lends = cfg->max_lends;
    rc.alloc = cfg->alloc;
    rc.alloc_user = cfg->alloc_user;
    restab_tables *t = NULL;
    rt_status status = restab_to_rt(restab_create(&rc, &t));
    if (status == RT_OK)
        *self = t;
    return status;
}

static void destroy(void *self)
{
    restab_destroy(self);
}

static rt_status resource_new(void *self, uint32_t resource, uint32_t rep,
                              uint32_t *handle)
{
    return restab_to_rt(restab_resource_new(self, resource, rep, handle));
}

static rt_status lower_own(void *self, uint32_t resource, uint32_t rep,
                           uint32_t *handle)
{
    return restab_to_rt(restab_resource_lower_own(self, resource, rep, handle));
}

static rt_status lower_borrow(void *self, uint32_t resource, uint32_t rep,
                              uint32_t *handle)
{
    return restab_to_rt(restab_resource_lower_borrow(self, resource, rep, handle));
}

static rt_status resource_rep(void *self, uint32_t resource, uint32_t handle,
                              uint32_t *rep)
{
    return restab_to_rt(restab_resource_rep(self, resource, handle, rep));
}

static rt_status resource_drop(void *self, uint32_t resource, uint32_t handle,
                               int *destructor_due, uint32_t *rep)
{
    restab_dropped dropped;
    rt_status status = restab_to_rt(restab_resource_drop(self, resource, handle, &dropped));
    if (status == RT_OK) {
        *destructor_due = dropped.destructor_due;
        *rep = dropped.rep;
    }
    return status;
}

static rt_status lift_own(void *self, uint32_t resource, uint32_t handle,
                          uint32_t *rep)
{
    return restab_to_rt(restab_resource_lift_own(self, resource, handle, rep));
}

static rt_status lift_borrow(void *self, uint32_t resource, uint32_t handle,
                             uint32_t *rep)
{
    return restab_to_rt(restab_resource_lift_borrow(self, resource, handle, rep));
}

static rt_status call_enter(void *self)
{
    return restab_to_rt(restab_call_enter(self));
}

static rt_status call_exit(void *self)
{
    return restab_to_rt(restab_call_exit(self));
}

static int check(const void *self, char *msg, size_t msg_size)
{
    return restab_check(self, msg, msg_size);
}

static uint32_t table_size(const void *self, uint32_t table)
{
    return restab_table_size(self, table);
}

static uint32_t table_next(const void *self, uint32_t table)
{
    return restab_table_next(self, table);
}

static int table_slot(const void *self, uint32_t table, uint32_t handle,
                      rt_slot *out)
{
    restab_slot_info info;
    if (restab_table_slot(self, table, handle, &info) != 0)
        return -1;
    out->kind = info.kind == RESTAB_SLOT_OWN      ? RT_OWN
                : info.kind == RESTAB_SLOT_BORROW ? RT_BORROW
                                                  : RT_FREE;
    out->resource = info.resource;
    out->rep = info.rep;
    out->lends = info.lends;
    out->scope = info.scope;
    return 0;
}

static uint32_t scope_count(const void *self)
{
    return restab_scope_count(self);
}

static uint32_t scope_borrow_count(const void *self, uint32_t depth)
{
    return restab_scope_borrow_count(self, depth);
}

static uint32_t scope_lender_count(const void *self, uint32_t depth)
{
    return restab_scope_lender_count(self, depth);
}

static int scope_lender(const void *self, uint32_t depth, uint32_t i,
                        uint32_t *table, uint32_t *handle)
{
    return restab_scope_lender(self, depth, i, table, handle);
}

/* restab's own probes of the final state: its API's argument validation on
   the live state and on a fresh set, and its dump (api_probe.h). */
static int final_check(void *self, char *msg, size_t msg_size)
{
    static const uint32_t type_instance[] = {0, 0, 1};
    if (api_probe(self, msg, msg_size) != 0)
        return -1;
    return api_probe_fresh(2, 3, type_instance, msg, msg_size);
}

const rt_impl rt_restab = {
    .name = "restab",
    .profiles = 1u << RT_SEMANTICS_WASMTIME35 | 1u << RT_SEMANTICS_SPEC,
    .create = create,
    .destroy = destroy,
    .resource_new = resource_new,
    .lower_own = lower_own,
    .lower_borrow = lower_borrow,
    .resource_rep = resource_rep,
    .resource_drop = resource_drop,
    .lift_own = lift_own,
    .lift_borrow = lift_borrow,
    .call_enter = call_enter,
    .call_exit = call_exit,
    .check = check,
    .table_size = table_size,
    .table_next = table_next,
    .table_slot = table_slot,
    .scope_count = scope_count,
    .scope_borrow_count = scope_borrow_count,
    .scope_lender_count = scope_lender_count,
    .scope_lender = scope_lender,
    .final_check = final_check,
};
