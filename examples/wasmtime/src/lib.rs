//! wasmtime 35's resource tables, fuzzed in-process: `Wasmtime` runs every
//! operation of restab's contract (docs/semantics.md) through wasmtime's own
//! `ResourceTables` methods, on wasmtime's own structures, and reads the
//! observable state from their fields.
//!
//! Two modes (WASMTIME_MODE in CMake, RESTAB_WASMTIME_MODE for cargo):
//! - `restore`: every operation is all-or-nothing, as the contract says:
//!   what a failing call (an error or a panic) wrote is put back. Operations
//!   that need an active call scope are declined without one, since
//!   wasmtime's callers always enter one first.
//! - `raw`: wasmtime as it is: a failing call leaves what it wrote, and its
//!   panics are reported.

mod v35;

pub(crate) use v35::stubs::prelude;

use v35::Tables;
use v35::Touch;

/// A resource: a guest type, or the host's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Host,
    Guest(u32),
}

/// One observed slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotView {
    Free,
    Own { resource: Resource, rep: u32, lends: u32 },
    Borrow { resource: Resource, rep: u32, scope: u32 },
}

/// The contract's error kinds that wasmtime 35 reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    UnknownHandle,
    WrongType,
    Borrowed,
    NotOwn,
    BorrowsRemain,
    HandleOverflow,
}

/// Why an operation did not give a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// wasmtime's error, as a contract status.
    Error(Status),
    /// Not compared: wasmtime has no counterpart (the reason).
    Declined(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Restore,
    Raw,
}

/// The mode this crate was built for.
pub const MODE: Mode = match env!(
    "RESTAB_WASMTIME_MODE",
    "RESTAB_WASMTIME_MODE is not set: build through CMake (examples/wasmtime/README.md)"
)
.as_bytes()
{
    b"restore" => Mode::Restore,
    b"raw" => Mode::Raw,
    _ => panic!("RESTAB_WASMTIME_MODE must be restore or raw"),
};

/// The reason given when an operation that needs a call scope has none.
pub const NO_SCOPE: &str = "no call scope (wasmtime's callers enter one)";

/// A table set of wasmtime 35's structures.
pub struct Wasmtime {
    tables: Tables,
    mode: Mode,
}

/// What an operation needs saved in restore mode.
enum Save {
    Table(Resource, Touch),
    Exit,
}

impl Wasmtime {
    /// An empty table set, or the reason wasmtime 35 cannot be configured
    /// so: it has no lend bound of its own below 2^32-1.
    pub fn new(
        instances: u32,
        type_instance: &[u32],
        limit: u32,
        max_lends: u32,
        mode: Mode,
    ) -> Result<Wasmtime, &'static str> {
        if max_lends != u32::MAX {
            return Err("max_lends below 2^32-1");
        }
        Ok(Wasmtime { tables: Tables::new(instances, type_instance, limit), mode })
    }

    /// Runs `op` on the tables. Restore mode: what a failing call wrote is
    /// put back, after an error or a panic (which then goes on unwinding).
    fn run<T>(
        &mut self,
        function: &str,
        save: Save,
        op: impl FnOnce(&mut Tables) -> Result<T, v35::stubs::Error>,
    ) -> Result<T, Failure> {
        let result = match self.mode {
            Mode::Raw => op(&mut self.tables),
            Mode::Restore => {
                let saved = match save {
                    Save::Table(r, touch) => {
                        self.tables.save(Some((self.tables.table_of(r), touch)), false)
                    }
                    Save::Exit => self.tables.save(None, true),
                };
                let tables = &mut self.tables;
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| op(tables))) {
                    Ok(Ok(value)) => return Ok(value),
                    Ok(Err(e)) => {
                        self.tables.restore(saved);
                        Err(e)
                    }
                    Err(panic) => {
                        self.tables.restore(saved);
                        std::panic::resume_unwind(panic)
                    }
                }
            }
        };
        result.map_err(|e| match e.status() {
            Some(status) => Failure::Error(status),
            None => panic!("wasmtime's {function} failed with words the adapter does not know: {e}"),
        })
    }

    /// Restore mode declines an operation that needs a call scope when
    /// there is none.
    fn needs_scope(&self) -> Result<(), Failure> {
        if self.mode == Mode::Restore && !self.tables.in_call() {
            return Err(Failure::Declined(NO_SCOPE));
        }
        Ok(())
    }

    pub fn resource_new(&mut self, r: Resource, rep: u32) -> Result<u32, Failure> {
        self.run("resource_new", Save::Table(r, Touch::Insert), |t| t.resource_new(r, rep))
    }
    pub fn lower_own(&mut self, r: Resource, rep: u32) -> Result<u32, Failure> {
        self.run("resource_lower_own", Save::Table(r, Touch::Insert), |t| t.lower_own(r, rep))
    }
    pub fn lower_borrow(&mut self, r: Resource, rep: u32) -> Result<u32, Failure> {
        self.needs_scope()?;
        self.run("resource_lower_borrow", Save::Table(r, Touch::Insert), |t| {
            t.lower_borrow(r, rep)
        })
    }
    pub fn resource_rep(&mut self, r: Resource, h: u32) -> Result<u32, Failure> {
        self.run("resource_rep", Save::Table(r, Touch::Handle(h)), |t| t.resource_rep(r, h))
    }
    /// Some(rep) for an own entry (its destructor is due), None for a borrow.
    pub fn resource_drop(&mut self, r: Resource, h: u32) -> Result<Option<u32>, Failure> {
        self.run("resource_drop", Save::Table(r, Touch::Handle(h)), |t| t.resource_drop(r, h))
    }
    pub fn lift_own(&mut self, r: Resource, h: u32) -> Result<u32, Failure> {
        self.run("resource_lift_own", Save::Table(r, Touch::Handle(h)), |t| t.lift_own(r, h))
    }
    pub fn lift_borrow(&mut self, r: Resource, h: u32) -> Result<u32, Failure> {
        self.needs_scope()?;
        self.run("resource_lift_borrow", Save::Table(r, Touch::Handle(h)), |t| {
            t.lift_borrow(r, h)
        })
    }
    pub fn call_enter(&mut self) -> Result<(), Failure> {
        self.tables.enter_call();
        Ok(())
    }
    pub fn call_exit(&mut self) -> Result<(), Failure> {
        self.needs_scope()?;
        self.run("exit_call", Save::Exit, |t| t.exit_call())
    }

    pub fn table_size(&self, table: u32) -> u32 {
        self.tables.table_size(table)
    }
    pub fn table_next(&self, table: u32) -> u32 {
        self.tables.table_next(table)
    }
    pub fn table_slot(&self, table: u32, handle: u32) -> Option<SlotView> {
        self.tables.table_slot(table, handle)
    }
    pub fn scope_count(&self) -> u32 {
        self.tables.scope_count()
    }
    pub fn scope_borrow_count(&self, depth: u32) -> u32 {
        self.tables.scope_borrow_count(depth)
    }
    pub fn scope_lender_count(&self, depth: u32) -> u32 {
        self.tables.scope_lender_count(depth)
    }
    pub fn scope_lender(&self, depth: u32, i: u32) -> Option<(u32, u32)> {
        self.tables.scope_lender(depth, i)
    }
}

#[cfg(test)]
mod tests;
