//! rust-tables: the Component Model's resource tables (the wasmtime35
//! profile of restab's contract, docs/semantics.md), in safe Rust.
//!
//! The layout is sparse. A table exists only once something was inserted
//! into it; it keeps its live entries in an ordered map from handle to
//! entry, the handles it freed on a stack (the top is reused first), and
//! the highest handle it ever issued. A slot is free exactly when its
//! handle is at most that size and not in the map. Each call scope keeps
//! its borrow count and its lender records, oldest first.
//!
//! Planted bugs sit behind cargo features (Cargo.toml); each `cfg!` below
//! marks one.

use restab::{Config, Error, Resource, Result, Tables};
use std::collections::BTreeMap;
use std::ffi::CStr;

mod check;
mod observe;

/// A live entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entry {
    Own {
        resource: Resource,
        rep: u32,
        lends: u32,
    },
    Borrow {
        resource: Resource,
        rep: u32,
        /// Depth of the scope that lowered it.
        scope: u32,
    },
}

impl Entry {
    fn resource(&self) -> Resource {
        match *self {
            Entry::Own { resource, .. } | Entry::Borrow { resource, .. } => resource,
        }
    }

    fn rep(&self) -> u32 {
        match *self {
            Entry::Own { rep, .. } | Entry::Borrow { rep, .. } => rep,
        }
    }
}

#[derive(Debug, Default)]
struct Table {
    live: BTreeMap<u32, Entry>,
    /// Freed handles, the most recently freed last.
    freed: Vec<u32>,
    /// The highest handle issued so far.
    size: u32,
}

impl Table {
    /// The handle the next entry gets.
    fn next_handle(&self) -> u32 {
        if cfg!(feature = "reuse-fifo") {
            // Planted: the oldest freed handle, as a queue would give.
            if let Some(&oldest) = self.freed.first() {
                return oldest;
            }
        }
        self.freed.last().copied().unwrap_or(self.size + 1)
    }

    /// Whether no handle is left below `limit`.
    fn full(&self, limit: u32) -> bool {
        self.freed.is_empty() && u64::from(self.size) + 1 >= u64::from(limit)
    }

    /// Stores `entry` at the next handle (the caller checked `full`).
    fn insert(&mut self, entry: Entry) -> u32 {
        let handle = self.next_handle();
        if self.freed.is_empty() {
            self.size += 1;
        } else if cfg!(feature = "reuse-fifo") {
            self.freed.remove(0);
        } else {
            self.freed.pop();
        }
        let old = self.live.insert(handle, entry);
        debug_assert!(old.is_none(), "handle {handle} was live and free at once");
        handle
    }

    /// Frees the live entry at `handle`.
    fn remove(&mut self, handle: u32) -> Entry {
        let entry = self
            .live
            .remove(&handle)
            .expect("remove: the handle is live");
        self.freed.push(handle);
        entry
    }
}

#[derive(Debug, Default)]
struct Scope {
    /// Live borrow entries this scope lowered.
    borrows: u32,
    /// (table, handle) of each own entry lent while this scope was on top.
    lenders: Vec<(u32, u32)>,
}

/// A table set.
pub struct RustTables {
    limit: u32,
    max_lends: u32,
    /// Each guest type's table; the host table is number `instances`.
    type_table: Vec<u32>,
    instances: u32,
    /// Only the tables something was inserted into.
    tables: BTreeMap<u32, Table>,
    scopes: Vec<Scope>,
}

impl RustTables {
    fn table_of(&self, resource: Resource) -> u32 {
        match resource {
            Resource::Host => self.instances,
            Resource::Guest(t) => self.type_table[t as usize],
        }
    }

    /// Adds `entry` to its resource's table: its handle, or
    /// `handle-overflow` with nothing changed.
    fn add(&mut self, resource: Resource, entry: Entry) -> Result<u32> {
        let number = self.table_of(resource);
        let limit = self.limit;
        // A table not made yet is empty: full only when even handle 1 is
        // at the limit.
        if self
            .tables
            .get(&number)
            .map_or(limit <= 1, |t| t.full(limit))
        {
            return Err(Error::HandleOverflow);
        }
        Ok(self.tables.entry(number).or_default().insert(entry))
    }

    /// Looks `handle` up in `resource`'s table: (table, entry), or
    /// `unknown-handle`.
    fn lookup(&self, resource: Resource, handle: u32) -> Result<(u32, Entry)> {
        let number = self.table_of(resource);
        let entry = self.tables.get(&number).and_then(|t| t.live.get(&handle));
        entry.map(|e| (number, *e)).ok_or(Error::UnknownHandle)
    }

    fn entry_mut(&mut self, table: u32, handle: u32) -> &mut Entry {
        let table = self.tables.get_mut(&table).expect("the table exists");
        table.live.get_mut(&handle).expect("the entry is live")
    }

    fn remove(&mut self, table: u32, handle: u32) -> Entry {
        self.tables
            .get_mut(&table)
            .expect("the table exists")
            .remove(handle)
    }

    fn type_check(entry: &Entry, resource: Resource) -> Result<()> {
        if entry.resource() == resource {
            Ok(())
        } else {
            Err(Error::WrongType)
        }
    }
}

impl Tables for RustTables {
    const NAME: &'static CStr = c"rust_tables";

    fn create(config: &Config) -> Result<Self> {
        Ok(RustTables {
            limit: config.limit,
            max_lends: config.max_lends,
            type_table: config.type_instance.clone(),
            instances: config.instances,
            tables: BTreeMap::new(),
            scopes: Vec::new(),
        })
    }

    fn resource_new(&mut self, resource: Resource, rep: u32) -> Result<u32> {
        self.add(
            resource,
            Entry::Own {
                resource,
                rep,
                lends: 0,
            },
        )
    }

    fn lower_own(&mut self, resource: Resource, rep: u32) -> Result<u32> {
        self.add(
            resource,
            Entry::Own {
                resource,
                rep,
                lends: 0,
            },
        )
    }

    fn lower_borrow(&mut self, resource: Resource, rep: u32) -> Result<u32> {
        let Some(top) = self.scopes.len().checked_sub(1) else {
            return Err(Error::NoScope);
        };
        if self.scopes[top].borrows == u32::MAX {
            return Err(Error::HandleOverflow);
        }
        let scope = top as u32;
        let handle = self.add(
            resource,
            Entry::Borrow {
                resource,
                rep,
                scope,
            },
        )?;
        self.scopes[top].borrows += 1;
        Ok(handle)
    }

    fn resource_rep(&mut self, resource: Resource, handle: u32) -> Result<u32> {
        let (_, entry) = self.lookup(resource, handle)?;
        Self::type_check(&entry, resource)?;
        Ok(entry.rep())
    }

    fn resource_drop(&mut self, resource: Resource, handle: u32) -> Result<Option<u32>> {
        let (table, entry) = self.lookup(resource, handle)?;
        if cfg!(feature = "drop-then-check") {
            // Planted: the slot is freed before the checks, and a refused
            // drop does not bring the entry back.
            self.remove(table, handle);
        }
        if let Entry::Own { lends, .. } = entry {
            if lends > 0 {
                return Err(Error::Borrowed);
            }
        }
        Self::type_check(&entry, resource)?;
        if !cfg!(feature = "drop-then-check") {
            self.remove(table, handle);
        }
        match entry {
            Entry::Own { rep, .. } => Ok(Some(rep)),
            Entry::Borrow { scope, .. } => {
                self.scopes[scope as usize].borrows -= 1;
                Ok(None)
            }
        }
    }

    fn lift_own(&mut self, resource: Resource, handle: u32) -> Result<u32> {
        let (table, entry) = self.lookup(resource, handle)?;
        match entry {
            Entry::Borrow { .. } => Err(Error::NotOwn),
            Entry::Own { lends, .. } if lends > 0 => Err(Error::Borrowed),
            Entry::Own { rep, .. } => {
                Self::type_check(&entry, resource)?;
                self.remove(table, handle);
                Ok(rep)
            }
        }
    }

    fn lift_borrow(&mut self, resource: Resource, handle: u32) -> Result<u32> {
        let (table, entry) = self.lookup(resource, handle)?;
        Self::type_check(&entry, resource)?;
        let Entry::Own { lends, rep, .. } = entry else {
            // A borrow lifted as a borrow: its rep, no scope needed.
            return Ok(entry.rep());
        };
        if lends == self.max_lends {
            return Err(Error::LendOverflow);
        }
        let Some(top) = self.scopes.last_mut() else {
            return Err(Error::NoScope);
        };
        top.lenders.push((table, handle));
        if let Entry::Own { lends, .. } = self.entry_mut(table, handle) {
            *lends += 1;
        }
        Ok(rep)
    }

    fn call_enter(&mut self) -> Result<()> {
        self.scopes.push(Scope::default());
        Ok(())
    }

    fn call_exit(&mut self) -> Result<()> {
        let Some(top) = self.scopes.last() else {
            return Err(Error::NoScope);
        };
        if top.borrows > 0 {
            return Err(Error::BorrowsRemain);
        }
        let mut scope = self.scopes.pop().expect("a scope is active");
        if cfg!(feature = "exit-dedup-lends") {
            // Planted: one lend given back per lent entry.
            scope.lenders.sort_unstable();
            scope.lenders.dedup();
        }
        for (table, handle) in scope.lenders {
            if let Entry::Own { lends, .. } = self.entry_mut(table, handle) {
                *lends -= 1;
            }
        }
        Ok(())
    }
}

restab::export_impl!(rt_rust_tables, RustTables, observe, check);

#[cfg(test)]
mod tests {
    use super::*;
    use restab::{Check, Observe, Profile, Slot};

    fn tables() -> RustTables {
        let config = Config {
            instances: 2,
            type_instance: vec![0, 0, 1],
            limit: 1 << 30,
            max_lends: u32::MAX,
            profile: Profile::Wasmtime35,
        };
        RustTables::create(&config).unwrap()
    }

    #[test]
    fn the_most_recently_freed_handle_is_reused_first() {
        let mut t = tables();
        let t0 = Resource::Guest(0);
        for rep in 1..=3 {
            assert_eq!(t.resource_new(t0, rep), Ok(rep));
        }
        for handle in 1..=3 {
            assert_eq!(t.resource_drop(t0, handle), Ok(Some(handle)));
        }
        let handles: Vec<u32> = (0..4).map(|rep| t.resource_new(t0, rep).unwrap()).collect();
        assert_eq!(handles, [3, 2, 1, 4]);
        assert_eq!(t.check(), Ok(()));
    }

    #[test]
    fn a_lent_own_stays_until_exit_gives_its_lends_back() {
        let mut t = tables();
        let t0 = Resource::Guest(0);
        assert_eq!(t.resource_new(t0, 42), Ok(1));
        assert_eq!(t.lift_borrow(t0, 1), Err(Error::NoScope));
        assert_eq!(t.call_enter(), Ok(()));
        assert_eq!(t.lift_borrow(t0, 1), Ok(42));
        assert_eq!(t.lift_borrow(t0, 1), Ok(42));
        assert_eq!(t.resource_drop(t0, 1), Err(Error::Borrowed));
        assert_eq!(
            t.resource_drop(Resource::Guest(1), 1),
            Err(Error::Borrowed),
            "lends before the type"
        );
        assert_eq!(
            t.table_slot(0, 1),
            Some(Slot::Own {
                resource: t0,
                rep: 42,
                lends: 2
            })
        );
        assert_eq!(t.call_exit(), Ok(()));
        assert_eq!(t.check(), Ok(()));
        assert_eq!(t.resource_drop(t0, 1), Ok(Some(42)));
        assert_eq!(t.table_slot(0, 1), Some(Slot::Free));
        assert_eq!(t.table_next(0), 1);
    }
}
