//! The adapter over wasmtime 35's own code: results of the contract's
//! examples, and for each path where wasmtime 35 changes its state before it
//! fails, what each mode leaves (docs/semantics.md, "Differences from
//! wasmtime 35").

use crate::{Mode, Wasmtime};
use restab::{Config, Error, Lender, Observe, Profile, Resource, Slot as SlotView, Tables};
use std::panic::{AssertUnwindSafe, catch_unwind};

const T0: Resource = Resource::Guest(0);
const T1: Resource = Resource::Guest(1);
const T2: Resource = Resource::Guest(2);
const HOST: Resource = Resource::Host;

fn set(mode: Mode) -> Wasmtime {
    set_limit(mode, 1 << 30)
}

fn config(limit: u32, max_lends: u32) -> Config {
    Config {
        instances: 2,
        type_instance: vec![0, 0, 1],
        limit,
        max_lends,
        profile: Profile::Wasmtime35,
    }
}

fn set_limit(mode: Mode, limit: u32) -> Wasmtime {
    Wasmtime::new(&config(limit, u32::MAX), mode).expect("configured")
}

fn own(resource: Resource, rep: u32, lends: u32) -> Option<SlotView> {
    Some(SlotView::Own { resource, rep, lends })
}

fn panics<T>(f: impl FnOnce() -> T) -> bool {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panicked = catch_unwind(AssertUnwindSafe(f)).is_err();
    std::panic::set_hook(hook);
    panicked
}

#[test]
fn contract_example() {
    for mode in [Mode::Restore, Mode::Raw] {
        let mut w = set(mode);
        assert_eq!(w.resource_new(T0, 42), Ok(1));
        assert_eq!(w.resource_new(HOST, 7), Ok(1));
        assert_eq!(w.call_enter(), Ok(()));
        assert_eq!(w.lift_borrow(T0, 1), Ok(42));
        assert_eq!(w.lower_borrow(T2, 42), Ok(1));
        assert_eq!(w.resource_drop(T2, 1), Ok(None));
        assert_eq!(w.call_exit(), Ok(()));
        assert_eq!(w.resource_drop(T0, 1), Ok(Some(42)));
        assert_eq!(w.table_slot(2, 1), own(HOST, 7, 0));
        assert_eq!(w.table_slot(1, 1), Some(SlotView::Free));
        assert_eq!(w.table_next(0), 1);
    }
}

#[test]
fn reuse_order() {
    let mut w = set(Mode::Restore);
    for h in 1..=3 {
        assert_eq!(w.resource_new(T1, h), Ok(h));
    }
    for h in 1..=3 {
        assert_eq!(w.resource_drop(T1, h), Ok(Some(h)));
    }
    let got: Vec<_> = (0..4).map(|_| w.resource_new(T1, 9).unwrap()).collect();
    assert_eq!(got, [3, 2, 1, 4]);
}

#[test]
fn observation_reads_lenders_and_borrows() {
    let mut w = set(Mode::Restore);
    w.resource_new(T2, 5).unwrap();
    w.resource_new(HOST, 6).unwrap();
    w.call_enter().unwrap();
    w.lift_borrow(T2, 1).unwrap();
    w.lift_borrow(HOST, 1).unwrap();
    assert_eq!(w.lower_borrow(T0, 8), Ok(1));
    assert_eq!(w.scope_count(), 1);
    assert_eq!(w.scope_borrow_count(0), 1);
    assert_eq!(w.scope_lender_count(0), 2);
    assert_eq!(w.scope_lender(0, 0), Some(Lender { table: 1, handle: 1 }));
    assert_eq!(w.scope_lender(0, 1), Some(Lender { table: 2, handle: 1 }));
    assert_eq!(w.scope_lender(0, 2), None);
    assert_eq!(w.table_slot(0, 1), Some(SlotView::Borrow { resource: T0, rep: 8, lends: 0, scope: 0 }));
    assert_eq!(w.table_slot(1, 1), own(T2, 5, 1));
    assert_eq!(w.table_slot(0, 2), None);
    assert_eq!(w.table_size(3), 0);
}

/// An own lent once, in table 0 handle 1, inside one scope.
fn lent(mode: Mode) -> Wasmtime {
    let mut w = set(mode);
    w.resource_new(T0, 42).unwrap();
    w.call_enter().unwrap();
    w.lift_borrow(T0, 1).unwrap();
    w
}

#[test]
fn drop_of_a_lent_own() {
    let mut w = lent(Mode::Restore);
    assert_eq!(w.resource_drop(T0, 1), Err(Error::Borrowed));
    assert_eq!(w.table_slot(0, 1), own(T0, 42, 1));
    assert_eq!(w.table_next(0), 2);
    let mut w = lent(Mode::Raw);
    assert_eq!(w.resource_drop(T0, 1), Err(Error::Borrowed));
    assert_eq!(w.table_slot(0, 1), Some(SlotView::Free));
    assert_eq!(w.table_next(0), 1);
    // The scope's lender record now names a free slot: exit unwraps the
    // failed look-up.
    assert!(panics(|| w.call_exit()));
}

#[test]
fn drop_and_lift_own_with_the_wrong_type() {
    for mode in [Mode::Restore, Mode::Raw] {
        let mut w = set(mode);
        w.resource_new(T0, 42).unwrap();
        assert_eq!(w.resource_drop(T1, 1), Err(Error::WrongType));
        // Raw: the drop freed the own although it failed.
        let lift = if mode == Mode::Restore { Error::WrongType } else { Error::UnknownHandle };
        assert_eq!(w.lift_own(T1, 1), Err(lift));
        let expect = if mode == Mode::Restore { own(T0, 42, 0) } else { Some(SlotView::Free) };
        assert_eq!(w.table_slot(0, 1), expect);
    }
}

#[test]
fn lift_own_of_a_borrow() {
    let mut w = set(Mode::Restore);
    w.call_enter().unwrap();
    w.lower_borrow(T0, 3).unwrap();
    assert_eq!(w.lift_own(T0, 1), Err(Error::NotOwn));
    assert_eq!(w.table_slot(0, 1), Some(SlotView::Borrow { resource: T0, rep: 3, lends: 0, scope: 0 }));
    assert_eq!(w.scope_borrow_count(0), 1);
    let mut w = set(Mode::Raw);
    w.call_enter().unwrap();
    w.lower_borrow(T0, 3).unwrap();
    assert_eq!(w.lift_own(T0, 1), Err(Error::NotOwn));
    assert_eq!(w.table_slot(0, 1), Some(SlotView::Free));
    // The borrow is gone but still counted: the scope can never exit.
    assert_eq!(w.scope_borrow_count(0), 1);
    assert_eq!(w.call_exit(), Err(Error::BorrowsRemain));
    assert_eq!(w.scope_count(), 0);
}

#[test]
fn exit_with_borrows_remaining() {
    for mode in [Mode::Restore, Mode::Raw] {
        let mut w = lent(mode);
        w.lower_borrow(T2, 9).unwrap();
        assert_eq!(w.call_exit(), Err(Error::BorrowsRemain));
        if mode == Mode::Restore {
            assert_eq!(w.scope_count(), 1);
            assert_eq!(w.scope_lender(0, 0), Some(Lender { table: 0, handle: 1 }));
            assert_eq!(w.scope_borrow_count(0), 1);
            assert_eq!(w.resource_drop(T2, 1), Ok(None));
            assert_eq!(w.call_exit(), Ok(()));
            assert_eq!(w.table_slot(0, 1), own(T0, 42, 0));
        } else {
            // The scope is gone with its lender record: the own stays lent,
            // and dropping the borrow indexes the popped scope.
            assert_eq!(w.scope_count(), 0);
            assert_eq!(w.table_slot(0, 1), own(T0, 42, 1));
            assert!(panics(|| w.resource_drop(T2, 1)));
        }
    }
}

#[test]
fn insertions_at_the_limit() {
    for mode in [Mode::Restore, Mode::Raw] {
        let mut w = set_limit(mode, 2);
        assert_eq!(w.resource_new(T0, 1), Ok(1));
        assert_eq!(w.resource_new(T0, 2), Err(Error::HandleOverflow));
        assert_eq!(w.lower_own(T1, 2), Err(Error::HandleOverflow));
        w.call_enter().unwrap();
        assert_eq!(w.lower_borrow(T0, 2), Err(Error::HandleOverflow));
        let (size, borrows) = if mode == Mode::Restore { (1, 0) } else { (4, 1) };
        assert_eq!(w.table_size(0), size);
        assert_eq!(w.scope_borrow_count(0), borrows);
        // Freed slots below the limit are reused in both modes.
        assert_eq!(w.resource_drop(T0, 1), Ok(Some(1)));
        assert_eq!(w.resource_new(T0, 3), Ok(1));
    }
}

#[test]
fn wasmtime_keeps_its_own_limit_when_the_configured_one_is_higher() {
    use crate::v35::stubs::{Limit, set_limit};
    set_limit(u32::MAX);
    assert!(1u32 << 30 >= Limit(1 << 30));
    assert!((1u32 << 30) - 1 < Limit(1 << 30));
    set_limit(5);
    assert!(5u32 >= Limit(1 << 30));
    assert!(4u32 < Limit(1 << 30));
}

#[test]
fn operations_without_a_scope() {
    let mut w = set(Mode::Restore);
    w.resource_new(T0, 4).unwrap();
    let declined = Err(restab::decline(crate::NO_SCOPE));
    assert_eq!(w.lower_borrow(T0, 1), declined);
    assert_eq!(w.call_exit(), declined.clone().map(|_: u32| ()));
    assert_eq!(w.lift_borrow(T0, 1), declined);
    assert_eq!(w.table_slot(0, 1), own(T0, 4, 0));

    let mut w = set(Mode::Raw);
    w.resource_new(T0, 4).unwrap();
    assert!(panics(|| w.lower_borrow(T0, 1)));
    assert!(panics(|| w.call_exit()));
    assert_eq!(w.table_size(0), 1);
    // lift_borrow raises the lend count, then finds no scope to record it.
    assert!(panics(|| w.lift_borrow(T0, 1)));
    assert_eq!(w.table_slot(0, 1), own(T0, 4, 1));
}

#[test]
fn restore_mode_puts_back_what_a_panic_left() {
    let mut w = set(Mode::Restore);
    w.resource_new(T0, 4).unwrap();
    // What needs_scope() declines, run anyway: wasmtime raises the lends,
    // then panics on the empty call stack.
    assert!(panics(|| w.run("resource_lift_borrow", crate::Save::Table(T0, crate::Touch::Handle(1)), |t| t.lift_borrow(T0, 1))));
    assert_eq!(w.table_slot(0, 1), own(T0, 4, 0));
}

#[test]
fn max_lends_below_the_largest_is_declined() {
    let declined = Wasmtime::new(&config(1 << 30, 5), Mode::Restore).err();
    assert_eq!(declined, Some(restab::decline("max_lends below 2^32-1")));
}
