//! The observable state (restab::Observe): tables not made yet read as
//! empty, free slots are the handles up to the size that are not live.

use crate::{Entry, RustTables};
use restab::{Lender, Observe, Slot};

impl RustTables {
    fn scope(&self, depth: u32) -> Option<&crate::Scope> {
        self.scopes.get(depth as usize)
    }
}

impl Observe for RustTables {
    fn table_size(&self, table: u32) -> u32 {
        self.tables.get(&table).map_or(0, |t| t.size)
    }

    fn table_next(&self, table: u32) -> u32 {
        if table > self.instances {
            return 0;
        }
        self.tables.get(&table).map_or(1, |t| t.next_handle())
    }

    fn table_slot(&self, table: u32, handle: u32) -> Option<Slot> {
        let t = self.tables.get(&table)?;
        if handle == 0 || handle > t.size {
            return None;
        }
        Some(match t.live.get(&handle) {
            None => Slot::Free,
            Some(&Entry::Own {
                resource,
                rep,
                lends,
            }) => Slot::Own {
                resource,
                rep,
                lends,
            },
            Some(&Entry::Borrow {
                resource,
                rep,
                scope,
            }) => Slot::Borrow {
                resource,
                rep,
                lends: 0,
                scope,
            },
        })
    }

    fn scope_count(&self) -> u32 {
        self.scopes.len() as u32
    }

    fn scope_borrow_count(&self, depth: u32) -> u32 {
        self.scope(depth).map_or(0, |s| s.borrows)
    }

    fn scope_lender_count(&self, depth: u32) -> u32 {
        self.scope(depth).map_or(0, |s| s.lenders.len() as u32)
    }

    fn scope_lender(&self, depth: u32, i: u32) -> Option<Lender> {
        let &(table, handle) = self.scope(depth)?.lenders.get(i as usize)?;
        Some(Lender { table, handle })
    }
}
