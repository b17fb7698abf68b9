/*
 * An in-process implementation that declines (restab_impl.h, rt_decline):
 * the oracle's tables behind an adapter that has no host table and no lend
 * bound, as a real runtime might. RESTAB_TEST_DECLINE=all declines every
 * configuration instead. tests/decline checks that declined inputs pass,
 * are counted by reason, and that declining everything is said.
 */
#include "oracle.h"
#include "restab_impl.h"

#include <stdlib.h>
#include <string.h>

static rt_status create(const rt_config *cfg, void **self)
{
    const char *mode = getenv("RESTAB_TEST_DECLINE");
    if (mode != NULL && strcmp(mode, "all") == 0)
        return rt_decline("declines every configuration");
    if (cfg->max_lends != UINT32_MAX)
        return rt_decline("no lend bound");
    return rt_oracle.create(cfg, self);
}

static int is_host(uint32_t resource)
{
    return resource == RT_HOST;
}

#define RESOURCE_OP(name, field)                                               \
    static rt_status name(void *self, uint32_t resource, uint32_t operand,     \
                          uint32_t *out)                                       \
    {                                                                          \
        if (is_host(resource))                                                 \
            return rt_decline("no host table");                                \
        return rt_oracle.field(self, resource, operand, out);                  \
    }
RESOURCE_OP(resource_new, resource_new)
RESOURCE_OP(lower_own, lower_own)
RESOURCE_OP(lower_borrow, lower_borrow)
RESOURCE_OP(resource_rep, resource_rep)
RESOURCE_OP(lift_own, lift_own)
RESOURCE_OP(lift_borrow, lift_borrow)

static rt_status resource_drop(void *self, uint32_t resource, uint32_t handle,
                               int *destructor_due, uint32_t *rep)
{
    if (is_host(resource))
        return rt_decline("no host table");
    return rt_oracle.resource_drop(self, resource, handle, destructor_due, rep);
}

static rt_status call_enter(void *self)
{
    return rt_oracle.call_enter(self);
}

static rt_status call_exit(void *self)
{
    return rt_oracle.call_exit(self);
}

static void destroy(void *self)
{
    rt_oracle.destroy(self);
}

const rt_impl rt_declining = {
    .name = "declining",
    .profiles = (1u << RT_SEMANTICS_WASMTIME35) | (1u << RT_SEMANTICS_SPEC),
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
};
