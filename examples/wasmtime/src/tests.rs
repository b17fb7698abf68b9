//! The adapter over wasmtime 35's own code: results of the contract's
//! examples, and for each path where wasmtime 35 changes its state before it
//! fails, what each mode leaves (docs/semantics.md, "Differences from
//! wasmtime 35").

use crate::{Mode, Wasmtime};
use restab::{Config, Error, Lender, Observe, Profile, Resource, Slot as SlotView, Tables};
use std::panic::{catch_unwind, AssertUnwindSafe};

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
    Some(SlotView::Own {
        resource,
        rep,
        lends,
    })
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
    assert_eq!(
        w.scope_lender(0, 0),
        Some(Lender {
            table: 1,
            handle: 1
        })
    );
    assert_eq!(
        w.scope_lender(0, 1),
        Some(Lender {
            table: 2,
            handle: 1
        })
    );
    assert_eq!(w.scope_lender(0, 2), None);
    assert_eq!(
        w.table_slot(0, 1),
        Some(SlotView::Borrow {
            resource: T0,
            rep: 8,
            lends: 0,
            scope: 0
        })
    );
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
        let lift = if mode == Mode::Restore {
            Error::WrongType
        } else {
            Error::UnknownHandle
        };
        assert_eq!(w.lift_own(T1, 1), Err(lift));
        let expect = if mode == Mode::Restore {
            own(T0, 42, 0)
        } else {
            Some(SlotView::Free)
        };
        assert_eq!(w.table_slot(0, 1), expect);
    }
}

#[test]
fn lift_own_of_a_borrow() {
    let mut w = set(Mode::Restore);
    w.call_enter().unwrap();
    w.lower_borrow(T0, 3).unwrap();
    assert_eq!(w.lift_own(T0, 1), Err(Error::NotOwn));
    assert_eq!(
        w.table_slot(0, 1),
        Some(SlotView::Borrow {
            resource: T0,
            rep: 3,
            lends: 0,
            scope: 0
        })
    );
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
            assert_eq!(
                w.scope_lender(0, 0),
                Some(Lender {
                    table: 0,
                    handle: 1
                })
            );
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
        let (size, borrows) = if mode == Mode::Restore {
            (1, 0)
        } else {
            (4, 1)
        };
        assert_eq!(w.table_size(0), size);
        assert_eq!(w.scope_borrow_count(0), borrows);
        // Freed slots below the limit are reused in both modes.
        assert_eq!(w.resource_drop(T0, 1), Ok(Some(1)));
        assert_eq!(w.resource_new(T0, 3), Ok(1));
    }
}

#[test]
fn wasmtime_keeps_its_own_limit_when_the_configured_one_is_higher() {
    use crate::v35::stubs::{set_limit, Limit};
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
    assert!(panics(|| w.run(
        "resource_lift_borrow",
        crate::Save::Table(T0, crate::Touch::Handle(1)),
        |t| t.lift_borrow(T0, 1)
    )));
    assert_eq!(w.table_slot(0, 1), own(T0, 4, 0));
}

#[test]
fn max_lends_below_the_largest_is_declined() {
    let declined = Wasmtime::new(&config(1 << 30, 5), Mode::Restore).err();
    assert_eq!(declined, Some(restab::decline("max_lends below 2^32-1")));
}

// ---- the known list (../known): each script, run on wasmtime's code ----

/// One entry of the known-divergence file.
struct Known {
    name: String,
    signature: String,
    script: String,
}

fn known_entries() -> Vec<Known> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{dir}/known")).expect("examples/wasmtime/known");
    let mut entries: Vec<Known> = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        if let Some(name) = line.strip_prefix("known ") {
            let name = name.trim().to_string();
            entries.push(Known {
                name,
                signature: String::new(),
                script: String::new(),
            });
        } else if let Some(field) = line.strip_prefix("  ") {
            let (key, value) = field.split_once(' ').expect("a field line is KEY VALUE");
            let entry = entries.last_mut().expect("a field after a known line");
            match key {
                "signature" => entry.signature = value.to_string(),
                "script" => {
                    entry.script = std::fs::read_to_string(format!("{dir}/{value}")).unwrap()
                }
                "what" | "where" => {}
                other => panic!("unknown field {other}"),
            }
        }
    }
    entries
}

/// Runs an .ops script on a table set in `mode`: the results of all steps
/// but the last, then the last step's result (Err(None): it panicked),
/// and the table set.
#[allow(clippy::type_complexity)]
fn run_script(script: &str, mode: Mode) -> (Vec<String>, Result<String, Option<Error>>, Wasmtime) {
    let mut config = config(1 << 30, u32::MAX);
    let mut ops: Vec<Vec<String>> = Vec::new();
    for line in script.lines() {
        let words: Vec<String> = line
            .split('#')
            .next()
            .unwrap()
            .split_whitespace()
            .map(String::from)
            .collect();
        let number = |i: usize| words[i].parse::<u32>().expect("a number");
        match words.first().map(String::as_str) {
            None => {}
            Some("instances") => config.instances = number(1),
            Some("limit") => config.limit = number(1),
            Some("types") => config.type_instance = (1..words.len()).map(number).collect(),
            Some(_) => ops.push(words),
        }
    }
    let mut w = Wasmtime::new(&config, mode).expect("configured");
    let mut results = Vec::new();
    let last = ops.len() - 1;
    for (i, words) in ops.iter().enumerate() {
        let resource = || match words[1].as_str() {
            "host" => Resource::Host,
            t => Resource::Guest(t[1..].parse().unwrap()),
        };
        let arg = || words[2].parse::<u32>().unwrap();
        let step = |w: &mut Wasmtime| -> Result<String, Error> {
            Ok(match words[0].as_str() {
                "new" => w.resource_new(resource(), arg())?.to_string(),
                "lower_own" => w.lower_own(resource(), arg())?.to_string(),
                "lower_borrow" => w.lower_borrow(resource(), arg())?.to_string(),
                "rep" => w.resource_rep(resource(), arg())?.to_string(),
                "drop" => format!("{:?}", w.resource_drop(resource(), arg())?),
                "lift_own" => w.lift_own(resource(), arg())?.to_string(),
                "lift_borrow" => w.lift_borrow(resource(), arg())?.to_string(),
                "enter" => format!("{:?}", w.call_enter()?),
                "exit" => format!("{:?}", w.call_exit()?),
                other => panic!("unknown operation {other}"),
            })
        };
        if i < last {
            results.push(format!("{:?}", step(&mut w)));
        } else {
            let hook = std::panic::take_hook();
            std::panic::set_hook(Box::new(|_| {}));
            let r = catch_unwind(AssertUnwindSafe(|| step(&mut w)));
            std::panic::set_hook(hook);
            let last = match r {
                Ok(r) => r.map_err(Some),
                Err(_) => Err(None),
            };
            return (results, last, w);
        }
    }
    unreachable!()
}

/// The observable state as one comparable value.
fn state(w: &Wasmtime) -> Vec<String> {
    let mut out = Vec::new();
    for t in 0..4 {
        out.push(format!(
            "table {t} size {} next {}",
            w.table_size(t),
            w.table_next(t)
        ));
        for h in 1..=w.table_size(t) {
            out.push(format!("{:?}", w.table_slot(t, h)));
        }
    }
    for d in 0..w.scope_count() {
        out.push(format!(
            "scope {d} {} {}",
            w.scope_borrow_count(d),
            w.scope_lender_count(d)
        ));
    }
    out
}

#[test]
fn every_known_script_shows_its_divergence_in_raw_mode_only() {
    let entries = known_entries();
    assert!(entries.len() >= 9, "the known list has its entries");
    for k in &entries {
        let (raw_steps, raw_last, raw) = run_script(&k.script, Mode::Raw);
        let (restore_steps, restore_last, restore) = run_script(&k.script, Mode::Restore);
        let op = k
            .signature
            .split(' ')
            .nth(1)
            .expect("TARGET OPERATION KIND");
        let last_op = k
            .script
            .lines()
            .rfind(|l| !l.starts_with('#') && !l.trim().is_empty());
        assert!(
            last_op.unwrap().starts_with(op),
            "{}: the script ends with {op}",
            k.name
        );
        if let Some(function) = k
            .signature
            .strip_prefix(&format!("ops {op} impl-failure:panic@"))
        {
            // wasmtime panics at the last step, in raw mode; restore mode
            // declines it (no scope) or reaches it without the damage.
            let rt_function = match op {
                "exit" => "call_exit",
                "drop" => "resource_drop",
                "rep" => "resource_rep",
                "new" => "resource_new",
                other => other,
            };
            assert_eq!(
                function, rt_function,
                "{}: the rt_impl function of {op}",
                k.name
            );
            assert_eq!(
                raw_last,
                Err(None),
                "{}: {function} panics in raw mode",
                k.name
            );
            assert_ne!(
                restore_last,
                Err(None),
                "{}: no panic in restore mode",
                k.name
            );
        } else {
            assert!(
                k.signature.contains(" state:"),
                "{}: a state difference",
                k.name
            );
            // Same steps, same error; only the state after it differs.
            assert_eq!(raw_steps, restore_steps, "{}", k.name);
            assert!(
                matches!(raw_last, Err(Some(_))),
                "{}: the last step fails",
                k.name
            );
            assert_eq!(raw_last, restore_last, "{}", k.name);
            assert_ne!(
                state(&raw),
                state(&restore),
                "{}: raw mode keeps the effect",
                k.name
            );
        }
    }
}
