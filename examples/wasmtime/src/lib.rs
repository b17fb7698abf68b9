//! wasmtime 35's resource tables, fuzzed in-process: `Wasmtime` runs every
//! operation of restab's contract (docs/semantics.md) through wasmtime's own
//! `ResourceTables` methods, on wasmtime's own structures, and reads the
//! observable state from their fields. It is exported to the harness as
//! `rt_wasmtime` (restab's Rust bindings, bindings/rust).
//!
//! Two modes (WASMTIME_MODE in CMake; the cargo feature `raw`):
//! - `restore`: every operation is all-or-nothing, as the contract says:
//!   what a failing call (an error or a panic) wrote is put back. Operations
//!   that need an active call scope are declined without one, since
//!   wasmtime's callers always enter one first.
//! - `raw`: wasmtime as it is: a failing call leaves what it wrote, and its
//!   panics are reported.

use std::ffi::CStr;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use restab::{decline, Config, Error, Lender, Observe, Resource, Result, Slot};

mod v35;

pub(crate) use v35::stubs::prelude;

use v35::{Tables, Touch};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Restore,
    Raw,
}

/// The mode this crate was built for.
pub const MODE: Mode = if cfg!(feature = "raw") {
    Mode::Raw
} else {
    Mode::Restore
};

/// The reason restore mode declines an operation that needs a call scope
/// when none is active.
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
    /// An empty table set in `mode`. wasmtime 35 has no lend bound below
    /// 2^32-1, so a smaller max_lends is declined.
    pub fn new(config: &Config, mode: Mode) -> Result<Wasmtime> {
        if config.max_lends != u32::MAX {
            return Err(decline("max_lends below 2^32-1"));
        }
        let tables = Tables::new(config.instances, &config.type_instance, config.limit);
        Ok(Wasmtime { tables, mode })
    }

    /// Runs `op` on the tables and translates wasmtime's error. Restore
    /// mode puts back what a failing call wrote, after an error or a panic
    /// (which then goes on unwinding to the bindings, which report it).
    fn run<T>(
        &mut self,
        function: &str,
        save: Save,
        op: impl FnOnce(&mut Tables) -> Result<T, v35::stubs::Error>,
    ) -> Result<T> {
        let result = match self.mode {
            Mode::Raw => op(&mut self.tables),
            Mode::Restore => {
                let saved = match save {
                    Save::Table(r, touch) => self
                        .tables
                        .save(Some((self.tables.table_of(r), touch)), false),
                    Save::Exit => self.tables.save(None, true),
                };
                let tables = &mut self.tables;
                match catch_unwind(AssertUnwindSafe(|| op(tables))) {
                    Ok(Ok(value)) => return Ok(value),
                    Ok(Err(e)) => {
                        self.tables.restore(saved);
                        Err(e)
                    }
                    Err(panic) => {
                        self.tables.restore(saved);
                        resume_unwind(panic)
                    }
                }
            }
        };
        result.map_err(|e| {
            e.status().unwrap_or_else(|| Error::Failed {
                kind: "protocol",
                message: format!(
                    "wasmtime's {function} failed with words the adapter does not know: {e}"
                ),
            })
        })
    }

    /// Restore mode declines an operation that needs a call scope when
    /// there is none.
    fn needs_scope(&self) -> Result<()> {
        if self.mode == Mode::Restore && !self.tables.in_call() {
            return Err(decline(NO_SCOPE));
        }
        Ok(())
    }
}

impl restab::Tables for Wasmtime {
    const NAME: &'static CStr = match MODE {
        Mode::Restore => c"wasmtime35",
        Mode::Raw => c"wasmtime35-raw",
    };

    fn create(config: &Config) -> Result<Self> {
        Wasmtime::new(config, MODE)
    }

    fn resource_new(&mut self, r: Resource, rep: u32) -> Result<u32> {
        self.run("resource_new", Save::Table(r, Touch::Insert), |t| {
            t.resource_new(r, rep)
        })
    }
    fn lower_own(&mut self, r: Resource, rep: u32) -> Result<u32> {
        self.run("resource_lower_own", Save::Table(r, Touch::Insert), |t| {
            t.lower_own(r, rep)
        })
    }
    fn lower_borrow(&mut self, r: Resource, rep: u32) -> Result<u32> {
        self.needs_scope()?;
        self.run(
            "resource_lower_borrow",
            Save::Table(r, Touch::Insert),
            |t| t.lower_borrow(r, rep),
        )
    }
    fn resource_rep(&mut self, r: Resource, h: u32) -> Result<u32> {
        self.run("resource_rep", Save::Table(r, Touch::Handle(h)), |t| {
            t.resource_rep(r, h)
        })
    }
    fn resource_drop(&mut self, r: Resource, h: u32) -> Result<Option<u32>> {
        self.run("resource_drop", Save::Table(r, Touch::Handle(h)), |t| {
            t.resource_drop(r, h)
        })
    }
    fn lift_own(&mut self, r: Resource, h: u32) -> Result<u32> {
        self.run("resource_lift_own", Save::Table(r, Touch::Handle(h)), |t| {
            t.lift_own(r, h)
        })
    }
    fn lift_borrow(&mut self, r: Resource, h: u32) -> Result<u32> {
        self.needs_scope()?;
        self.run(
            "resource_lift_borrow",
            Save::Table(r, Touch::Handle(h)),
            |t| t.lift_borrow(r, h),
        )
    }
    fn call_enter(&mut self) -> Result<()> {
        self.tables.enter_call();
        Ok(())
    }
    fn call_exit(&mut self) -> Result<()> {
        self.needs_scope()?;
        self.run("exit_call", Save::Exit, |t| t.exit_call())
    }
}

impl Observe for Wasmtime {
    fn table_size(&self, table: u32) -> u32 {
        self.tables.table_size(table)
    }
    fn table_next(&self, table: u32) -> u32 {
        self.tables.table_next(table)
    }
    fn table_slot(&self, table: u32, handle: u32) -> Option<Slot> {
        self.tables.table_slot(table, handle)
    }
    fn scope_count(&self) -> u32 {
        self.tables.scope_count()
    }
    fn scope_borrow_count(&self, depth: u32) -> u32 {
        self.tables.scope_borrow_count(depth)
    }
    fn scope_lender_count(&self, depth: u32) -> u32 {
        self.tables.scope_lender_count(depth)
    }
    fn scope_lender(&self, depth: u32, i: u32) -> Option<Lender> {
        self.tables.scope_lender(depth, i)
    }
}

restab::export_impl!(rt_wasmtime, Wasmtime, observe);

#[cfg(test)]
mod tests;
