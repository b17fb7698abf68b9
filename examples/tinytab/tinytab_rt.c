/*
 * rt_tinytab: tinytab behind restab's harness interface (restab_impl.h).
 * tinytab speaks the interface's statuses and slot structs already, so the
 * adapter is mostly casts of `self`.
 */
#include "restab_impl.h"
#include "tinytab.h"

static rt_status create(const rt_config *cfg, void **self)
{
    tinytab *tt = NULL;
    rt_status st = tinytab_create(cfg, &tt);
    if (st == RT_OK)
        *self = tt;
    return st;
}

static void destroy(void *self)
{
    tinytab_destroy(self);
}

static rt_status resource_new(void *self, uint32_t resource, uint32_t rep,
                              uint32_t *handle)
{
    return tinytab_new(self, resource, rep, handle);
}

/* Lowering an own is making a new own entry (SEMANTICS.md). */
static rt_status lower_own(void *self, uint32_t resource, uint32_t rep,
                           uint32_t *handle)
{
    return tinytab_new(self, resource, rep, handle);
}

static rt_status lower_borrow(void *self, uint32_t resource, uint32_t rep,
                              uint32_t *handle)
{
    return tinytab_lower_borrow(self, resource, rep, handle);
}

static rt_status resource_rep(void *self, uint32_t resource, uint32_t handle,
                              uint32_t *rep)
{
    return tinytab_rep(self, resource, handle, rep);
}

static rt_status resource_drop(void *self, uint32_t resource, uint32_t handle,
                               int *destructor_due, uint32_t *rep)
{
    return tinytab_drop(self, resource, handle, destructor_due, rep);
}

static rt_status lift_own(void *self, uint32_t resource, uint32_t handle,
                          uint32_t *rep)
{
    return tinytab_lift_own(self, resource, handle, rep);
}

static rt_status lift_borrow(void *self, uint32_t resource, uint32_t handle,
                             uint32_t *rep)
{
    return tinytab_lift_borrow(self, resource, handle, rep);
}

static rt_status call_enter(void *self)
{
    return tinytab_enter(self);
}

static rt_status call_exit(void *self)
{
    return tinytab_exit(self);
}

static int check(const void *self, char *msg, size_t msg_size)
{
    return tinytab_check(self, msg, msg_size);
}

static uint32_t table_size(const void *self, uint32_t table)
{
    return tinytab_table_size(self, table);
}

static uint32_t table_next(const void *self, uint32_t table)
{
    return tinytab_table_next(self, table);
}

static int table_slot(const void *self, uint32_t table, uint32_t handle,
                      rt_slot *out)
{
    return tinytab_slot(self, table, handle, out);
}

static uint32_t scope_count(const void *self)
{
    return tinytab_frames(self);
}

static uint32_t scope_borrow_count(const void *self, uint32_t depth)
{
    return tinytab_frame_borrows(self, depth);
}

static uint32_t scope_lender_count(const void *self, uint32_t depth)
{
    return tinytab_frame_loans(self, depth);
}

static int scope_lender(const void *self, uint32_t depth, uint32_t i,
                        uint32_t *table, uint32_t *handle)
{
    return tinytab_frame_loan(self, depth, i, table, handle);
}

const rt_impl rt_tinytab = {
    .name = "tinytab",
    .profiles = 1U << RT_SEMANTICS_WASMTIME35,
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
    .final_check = NULL,
};
