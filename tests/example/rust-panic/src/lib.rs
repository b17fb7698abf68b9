//! A table set that panics in the function a feature names; otherwise
//! empty, declining every operation.

use restab::{decline, Broken, Check, Config, Lender, Observe, Resource, Result, Slot, Tables};

pub struct Panicky;

fn no_operations<T>() -> Result<T> {
    Err(decline("rust-panic has no operations"))
}

impl Tables for Panicky {
    const NAME: &'static std::ffi::CStr = c"rust_panic";

    fn create(_config: &Config) -> Result<Self> {
        if cfg!(feature = "create") {
            panic!("planted panic in create");
        }
        Ok(Panicky)
    }

    fn resource_new(&mut self, _resource: Resource, rep: u32) -> Result<u32> {
        if cfg!(feature = "operation") {
            panic!("planted panic in resource_new (rep {rep})");
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
        if cfg!(feature = "observation") {
            let depths: Vec<u32> = Vec::new();
            return depths[0]; // an index out of bounds
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
        if cfg!(feature = "check") {
            let none: Option<u32> = None;
            none.expect("planted panic in check");
        }
        Ok(())
    }
}

restab::export_impl!(rt_rust_panic, Panicky, observe, check);
