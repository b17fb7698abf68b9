//! The integrity check (restab::Check): docs/semantics.md's invariants 1
//! to 6, the first broken one by number.

use crate::{Entry, RustTables};
use restab::{Broken, Check, Resource};
use std::collections::{BTreeMap, BTreeSet};

impl Check for RustTables {
    fn check(&self) -> Result<(), Broken> {
        self.free_lists()?;
        self.lends()?;
        self.borrow_counts()?;
        self.borrow_scopes()?;
        self.lenders_live()?;
        self.placement()
    }
}

impl RustTables {
    /// 1: every free slot is on its table's free list exactly once.
    fn free_lists(&self) -> Result<(), Broken> {
        for (&number, table) in &self.tables {
            let mut seen = BTreeSet::new();
            for &handle in &table.freed {
                let why = if handle == 0 || handle > table.size {
                    "lies outside the table"
                } else if table.live.contains_key(&handle) {
                    "is live"
                } else if !seen.insert(handle) {
                    "is listed twice"
                } else {
                    continue;
                };
                return Err(Broken::new(
                    1,
                    format!("table {number}: freed handle {handle} {why}"),
                ));
            }
            if let Some((&handle, _)) = table.live.range(table.size.saturating_add(1)..).next() {
                return Err(Broken::new(
                    1,
                    format!(
                        "table {number}: live handle {handle} is past its size {}",
                        table.size
                    ),
                ));
            }
            if table.live.contains_key(&0) {
                return Err(Broken::new(1, format!("table {number}: handle 0 is live")));
            }
            if table.live.len() + table.freed.len() != table.size as usize {
                let free =
                    (1..=table.size).find(|h| !table.live.contains_key(h) && !seen.contains(h));
                return Err(Broken::new(
                    1,
                    format!(
                        "table {number}: handle {} is free but not on the free list",
                        free.unwrap_or(0)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Every lender record's count, by (table, handle).
    fn lender_counts(&self) -> BTreeMap<(u32, u32), u64> {
        let mut counts = BTreeMap::new();
        for record in self.scopes.iter().flat_map(|s| &s.lenders) {
            *counts.entry(*record).or_insert(0) += 1;
        }
        counts
    }

    /// 2: an own's lends are the lender records that name it.
    fn lends(&self) -> Result<(), Broken> {
        let counts = self.lender_counts();
        for (&number, table) in &self.tables {
            for (&handle, entry) in &table.live {
                if let Entry::Own { lends, .. } = *entry {
                    let records = counts.get(&(number, handle)).copied().unwrap_or(0);
                    if u64::from(lends) != records {
                        return Err(Broken::new(
                            2,
                            format!("table {number} handle {handle} has {lends} lends but {records} lender records"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The live borrow entries of each scope depth.
    fn borrows_by_scope(&self) -> BTreeMap<u32, u64> {
        let mut counts = BTreeMap::new();
        for entry in self.tables.values().flat_map(|t| t.live.values()) {
            if let Entry::Borrow { scope, .. } = *entry {
                *counts.entry(scope).or_insert(0) += 1;
            }
        }
        counts
    }

    /// 3: a scope's borrow count is the borrow entries tied to it.
    fn borrow_counts(&self) -> Result<(), Broken> {
        let counts = self.borrows_by_scope();
        for (depth, scope) in self.scopes.iter().enumerate() {
            let live = counts.get(&(depth as u32)).copied().unwrap_or(0);
            if u64::from(scope.borrows) != live {
                return Err(Broken::new(
                    3,
                    format!(
                        "scope {depth} counts {} borrows but {live} are live",
                        scope.borrows
                    ),
                ));
            }
        }
        Ok(())
    }

    /// 4: every borrow's scope is on the stack.
    fn borrow_scopes(&self) -> Result<(), Broken> {
        for (&number, table) in &self.tables {
            for (&handle, entry) in &table.live {
                if let Entry::Borrow { scope, .. } = *entry {
                    if scope as usize >= self.scopes.len() {
                        return Err(Broken::new(
                            4,
                            format!("table {number} handle {handle} borrows in scope {scope}, which has ended"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// 5: every lender record names a live own.
    fn lenders_live(&self) -> Result<(), Broken> {
        for (depth, scope) in self.scopes.iter().enumerate() {
            for &(number, handle) in &scope.lenders {
                let entry = self.tables.get(&number).and_then(|t| t.live.get(&handle));
                if !matches!(entry, Some(Entry::Own { .. })) {
                    return Err(Broken::new(
                        5,
                        format!("scope {depth} has a lender record of table {number} handle {handle}, not a live own"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// 6: no handle at the limit; entries in their resource's table.
    fn placement(&self) -> Result<(), Broken> {
        for (&number, table) in &self.tables {
            if number > self.instances {
                return Err(Broken::new(6, format!("table {number} does not exist")));
            }
            if table.size >= self.limit {
                return Err(Broken::new(
                    6,
                    format!(
                        "table {number} issued handle {} at or past the limit {}",
                        table.size, self.limit
                    ),
                ));
            }
            for (&handle, entry) in &table.live {
                let home = match entry.resource() {
                    Resource::Guest(t) if t as usize >= self.type_table.len() => None,
                    resource => Some(self.table_of(resource)),
                };
                if home != Some(number) {
                    return Err(Broken::new(
                        6,
                        format!(
                            "table {number} handle {handle} holds a {} entry",
                            entry.resource()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}
