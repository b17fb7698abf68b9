//! The `extern "C"` functions behind `export_impl!`: each translates one
//! call of `harness/include/restab_impl.h` into the traits, and back.
//!
//! Every function runs its body under `catch_unwind`. A panic never
//! unwinds into C: the panic hook (installed by the first `create`) keeps
//! the message and its location instead of printing them, and the glue
//! reports them through `rt_impl_failed("panic", FUNCTION, MESSAGE)`, then
//! returns `RT_INVALID` (an operation or `create`) or a neutral value (an
//! observation). With `RESTAB_RUST_BACKTRACE=1` the hook also prints the
//! message and a backtrace to standard error.

use crate::ffi::*;
use crate::{Check, Config, Error, FinalCheck, Observe, Profile, Resource, Result, Slot, Tables};
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// What `create` hands the harness as `self`: the implementation's table
/// set, and the type count the glue checks resources against.
struct Set<T> {
    types: u32,
    tables: T,
}

impl<T> Set<T> {
    /// The resource the interface's number names, if the configuration has
    /// it.
    fn resource(&self, raw: u32) -> Option<Resource> {
        match Resource::from_raw(raw) {
            Resource::Guest(t) if t >= self.types => None,
            resource => Some(resource),
        }
    }
}

thread_local! {
    /// How many glue functions are running on this thread (0 or 1; the
    /// harness never calls back in).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// The message and location of the panic being caught.
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// Installs the panic hook: inside a glue function it keeps the message
/// for the report; anywhere else it leaves the panic to the previous hook.
fn install_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) == 0 {
                previous(info);
                return;
            }
            let mut text = payload_text(info.payload());
            if let Some(at) = info.location() {
                text = format!("{text} (at {}:{}:{})", at.file(), at.line(), at.column());
            }
            if std::env::var_os("RESTAB_RUST_BACKTRACE").is_some_and(|v| v != "0") {
                let trace = std::backtrace::Backtrace::force_capture();
                eprintln!("restab: caught a panic: {text}\n{trace}");
            }
            CAUGHT.with(|caught| *caught.borrow_mut() = Some(text));
        }));
    });
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic whose payload is not a string".to_owned()
    }
}

/// A C string of `text`, NUL bytes as spaces.
fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', " ")).unwrap_or_default()
}

fn report_failure(kind: &str, function: &CStr, message: &str) {
    let (kind, message) = (c_text(kind), c_text(message));
    // SAFETY: three NUL-terminated strings that outlive the call, which
    // copies them.
    unsafe { rt_impl_failed(kind.as_ptr(), function.as_ptr(), message.as_ptr()) }
}

/// Runs `body`; after a panic, reports it as `function`'s failure and
/// returns `on_panic(message)`.
fn guard<R>(function: &CStr, body: impl FnOnce() -> R, on_panic: impl FnOnce(&str) -> R) -> R {
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(body));
    DEPTH.with(|d| d.set(d.get() - 1));
    match result {
        Ok(value) => value,
        Err(payload) => {
            let text = CAUGHT
                .with(|caught| caught.borrow_mut().take())
                .unwrap_or_else(|| payload_text(&*payload));
            // A payload whose drop panics is leaked instead.
            if let Err(again) = panic::catch_unwind(AssertUnwindSafe(|| drop(payload))) {
                std::mem::forget(again);
            }
            report_failure("panic", function, &text);
            on_panic(&text)
        }
    }
}

/// The status of an error; a decline or a failure is passed on to the
/// harness first.
fn status_of(error: Error, function: &CStr) -> rt_status {
    match error {
        Error::UnknownHandle => RT_UNKNOWN_HANDLE,
        Error::WrongType => RT_WRONG_TYPE,
        Error::Borrowed => RT_BORROWED,
        Error::NotOwn => RT_NOT_OWN,
        Error::BorrowsRemain => RT_BORROWS_REMAIN,
        Error::HandleOverflow => RT_HANDLE_OVERFLOW,
        Error::NoScope => RT_NO_SCOPE,
        Error::OutOfMemory => RT_OUT_OF_MEMORY,
        Error::LendOverflow => RT_LEND_OVERFLOW,
        Error::Invalid => RT_INVALID,
        Error::Declined(reason) => {
            let reason = c_text(&reason);
            // SAFETY: a NUL-terminated string; rt_decline copies it.
            unsafe { rt_decline(reason.as_ptr()) };
            RT_DECLINED
        }
        Error::Failed { kind, message } => {
            report_failure(kind, function, &message);
            RT_INVALID
        }
    }
}

/// Copies `text` into the harness's buffer of `size` bytes, NUL-terminated
/// and cut at a character boundary.
fn write_message(msg: *mut c_char, size: usize, text: &str) {
    if msg.is_null() || size == 0 {
        return;
    }
    let mut len = text.len().min(size - 1);
    while !text.is_char_boundary(len) {
        len -= 1;
    }
    // SAFETY: the harness's buffer holds `size` bytes; len + 1 <= size.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr().cast::<c_char>(), msg, len);
        *msg.add(len) = 0;
    }
}

fn config_of(cfg: &rt_config) -> Result<Config> {
    let profile = match cfg.semantics {
        RT_SEMANTICS_WASMTIME35 => Profile::Wasmtime35,
        RT_SEMANTICS_SPEC => Profile::Spec,
        _ => return Err(Error::Invalid),
    };
    let type_instance = if cfg.types == 0 {
        Vec::new()
    } else if cfg.type_instance.is_null() {
        return Err(Error::Invalid);
    } else {
        // SAFETY: restab_impl.h: type_instance has `types` entries and
        // lives during create().
        unsafe { std::slice::from_raw_parts(cfg.type_instance, cfg.types as usize) }.to_vec()
    };
    if type_instance.iter().any(|&i| i >= cfg.instances) {
        return Err(Error::Invalid);
    }
    Ok(Config {
        instances: cfg.instances,
        type_instance,
        limit: cfg.limit,
        max_lends: cfg.max_lends,
        profile,
    })
}

// ---- Lifecycle ---------------------------------------------------------

unsafe extern "C" fn create<T: Tables>(cfg: *const rt_config, out: *mut *mut c_void) -> rt_status {
    install_hook();
    guard(
        c"create",
        || {
            if cfg.is_null() || out.is_null() {
                return RT_INVALID;
            }
            // SAFETY: the harness's configuration, valid during the call.
            let config = match config_of(unsafe { &*cfg }) {
                Ok(config) => config,
                Err(e) => return status_of(e, c"create"),
            };
            if !T::PROFILES.contains(&config.profile) {
                let reason = format!("no {} profile", config.profile.name());
                return status_of(Error::Declined(reason.into()), c"create");
            }
            match T::create(&config) {
                Ok(tables) => {
                    let set = Box::new(Set {
                        types: config.types(),
                        tables,
                    });
                    // SAFETY: checked non-NULL above.
                    unsafe { *out = Box::into_raw(set).cast() };
                    RT_OK
                }
                Err(e) => status_of(e, c"create"),
            }
        },
        |_| RT_INVALID,
    )
}

unsafe extern "C" fn destroy<T: Tables>(s: *mut c_void) {
    if s.is_null() {
        return;
    }
    guard(
        c"destroy",
        // SAFETY: `s` is what create() made with Box::into_raw; the harness
        // destroys each set once.
        || drop(unsafe { Box::from_raw(s.cast::<Set<T>>()) }),
        |text| eprintln!("restab: a panic in destroy: {text}"),
    )
}

// ---- Operations --------------------------------------------------------

/// One operation that writes a handle or a rep on success.
///
/// # Safety
/// `s` is NULL or a set create() made for T; `out` is NULL or writable.
unsafe fn value_op<T: Tables>(
    s: *mut c_void,
    function: &CStr,
    resource: u32,
    out: *mut u32,
    op: impl FnOnce(&mut T, Resource) -> Result<u32>,
) -> rt_status {
    guard(
        function,
        || {
            if s.is_null() || out.is_null() {
                return RT_INVALID;
            }
            // SAFETY: the caller's contract; the harness calls one function
            // of a set at a time.
            let set = unsafe { &mut *s.cast::<Set<T>>() };
            let Some(resource) = set.resource(resource) else {
                return RT_INVALID;
            };
            match op(&mut set.tables, resource) {
                Ok(value) => {
                    // SAFETY: checked non-NULL above.
                    unsafe { *out = value };
                    RT_OK
                }
                Err(e) => status_of(e, function),
            }
        },
        |_| RT_INVALID,
    )
}

unsafe extern "C" fn resource_new<T: Tables>(
    s: *mut c_void,
    resource: u32,
    rep: u32,
    handle: *mut u32,
) -> rt_status {
    // SAFETY: the harness passes create()'s set and a writable handle.
    unsafe {
        value_op::<T>(s, c"resource_new", resource, handle, |t, r| {
            t.resource_new(r, rep)
        })
    }
}

unsafe extern "C" fn lower_own<T: Tables>(
    s: *mut c_void,
    resource: u32,
    rep: u32,
    handle: *mut u32,
) -> rt_status {
    // SAFETY: as resource_new.
    unsafe {
        value_op::<T>(s, c"lower_own", resource, handle, |t, r| {
            t.lower_own(r, rep)
        })
    }
}

unsafe extern "C" fn lower_borrow<T: Tables>(
    s: *mut c_void,
    resource: u32,
    rep: u32,
    handle: *mut u32,
) -> rt_status {
    // SAFETY: as resource_new.
    unsafe {
        value_op::<T>(s, c"lower_borrow", resource, handle, |t, r| {
            t.lower_borrow(r, rep)
        })
    }
}

unsafe extern "C" fn resource_rep<T: Tables>(
    s: *mut c_void,
    resource: u32,
    handle: u32,
    rep: *mut u32,
) -> rt_status {
    // SAFETY: as resource_new.
    unsafe {
        value_op::<T>(s, c"resource_rep", resource, rep, |t, r| {
            t.resource_rep(r, handle)
        })
    }
}

unsafe extern "C" fn lift_own<T: Tables>(
    s: *mut c_void,
    resource: u32,
    handle: u32,
    rep: *mut u32,
) -> rt_status {
    // SAFETY: as resource_new.
    unsafe { value_op::<T>(s, c"lift_own", resource, rep, |t, r| t.lift_own(r, handle)) }
}

unsafe extern "C" fn lift_borrow<T: Tables>(
    s: *mut c_void,
    resource: u32,
    handle: u32,
    rep: *mut u32,
) -> rt_status {
    // SAFETY: as resource_new.
    unsafe {
        value_op::<T>(s, c"lift_borrow", resource, rep, |t, r| {
            t.lift_borrow(r, handle)
        })
    }
}

unsafe extern "C" fn resource_drop<T: Tables>(
    s: *mut c_void,
    resource: u32,
    handle: u32,
    destructor_due: *mut c_int,
    rep: *mut u32,
) -> rt_status {
    guard(
        c"resource_drop",
        || {
            if s.is_null() || destructor_due.is_null() || rep.is_null() {
                return RT_INVALID;
            }
            // SAFETY: as value_op.
            let set = unsafe { &mut *s.cast::<Set<T>>() };
            let Some(resource) = set.resource(resource) else {
                return RT_INVALID;
            };
            match set.tables.resource_drop(resource, handle) {
                // SAFETY (both): checked non-NULL above.
                Ok(Some(value)) => {
                    unsafe {
                        *destructor_due = 1;
                        *rep = value;
                    }
                    RT_OK
                }
                Ok(None) => {
                    unsafe { *destructor_due = 0 };
                    RT_OK
                }
                Err(e) => status_of(e, c"resource_drop"),
            }
        },
        |_| RT_INVALID,
    )
}

/// `call_enter` or `call_exit`.
///
/// # Safety
/// `s` is NULL or a set create() made for T.
unsafe fn scope_op<T: Tables>(
    s: *mut c_void,
    function: &CStr,
    op: impl FnOnce(&mut T) -> Result<()>,
) -> rt_status {
    guard(
        function,
        || {
            if s.is_null() {
                return RT_INVALID;
            }
            // SAFETY: as value_op.
            let set = unsafe { &mut *s.cast::<Set<T>>() };
            match op(&mut set.tables) {
                Ok(()) => RT_OK,
                Err(e) => status_of(e, function),
            }
        },
        |_| RT_INVALID,
    )
}

unsafe extern "C" fn call_enter<T: Tables>(s: *mut c_void) -> rt_status {
    // SAFETY: the harness passes create()'s set.
    unsafe { scope_op::<T>(s, c"call_enter", T::call_enter) }
}

unsafe extern "C" fn call_exit<T: Tables>(s: *mut c_void) -> rt_status {
    // SAFETY: the harness passes create()'s set.
    unsafe { scope_op::<T>(s, c"call_exit", T::call_exit) }
}

// ---- Checks ------------------------------------------------------------

/// The implementation behind a `const void *self`.
///
/// # Safety
/// `s` is a set create() made for T (the harness never passes NULL to the
/// observation functions).
unsafe fn tables<'a, T>(s: *const c_void) -> &'a T {
    // SAFETY: the caller's contract.
    unsafe { &(*s.cast::<Set<T>>()).tables }
}

unsafe extern "C" fn check<T: Tables + Check>(
    s: *const c_void,
    msg: *mut c_char,
    size: usize,
) -> c_int {
    guard(
        c"check",
        // SAFETY: the harness passes create()'s set.
        || match unsafe { tables::<T>(s) }.check() {
            Ok(()) => 0,
            Err(broken) => {
                write_message(
                    msg,
                    size,
                    &format!("invariant {}: {}", broken.invariant(), broken.message()),
                );
                broken.invariant() as c_int
            }
        },
        |text| {
            write_message(msg, size, &format!("panic in check: {text}"));
            1
        },
    )
}

unsafe extern "C" fn final_check<T: Tables + FinalCheck>(
    s: *mut c_void,
    msg: *mut c_char,
    size: usize,
) -> c_int {
    guard(
        c"final_check",
        || {
            // SAFETY: the harness passes create()'s set.
            let set = unsafe { &mut *s.cast::<Set<T>>() };
            match set.tables.final_check() {
                Ok(()) => 0,
                Err(sentence) => {
                    write_message(msg, size, &sentence);
                    -1
                }
            }
        },
        |text| {
            write_message(msg, size, &format!("panic in final_check: {text}"));
            -1
        },
    )
}

// ---- Observation -------------------------------------------------------

unsafe extern "C" fn table_size<T: Tables + Observe>(s: *const c_void, table: u32) -> u32 {
    // SAFETY (every observation function): the harness passes create()'s set.
    guard(
        c"table_size",
        || unsafe { tables::<T>(s) }.table_size(table),
        |_| 0,
    )
}

unsafe extern "C" fn table_next<T: Tables + Observe>(s: *const c_void, table: u32) -> u32 {
    guard(
        c"table_next",
        || unsafe { tables::<T>(s) }.table_next(table),
        |_| 0,
    )
}

fn slot_of(slot: Slot) -> rt_slot {
    match slot {
        Slot::Free => rt_slot::default(),
        Slot::Own {
            resource,
            rep,
            lends,
        } => rt_slot {
            kind: RT_OWN,
            resource: resource.raw(),
            rep,
            lends,
            scope: 0,
        },
        Slot::Borrow {
            resource,
            rep,
            lends,
            scope,
        } => rt_slot {
            kind: RT_BORROW,
            resource: resource.raw(),
            rep,
            lends,
            scope,
        },
    }
}

unsafe extern "C" fn table_slot<T: Tables + Observe>(
    s: *const c_void,
    table: u32,
    handle: u32,
    out: *mut rt_slot,
) -> c_int {
    guard(
        c"table_slot",
        || match unsafe { tables::<T>(s) }.table_slot(table, handle) {
            Some(slot) if !out.is_null() => {
                // SAFETY: checked non-NULL.
                unsafe { *out = slot_of(slot) };
                0
            }
            _ => -1,
        },
        |_| -1,
    )
}

unsafe extern "C" fn scope_count<T: Tables + Observe>(s: *const c_void) -> u32 {
    guard(
        c"scope_count",
        || unsafe { tables::<T>(s) }.scope_count(),
        |_| 0,
    )
}

unsafe extern "C" fn scope_borrow_count<T: Tables + Observe>(s: *const c_void, depth: u32) -> u32 {
    guard(
        c"scope_borrow_count",
        || unsafe { tables::<T>(s) }.scope_borrow_count(depth),
        |_| 0,
    )
}

unsafe extern "C" fn scope_lender_count<T: Tables + Observe>(s: *const c_void, depth: u32) -> u32 {
    guard(
        c"scope_lender_count",
        || unsafe { tables::<T>(s) }.scope_lender_count(depth),
        |_| 0,
    )
}

unsafe extern "C" fn scope_lender<T: Tables + Observe>(
    s: *const c_void,
    depth: u32,
    i: u32,
    table: *mut u32,
    handle: *mut u32,
) -> c_int {
    guard(
        c"scope_lender",
        || match unsafe { tables::<T>(s) }.scope_lender(depth, i) {
            Some(lender) if !table.is_null() && !handle.is_null() => {
                // SAFETY: checked non-NULL.
                unsafe {
                    *table = lender.table;
                    *handle = lender.handle;
                }
                0
            }
            _ => -1,
        },
        |_| -1,
    )
}

// ---- The table ---------------------------------------------------------

const fn profile_bits(profiles: &[Profile]) -> c_uint {
    let mut bits = 0;
    let mut i = 0;
    while i < profiles.len() {
        bits |= 1 << profiles[i] as u32;
        i += 1;
    }
    bits
}

/// The `rt_impl` of T with the operations only (results are compared).
pub const fn operations<T: Tables>() -> rt_impl {
    rt_impl {
        name: T::NAME.as_ptr(),
        profiles: profile_bits(T::PROFILES),
        create: Some(create::<T>),
        destroy: Some(destroy::<T>),
        resource_new: Some(resource_new::<T>),
        lower_own: Some(lower_own::<T>),
        lower_borrow: Some(lower_borrow::<T>),
        resource_rep: Some(resource_rep::<T>),
        resource_drop: Some(resource_drop::<T>),
        lift_own: Some(lift_own::<T>),
        lift_borrow: Some(lift_borrow::<T>),
        call_enter: Some(call_enter::<T>),
        call_exit: Some(call_exit::<T>),
        check: None,
        table_size: None,
        table_next: None,
        table_slot: None,
        scope_count: None,
        scope_borrow_count: None,
        scope_lender_count: None,
        scope_lender: None,
        final_check: None,
    }
}

/// `table` with the seven observation functions of T.
pub const fn with_observe<T: Tables + Observe>(mut table: rt_impl) -> rt_impl {
    table.table_size = Some(table_size::<T>);
    table.table_next = Some(table_next::<T>);
    table.table_slot = Some(table_slot::<T>);
    table.scope_count = Some(scope_count::<T>);
    table.scope_borrow_count = Some(scope_borrow_count::<T>);
    table.scope_lender_count = Some(scope_lender_count::<T>);
    table.scope_lender = Some(scope_lender::<T>);
    table
}

/// `table` with T's integrity check.
pub const fn with_check<T: Tables + Check>(mut table: rt_impl) -> rt_impl {
    table.check = Some(check::<T>);
    table
}

/// `table` with T's final check.
pub const fn with_final_check<T: Tables + FinalCheck>(mut table: rt_impl) -> rt_impl {
    table.final_check = Some(final_check::<T>);
    table
}
