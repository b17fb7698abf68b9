//! A table set made of wasmtime 35's own structures: one `ResourceTable`
//! per instance, the host's, and the `CallContexts`. Every operation builds
//! the `ResourceTables` view wasmtime's callers build and calls its method;
//! observation reads the structures' fields; `save` and `restore` put back
//! what a failing call of wasmtime 35 may have written.

use super::wasmtime_environ::component::{
    ComponentTypes, RuntimeComponentInstanceIndex, TypeResourceTableIndex,
};
use super::wasmtime_environ::PrimaryMap;
use super::{
    CallContext, CallContexts, ResourceTable, ResourceTables, Slot, TypedResource,
    TypedResourceIndex,
};
use crate::v35::stubs::{self, Error};
use restab::{Lender, Resource, Slot as SlotView};

pub struct Tables {
    guest: PrimaryMap<RuntimeComponentInstanceIndex, ResourceTable>,
    types: ComponentTypes,
    type_instance: Vec<u32>,
    host: ResourceTable,
    calls: CallContexts,
    limit: u32,
}

/// What a failing call may have written, as it was before the call: the
/// addressed table's free-list head, length and one slot (the addressed
/// handle's, or the one an insertion takes), the stack height, the top
/// scope's borrow count and lender count, and for `exit` the whole top
/// scope, which wasmtime pops before it reports `borrows-remain`.
pub struct Saved {
    table: Option<TableSave>,
    scopes: usize,
    top: Option<(u32, usize)>,
    popped: Option<CallContext>,
}

struct TableSave {
    table: u32,
    next: u32,
    len: usize,
    slot: Option<(usize, Slot)>,
}

/// Which slot of a table an operation may write.
pub enum Touch {
    /// The slot an insertion takes (the free-list head).
    Insert,
    /// The slot of this handle.
    Handle(u32),
}

fn typed(resource: Resource, rep: u32) -> TypedResource {
    match resource {
        Resource::Host => TypedResource::Host(rep),
        Resource::Guest(ty) => TypedResource::Component {
            rep,
            ty: TypeResourceTableIndex(ty),
        },
    }
}

fn index(resource: Resource, handle: u32) -> TypedResourceIndex {
    match resource {
        Resource::Host => TypedResourceIndex::Host(handle),
        Resource::Guest(ty) => TypedResourceIndex::Component {
            index: handle,
            ty: TypeResourceTableIndex(ty),
        },
    }
}

fn copy_resource(r: &TypedResource) -> TypedResource {
    match *r {
        TypedResource::Host(rep) => TypedResource::Host(rep),
        TypedResource::Component { rep, ty } => TypedResource::Component { rep, ty },
    }
}

fn copy_slot(slot: &Slot) -> Slot {
    match slot {
        Slot::Free { next } => Slot::Free { next: *next },
        Slot::Own {
            resource,
            lend_count,
        } => Slot::Own {
            resource: copy_resource(resource),
            lend_count: *lend_count,
        },
        Slot::Borrow { resource, scope } => Slot::Borrow {
            resource: copy_resource(resource),
            scope: *scope,
        },
    }
}

fn copy_scope(cx: &CallContext) -> CallContext {
    CallContext {
        lenders: cx.lenders.clone(),
        borrow_count: cx.borrow_count,
    }
}

impl Tables {
    /// An empty table set: `instances` guest tables, type `k` in instance
    /// `type_instance[k]`, no handle at or above `limit` (nor above
    /// wasmtime's own MAX_RESOURCE_HANDLE).
    pub fn new(instances: u32, type_instance: &[u32], limit: u32) -> Tables {
        let guest = (0..instances).map(|_| ResourceTable::default()).collect();
        Tables {
            guest: PrimaryMap::from_vec(guest),
            types: ComponentTypes::new(type_instance),
            type_instance: type_instance.to_vec(),
            host: ResourceTable::default(),
            calls: CallContexts::default(),
            limit,
        }
    }

    /// The view wasmtime's lifting and lowering code builds: guest tables,
    /// host table and calls all present.
    fn view(&mut self) -> ResourceTables<'_> {
        stubs::set_limit(self.limit);
        ResourceTables {
            guest: Some((&mut self.guest, &self.types)),
            host_table: Some(&mut self.host),
            calls: &mut self.calls,
        }
    }

    pub fn resource_new(&mut self, r: Resource, rep: u32) -> Result<u32, Error> {
        self.view().resource_new(typed(r, rep))
    }
    pub fn lower_own(&mut self, r: Resource, rep: u32) -> Result<u32, Error> {
        self.view().resource_lower_own(typed(r, rep))
    }
    pub fn lower_borrow(&mut self, r: Resource, rep: u32) -> Result<u32, Error> {
        self.view().resource_lower_borrow(typed(r, rep))
    }
    pub fn resource_rep(&mut self, r: Resource, handle: u32) -> Result<u32, Error> {
        self.view().resource_rep(index(r, handle))
    }
    pub fn resource_drop(&mut self, r: Resource, handle: u32) -> Result<Option<u32>, Error> {
        self.view().resource_drop(index(r, handle))
    }
    pub fn lift_own(&mut self, r: Resource, handle: u32) -> Result<u32, Error> {
        self.view().resource_lift_own(index(r, handle))
    }
    pub fn lift_borrow(&mut self, r: Resource, handle: u32) -> Result<u32, Error> {
        self.view().resource_lift_borrow(index(r, handle))
    }
    pub fn enter_call(&mut self) {
        self.view().enter_call()
    }
    pub fn exit_call(&mut self) -> Result<(), Error> {
        self.view().exit_call()
    }

    // ---- observation: wasmtime's fields, read as they are ----

    fn table(&self, table: u32) -> Option<&ResourceTable> {
        if table == self.guest.len() as u32 {
            Some(&self.host)
        } else {
            self.guest.get(RuntimeComponentInstanceIndex(table))
        }
    }

    fn table_mut(&mut self, table: u32) -> Option<&mut ResourceTable> {
        if table == self.guest.len() as u32 {
            Some(&mut self.host)
        } else {
            self.guest.get_mut(RuntimeComponentInstanceIndex(table))
        }
    }

    /// The table of a resource: its type's instance, or the host table.
    pub fn table_of(&self, r: Resource) -> u32 {
        match r {
            Resource::Host => self.guest.len() as u32,
            Resource::Guest(ty) => self.type_instance[ty as usize],
        }
    }

    pub fn table_size(&self, table: u32) -> u32 {
        self.table(table).map_or(0, |t| t.slots.len() as u32)
    }

    pub fn table_next(&self, table: u32) -> u32 {
        self.table(table).map_or(0, |t| t.next.wrapping_add(1))
    }

    pub fn table_slot(&self, table: u32, handle: u32) -> Option<SlotView> {
        let t = self.table(table)?;
        let slot = t.slots.get(handle.checked_sub(1)? as usize)?;
        let resource = |r: &TypedResource| match *r {
            TypedResource::Host(rep) => (Resource::Host, rep),
            TypedResource::Component { rep, ty } => (Resource::Guest(ty.0), rep),
        };
        Some(match slot {
            Slot::Free { .. } => SlotView::Free,
            Slot::Own {
                resource: r,
                lend_count,
            } => {
                let (resource, rep) = resource(r);
                SlotView::Own {
                    resource,
                    rep,
                    lends: *lend_count,
                }
            }
            Slot::Borrow { resource: r, scope } => {
                let (resource, rep) = resource(r);
                SlotView::Borrow {
                    resource,
                    rep,
                    lends: 0,
                    scope: *scope as u32,
                }
            }
        })
    }

    pub fn scope_count(&self) -> u32 {
        self.calls.scopes.len() as u32
    }

    pub fn scope_borrow_count(&self, depth: u32) -> u32 {
        self.calls
            .scopes
            .get(depth as usize)
            .map_or(0, |cx| cx.borrow_count)
    }

    pub fn scope_lender_count(&self, depth: u32) -> u32 {
        self.calls
            .scopes
            .get(depth as usize)
            .map_or(0, |cx| cx.lenders.len() as u32)
    }

    /// The lent entry's table and handle.
    pub fn scope_lender(&self, depth: u32, i: u32) -> Option<Lender> {
        let cx = self.calls.scopes.get(depth as usize)?;
        let (table, handle) = match *cx.lenders.get(i as usize)? {
            TypedResourceIndex::Host(handle) => (self.guest.len() as u32, handle),
            TypedResourceIndex::Component { index, ty } => {
                (self.type_instance[ty.0 as usize], index)
            }
        };
        Some(Lender { table, handle })
    }

    // ---- all-or-nothing: what a failing call may have written ----

    /// Saves what an operation on `table` (None: no table) may write, the
    /// slot given by `touch`, and the call stack's top; `exit` adds the
    /// whole top scope.
    pub fn save(&self, table: Option<(u32, Touch)>, exit: bool) -> Saved {
        let table = table.and_then(|(n, touch)| {
            let t = self.table(n)?;
            let at = match touch {
                Touch::Insert => Some(t.next as usize),
                Touch::Handle(h) => h.checked_sub(1).map(|i| i as usize),
            };
            let slot = at.and_then(|i| Some((i, copy_slot(t.slots.get(i)?))));
            Some(TableSave {
                table: n,
                next: t.next,
                len: t.slots.len(),
                slot,
            })
        });
        let top = self.calls.scopes.last();
        Saved {
            table,
            scopes: self.calls.scopes.len(),
            top: top.map(|cx| (cx.borrow_count, cx.lenders.len())),
            popped: if exit { top.map(copy_scope) } else { None },
        }
    }

    /// Puts back what `save` saved.
    pub fn restore(&mut self, saved: Saved) {
        if let Some(s) = saved.table {
            let t = self.table_mut(s.table).expect("a saved table exists");
            t.slots.truncate(s.len);
            if let Some((i, slot)) = s.slot {
                t.slots[i] = slot;
            }
            t.next = s.next;
        }
        let scopes = &mut self.calls.scopes;
        if scopes.len() < saved.scopes {
            if let Some(cx) = saved.popped {
                scopes.push(cx);
            }
        }
        scopes.truncate(saved.scopes);
        assert_eq!(scopes.len(), saved.scopes, "the call stack was restored");
        if let (Some(cx), Some((borrows, lenders))) = (scopes.last_mut(), saved.top) {
            cx.borrow_count = borrows;
            cx.lenders.truncate(lenders);
        }
    }

    /// Whether a call scope is active.
    pub fn in_call(&self) -> bool {
        !self.calls.scopes.is_empty()
    }
}
