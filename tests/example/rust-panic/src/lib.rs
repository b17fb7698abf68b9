//! A table set that panics in the function `RESTAB_PANIC_IN` names:
//! `create`, `resource_new` (an operation), `scope_count` (an observation
//! function, which the harness calls right after create) or `check`.
//! Otherwise it is empty and declines every operation.

use restab::{decline, Broken, Check, Config, Lender, Observe, Resource, Result, Slot, Tables};

pub struct Panicky {
    panic_in: String,
}

fn panic_in() -> String {
    std::env::var("RESTAB_PANIC_IN").unwrap_or_default()
}

fn no_operations<T>() -> Result<T> {
    Err(decline("rust-panic has no operations"))
}

impl Tables for Panicky {
    const NAME: &'static std::ffi::CStr = c"rust_panic";

    fn create(_config: &Config) -> Result<Self> {
        let panic_in = panic_in();
        if panic_in == "create" {
            panic!("planted panic in create");
        }
        Ok(Panicky { panic_in })
    }

    fn resource_new(&mut self, _resource: Resource, rep: u32) -> Result<u32> {
        if self.panic_in == "resource_new" {
            // An arithmetic overflow: overflow checks are on in every build.
            let ceiling = u32::MAX - rep.min(1);
            return Ok(ceiling + 2);
        }
        no_operations()
    }

    fn lower_own(&mut self, _: Resource, _: u32) -> Result<u32> {
        no_operations()
    }

    fn lower_borrow(&mut self, _: Resource, _: u32) -> Result<u32> {
        no_operations()
    }

    fn resource_rep(&mut self, _: Resource, _: u32) -> Result<u32> {
        no_operations()
    }

    fn resource_drop(&mut self, _: Resource, _: u32) -> Result<Option<u32>> {
        no_operations()
    }

    fn lift_own(&mut self, _: Resource, _: u32) -> Result<u32> {
        no_operations()
    }

    fn lift_borrow(&mut self, _: Resource, _: u32) -> Result<u32> {
        no_operations()
    }

    fn call_enter(&mut self) -> Result<()> {
        no_operations()
    }

    fn call_exit(&mut self) -> Result<()> {
        no_operations()
    }
}

impl Observe for Panicky {
    fn table_size(&self, _: u32) -> u32 {
        0
    }

    fn table_next(&self, _: u32) -> u32 {
        1
    }

    fn table_slot(&self, _: u32, _: u32) -> Option<Slot> {
        None
    }

    fn scope_count(&self) -> u32 {
        let depths: Vec<u32> = Vec::new();
        if self.panic_in == "scope_count" {
            return depths[depths.len()]; // an index out of bounds
        }
        0
    }

    fn scope_borrow_count(&self, _: u32) -> u32 {
        0
    }

    fn scope_lender_count(&self, _: u32) -> u32 {
        0
    }

    fn scope_lender(&self, _: u32, _: u32) -> Option<Lender> {
        None
    }
}

impl Check for Panicky {
    fn check(&self) -> Result<(), Broken> {
        assert!(self.panic_in != "check", "planted panic in check");
        Ok(())
    }
}

restab::export_impl!(rt_rust_panic, Panicky, observe, check);
