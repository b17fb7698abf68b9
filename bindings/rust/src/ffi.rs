//! The C interface, field for field: a `#[repr(C)]` mirror of
//! `harness/include/restab_impl.h`. The glue (`export_impl!`) fills these;
//! an implementation never needs them.
//!
//! The C enums (`rt_status`, `rt_semantics`, `rt_slot_kind`) are plain
//! integers here, so that no value the C side passes can be an invalid Rust
//! enum.
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_uint, c_void};

/// `rt_status`: the outcome of a function (`RT_STATUS_MAP`).
pub type rt_status = c_uint;
pub const RT_OK: rt_status = 0;
pub const RT_UNKNOWN_HANDLE: rt_status = 1;
pub const RT_WRONG_TYPE: rt_status = 2;
pub const RT_BORROWED: rt_status = 3;
pub const RT_NOT_OWN: rt_status = 4;
pub const RT_BORROWS_REMAIN: rt_status = 5;
pub const RT_HANDLE_OVERFLOW: rt_status = 6;
pub const RT_NO_SCOPE: rt_status = 7;
pub const RT_OUT_OF_MEMORY: rt_status = 8;
pub const RT_LEND_OVERFLOW: rt_status = 9;
pub const RT_INVALID: rt_status = 10;
pub const RT_DECLINED: rt_status = 11;

/// `RT_HOST`: the resource of host entries.
pub const RT_HOST: u32 = u32::MAX;

/// `rt_semantics`: the contract a table set follows.
pub type rt_semantics = c_uint;
pub const RT_SEMANTICS_WASMTIME35: rt_semantics = 0;
pub const RT_SEMANTICS_SPEC: rt_semantics = 1;

/// `rt_slot_kind`.
pub type rt_slot_kind = c_uint;
pub const RT_FREE: rt_slot_kind = 0;
pub const RT_OWN: rt_slot_kind = 1;
pub const RT_BORROW: rt_slot_kind = 2;

/// `rt_alloc_fn`: the allocation hook (unused by Rust implementations).
pub type rt_alloc_fn =
    Option<unsafe extern "C" fn(*mut c_void, *mut c_void, usize, usize) -> *mut c_void>;

/// `rt_config`: the shape of a table set.
#[repr(C)]
pub struct rt_config {
    pub instances: u32,
    pub types: u32,
    pub type_instance: *const u32,
    pub limit: u32,
    pub max_lends: u32,
    pub semantics: rt_semantics,
    pub alloc: rt_alloc_fn,
    pub alloc_user: *mut c_void,
}

/// `rt_slot`: one observed slot.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct rt_slot {
    pub kind: rt_slot_kind,
    pub resource: u32,
    pub rep: u32,
    pub lends: u32,
    pub scope: u32,
}

pub type CreateFn = unsafe extern "C" fn(*const rt_config, *mut *mut c_void) -> rt_status;
pub type DestroyFn = unsafe extern "C" fn(*mut c_void);
pub type InsertFn = unsafe extern "C" fn(*mut c_void, u32, u32, *mut u32) -> rt_status;
pub type LookupFn = unsafe extern "C" fn(*mut c_void, u32, u32, *mut u32) -> rt_status;
pub type DropFn = unsafe extern "C" fn(*mut c_void, u32, u32, *mut c_int, *mut u32) -> rt_status;
pub type ScopeFn = unsafe extern "C" fn(*mut c_void) -> rt_status;
pub type CheckFn = unsafe extern "C" fn(*const c_void, *mut c_char, usize) -> c_int;
pub type TableFn = unsafe extern "C" fn(*const c_void, u32) -> u32;
pub type SlotFn = unsafe extern "C" fn(*const c_void, u32, u32, *mut rt_slot) -> c_int;
pub type CountFn = unsafe extern "C" fn(*const c_void) -> u32;
pub type DepthFn = unsafe extern "C" fn(*const c_void, u32) -> u32;
pub type LenderFn = unsafe extern "C" fn(*const c_void, u32, u32, *mut u32, *mut u32) -> c_int;
pub type FinalCheckFn = unsafe extern "C" fn(*mut c_void, *mut c_char, usize) -> c_int;

/// `rt_impl`: one implementation, its name and its functions. `None` is
/// C's NULL (the optional functions).
#[repr(C)]
pub struct rt_impl {
    pub name: *const c_char,
    pub profiles: c_uint,
    pub create: Option<CreateFn>,
    pub destroy: Option<DestroyFn>,
    pub resource_new: Option<InsertFn>,
    pub lower_own: Option<InsertFn>,
    pub lower_borrow: Option<InsertFn>,
    pub resource_rep: Option<LookupFn>,
    pub resource_drop: Option<DropFn>,
    pub lift_own: Option<LookupFn>,
    pub lift_borrow: Option<LookupFn>,
    pub call_enter: Option<ScopeFn>,
    pub call_exit: Option<ScopeFn>,
    pub check: Option<CheckFn>,
    pub table_size: Option<TableFn>,
    pub table_next: Option<TableFn>,
    pub table_slot: Option<SlotFn>,
    pub scope_count: Option<CountFn>,
    pub scope_borrow_count: Option<DepthFn>,
    pub scope_lender_count: Option<DepthFn>,
    pub scope_lender: Option<LenderFn>,
    pub final_check: Option<FinalCheckFn>,
}

// The table is immutable and its name points into static memory, so the
// harness may read it from any thread.
unsafe impl Sync for rt_impl {}

extern "C" {
    /// Keeps the reason (at most 63 bytes) and returns `RT_DECLINED`
    /// (harness/outcome.c).
    pub fn rt_decline(reason: *const c_char) -> rt_status;
    /// Reports the implementation's own failure: signature kind
    /// `impl-failure:KIND@FUNCTION` (harness/outcome.c).
    pub fn rt_impl_failed(kind: *const c_char, function: *const c_char, message: *const c_char);
}
