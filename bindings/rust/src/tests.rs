//! The glue against restab_impl.h's rules, through the exported table as
//! the harness calls it. rt_decline and rt_impl_failed (harness/outcome.c
//! in a real build) are recorded here instead.

use crate::ffi::*;
use crate::*;
use std::cell::RefCell;
use std::ffi::{c_char, c_void, CStr};

thread_local! {
    static CALLS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn text(p: *const c_char) -> String {
    // SAFETY: the glue passes NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

#[unsafe(no_mangle)]
extern "C" fn rt_decline(reason: *const c_char) -> rt_status {
    CALLS.with(|c| c.borrow_mut().push(format!("decline {}", text(reason))));
    RT_DECLINED
}

#[unsafe(no_mangle)]
extern "C" fn rt_impl_failed(kind: *const c_char, function: *const c_char, message: *const c_char) {
    let call = format!("failed {} {} {}", text(kind), text(function), text(message));
    CALLS.with(|c| c.borrow_mut().push(call));
}

fn calls() -> Vec<String> {
    CALLS.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

/// One own slot per table; rep 13 panics, rep 7 declines, rep 9 fails.
struct Toy {
    reps: Vec<Option<u32>>,
    lends: u32,
}

impl Tables for Toy {
    const NAME: &'static CStr = c"toy";
    const PROFILES: &'static [Profile] = &[Profile::Spec];

    fn create(config: &Config) -> Result<Self> {
        if config.max_lends == 0 {
            return Err(decline("no lends at all"));
        }
        Ok(Toy {
            reps: vec![None; config.instances as usize + 1],
            lends: 0,
        })
    }

    fn resource_new(&mut self, resource: Resource, rep: u32) -> Result<u32> {
        match rep {
            13 => panic!("thirteen"),
            7 => return Err(decline("no sevens")),
            9 => {
                return Err(Error::Failed {
                    kind: "unmapped",
                    message: "nine".into(),
                })
            }
            _ => {}
        }
        let table = match resource {
            Resource::Host => self.reps.len() - 1,
            Resource::Guest(_) => 0,
        };
        if self.reps[table].is_some() {
            return Err(Error::HandleOverflow);
        }
        self.reps[table] = Some(rep);
        Ok(1)
    }

    fn lower_own(&mut self, resource: Resource, rep: u32) -> Result<u32> {
        self.resource_new(resource, rep)
    }

    fn lower_borrow(&mut self, _: Resource, _: u32) -> Result<u32> {
        Err(Error::NoScope)
    }

    fn resource_rep(&mut self, _: Resource, handle: u32) -> Result<u32> {
        self.reps[0]
            .filter(|_| handle == 1)
            .ok_or(Error::UnknownHandle)
    }

    fn resource_drop(&mut self, _: Resource, handle: u32) -> Result<Option<u32>> {
        match handle {
            1 => Ok(self.reps[0].take()),
            2 => Ok(None),
            _ => Err(Error::UnknownHandle),
        }
    }

    fn lift_own(&mut self, _: Resource, _: u32) -> Result<u32> {
        Err(Error::NotOwn)
    }

    fn lift_borrow(&mut self, _: Resource, _: u32) -> Result<u32> {
        self.lends += 1;
        Err(Error::LendOverflow)
    }

    fn call_enter(&mut self) -> Result<()> {
        Ok(())
    }

    fn call_exit(&mut self) -> Result<()> {
        Err(Error::NoScope)
    }
}

impl Observe for Toy {
    fn table_size(&self, table: u32) -> u32 {
        self.reps
            .get(table as usize)
            .map_or(0, |r| r.is_some() as u32)
    }

    fn table_next(&self, _: u32) -> u32 {
        1
    }

    fn table_slot(&self, table: u32, handle: u32) -> Option<Slot> {
        let rep = (*self.reps.get(table as usize)?)?;
        (handle == 1).then_some(Slot::Own {
            resource: Resource::Host,
            rep,
            lends: 0,
        })
    }

    fn scope_count(&self) -> u32 {
        assert!(self.lends < 2, "scope_count after two lends");
        0
    }

    fn scope_borrow_count(&self, _: u32) -> u32 {
        0
    }

    fn scope_lender_count(&self, _: u32) -> u32 {
        0
    }

    fn scope_lender(&self, depth: u32, i: u32) -> Option<Lender> {
        (depth == 0 && i == 0).then_some(Lender {
            table: 4,
            handle: 5,
        })
    }
}

impl Check for Toy {
    fn check(&self) -> Result<(), Broken> {
        match self.lends {
            0 => Ok(()),
            1 => Err(Broken::new(2, "a lend too many")),
            _ => panic!("check after two lends"),
        }
    }
}

export_impl!(rt_toy, Toy, observe, check);
export_impl!(rt_toy_results, Toy);

const TYPES: [u32; 2] = [0, 1];

fn config(semantics: rt_semantics, max_lends: u32) -> rt_config {
    rt_config {
        instances: 2,
        types: 2,
        type_instance: TYPES.as_ptr(),
        limit: 100,
        max_lends,
        semantics,
        alloc: None,
        alloc_user: std::ptr::null_mut(),
    }
}

fn create(cfg: &rt_config) -> (rt_status, *mut c_void) {
    let mut set = std::ptr::null_mut();
    // SAFETY: a valid configuration and out-parameter.
    let status = unsafe { rt_toy.create.unwrap()(cfg, &mut set) };
    (status, set)
}

fn new(set: *mut c_void, resource: u32, rep: u32) -> (rt_status, u32) {
    let mut handle = 0xdead;
    // SAFETY: a set create() made.
    let status = unsafe { rt_toy.resource_new.unwrap()(set, resource, rep, &mut handle) };
    (status, handle)
}

fn destroy(set: *mut c_void) {
    // SAFETY: a set create() made, destroyed once.
    unsafe { rt_toy.destroy.unwrap()(set) }
}

#[test]
fn the_table_has_what_the_options_name() {
    assert_eq!(text(rt_toy.name), "toy");
    assert_eq!(rt_toy.profiles, 1 << RT_SEMANTICS_SPEC);
    assert!(rt_toy.check.is_some() && rt_toy.table_size.is_some() && rt_toy.scope_lender.is_some());
    assert!(rt_toy.final_check.is_none());
    assert!(rt_toy_results.check.is_none() && rt_toy_results.table_size.is_none());
    assert!(rt_toy_results.scope_lender.is_none() && rt_toy_results.call_exit.is_some());
}

#[test]
fn create_declines_a_missing_profile_and_what_the_implementation_declines() {
    calls();
    let (status, set) = create(&config(RT_SEMANTICS_WASMTIME35, 5));
    assert_eq!((status, set), (RT_DECLINED, std::ptr::null_mut()));
    assert_eq!(calls(), ["decline no wasmtime35 profile"]);
    let (status, _) = create(&config(RT_SEMANTICS_SPEC, 0));
    assert_eq!(status, RT_DECLINED);
    assert_eq!(calls(), ["decline no lends at all"]);
    let (status, _) = create(&config(7, 5));
    assert_eq!(status, RT_INVALID);
    let mut bad = config(RT_SEMANTICS_SPEC, 5);
    bad.type_instance = std::ptr::null();
    assert_eq!(create(&bad).0, RT_INVALID);
    let bad_map = [0, 2];
    bad.type_instance = bad_map.as_ptr();
    assert_eq!(create(&bad).0, RT_INVALID);
    assert!(calls().is_empty());
}

#[test]
fn out_parameters_are_written_only_on_success() {
    let (status, set) = create(&config(RT_SEMANTICS_SPEC, 5));
    assert_eq!(status, RT_OK);
    assert_eq!(new(set, 0, 42), (RT_OK, 1));
    assert_eq!(new(set, 0, 43), (RT_HANDLE_OVERFLOW, 0xdead));
    assert_eq!(
        new(set, 2, 43),
        (RT_INVALID, 0xdead),
        "type 2 is not in the configuration"
    );
    assert_eq!(new(set, RT_HOST, 44), (RT_OK, 1));
    let (mut due, mut rep) = (7, 0xdead);
    // SAFETY (every call below): the set create() made, valid pointers.
    let drop = rt_toy.resource_drop.unwrap();
    assert_eq!(
        unsafe { drop(set, 0, 3, &mut due, &mut rep) },
        RT_UNKNOWN_HANDLE
    );
    assert_eq!((due, rep), (7, 0xdead));
    assert_eq!(unsafe { drop(set, 0, 2, &mut due, &mut rep) }, RT_OK);
    assert_eq!((due, rep), (0, 0xdead), "a borrow's rep is not written");
    assert_eq!(unsafe { drop(set, 0, 1, &mut due, &mut rep) }, RT_OK);
    assert_eq!((due, rep), (1, 42));
    let mut slot = rt_slot {
        kind: 9,
        ..rt_slot::default()
    };
    assert_eq!(
        unsafe { rt_toy.table_slot.unwrap()(set, 2, 2, &mut slot) },
        -1
    );
    assert_eq!(slot.kind, 9);
    assert_eq!(
        unsafe { rt_toy.table_slot.unwrap()(set, 2, 1, &mut slot) },
        0
    );
    assert_eq!(
        slot,
        rt_slot {
            kind: RT_OWN,
            resource: RT_HOST,
            rep: 44,
            lends: 0,
            scope: 0
        }
    );
    let (mut table, mut handle) = (0, 0);
    assert_eq!(
        unsafe { rt_toy.scope_lender.unwrap()(set, 0, 1, &mut table, &mut handle) },
        -1
    );
    assert_eq!((table, handle), (0, 0));
    assert_eq!(
        unsafe { rt_toy.scope_lender.unwrap()(set, 0, 0, &mut table, &mut handle) },
        0
    );
    assert_eq!((table, handle), (4, 5));
    assert_eq!(unsafe { rt_toy.call_exit.unwrap()(set) }, RT_NO_SCOPE);
    destroy(set);
    assert!(calls().is_empty());
}

#[test]
fn declines_and_failures_reach_the_harness() {
    let (_, set) = create(&config(RT_SEMANTICS_SPEC, 5));
    calls();
    assert_eq!(new(set, 0, 7), (RT_DECLINED, 0xdead));
    assert_eq!(calls(), ["decline no sevens"]);
    assert_eq!(new(set, 0, 9), (RT_INVALID, 0xdead));
    assert_eq!(calls(), ["failed unmapped resource_new nine"]);
    destroy(set);
}

#[test]
fn panics_are_caught_and_reported_with_the_function() {
    let (_, set) = create(&config(RT_SEMANTICS_SPEC, 5));
    calls();
    assert_eq!(new(set, 0, 13), (RT_INVALID, 0xdead));
    let reported = calls();
    assert_eq!(reported.len(), 1);
    assert!(
        reported[0].starts_with("failed panic resource_new thirteen (at ")
            && reported[0].contains("tests.rs:"),
        "{reported:?}"
    );

    let mut msg = [0 as c_char; 64];
    let mut rep = 0;
    // SAFETY (every call below): the set create() made, valid pointers.
    let check = rt_toy.check.unwrap();
    assert_eq!(unsafe { check(set, msg.as_mut_ptr(), msg.len()) }, 0);
    let lift_borrow = rt_toy.lift_borrow.unwrap();
    assert_eq!(
        unsafe { lift_borrow(set, 0, 1, &mut rep) },
        RT_LEND_OVERFLOW
    );
    assert_eq!(unsafe { check(set, msg.as_mut_ptr(), msg.len()) }, 2);
    assert_eq!(text(msg.as_ptr()), "invariant 2: a lend too many");
    assert_eq!(unsafe { check(set, msg.as_mut_ptr(), 10) }, 2);
    assert_eq!(
        text(msg.as_ptr()),
        "invariant",
        "cut to the buffer, NUL-terminated"
    );
    assert!(calls().is_empty());

    assert_eq!(
        unsafe { lift_borrow(set, 0, 1, &mut rep) },
        RT_LEND_OVERFLOW
    );
    assert_eq!(unsafe { check(set, msg.as_mut_ptr(), msg.len()) }, 1);
    assert!(text(msg.as_ptr()).starts_with("panic in check: check after two lends"));
    assert_eq!(unsafe { rt_toy.scope_count.unwrap()(set) }, 0);
    let reported = calls();
    assert_eq!(reported.len(), 2);
    assert!(reported[0].starts_with("failed panic check check after two lends"));
    assert!(reported[1].starts_with("failed panic scope_count scope_count after two lends"));
    destroy(set);
}

#[test]
fn a_panic_outside_the_glue_is_left_to_the_previous_hook() {
    create(&config(RT_SEMANTICS_SPEC, 5)); // installs the hook
    calls();
    assert!(std::panic::catch_unwind(|| panic!("outside")).is_err());
    assert!(calls().is_empty());
}
