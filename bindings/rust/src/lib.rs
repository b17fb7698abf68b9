//! restab's harness interface for implementations written in Rust.
//!
//! An implementation of the Component Model's resource tables implements
//! [`Tables`] (the nine operations of `docs/semantics.md` and `create`),
//! optionally [`Observe`] (the observable state), [`Check`] (its own
//! integrity check) and [`FinalCheck`], and exports itself to the C harness
//! with one macro:
//!
//! ```ignore
//! restab::export_impl!(rt_mytables, MyTables, observe, check);
//! ```
//!
//! which defines the `const rt_impl rt_mytables` of
//! `harness/include/restab_impl.h`. `restab_add_implementation(mytables
//! IMPL rt_mytables RUST_CRATE dir)` (cmake/RestabRust.cmake) then builds
//! the crate as a static library and links it into the fuzz targets and the
//! replay tool.
//!
//! The glue keeps every rule of the C interface: out-parameters are written
//! only on success, a resource outside the configuration is refused with
//! `invalid-argument` before the implementation sees it, a profile the
//! implementation lacks is declined, and a panic in any function is caught
//! at the boundary and reported as the implementation's own failure
//! (`impl-failure:panic@FUNCTION`), never unwound into C.

#![forbid(unsafe_op_in_unsafe_fn)]

#[cfg(panic = "abort")]
compile_error!(
    "restab's bindings catch panics at the C boundary and need panic = \"unwind\" \
     (the profile's default); remove panic = \"abort\" from the crate's profile"
);

use std::borrow::Cow;
use std::ffi::CStr;
use std::fmt;

pub mod ffi;
#[doc(hidden)]
pub mod glue;

/// The contract a table set follows (`docs/semantics.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Profile {
    /// wasmtime 35's behaviour, all-or-nothing (the default).
    Wasmtime35 = 0,
    /// The Component Model specification's reference, `definitions.py`.
    Spec = 1,
}

impl Profile {
    /// The profile's name in `.ops` scripts and reports.
    pub const fn name(self) -> &'static str {
        match self {
            Profile::Wasmtime35 => "wasmtime35",
            Profile::Spec => "spec",
        }
    }
}

/// A resource: the host's, or a guest type `0 .. types-1`.
///
/// The glue never passes a guest type outside the configuration: it
/// answers `invalid-argument` for one itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// The host table's resource; every host entry matches it.
    Host,
    /// Guest type `tK`; its handles live in the table of its instance.
    Guest(u32),
}

impl Resource {
    /// From the C interface's number (`RT_HOST` or the type).
    pub const fn from_raw(raw: u32) -> Resource {
        if raw == ffi::RT_HOST {
            Resource::Host
        } else {
            Resource::Guest(raw)
        }
    }

    /// The C interface's number.
    pub const fn raw(self) -> u32 {
        match self {
            Resource::Host => ffi::RT_HOST,
            Resource::Guest(t) => t,
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Host => f.write_str("host"),
            Resource::Guest(t) => write!(f, "t{t}"),
        }
    }
}

/// The shape of a table set, as `create` receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Guest tables `0 .. instances-1`; the host table is number `instances`.
    pub instances: u32,
    /// Each guest type's instance (`type_instance[k] < instances`); the
    /// number of types is its length.
    pub type_instance: Vec<u32>,
    /// No table issues a handle `>= limit`.
    pub limit: u32,
    /// `lift_borrow` fails with `lend-overflow` when an entry already has
    /// this many lends.
    pub max_lends: u32,
    /// The contract to follow; always one of [`Tables::PROFILES`].
    pub profile: Profile,
}

impl Config {
    /// The number of guest types.
    pub fn types(&self) -> u32 {
        self.type_instance.len() as u32
    }

    /// The host table's number.
    pub fn host_table(&self) -> u32 {
        self.instances
    }

    /// The number of the table that holds a resource's handles.
    pub fn table_of(&self, resource: Resource) -> u32 {
        match resource {
            Resource::Host => self.instances,
            Resource::Guest(t) => self.type_instance[t as usize],
        }
    }
}

/// Why an operation, or `create`, did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    UnknownHandle,
    WrongType,
    Borrowed,
    NotOwn,
    BorrowsRemain,
    HandleOverflow,
    NoScope,
    OutOfMemory,
    LendOverflow,
    /// `invalid-argument`: the caller's mistake, never a guest's.
    Invalid,
    /// The implementation lacks this feature (no lend bound, no host table,
    /// ...): the harness ends the input there as passed and counts the
    /// reason (`rt_decline`, docs/protocol.md "Declines"). Decline only
    /// what the implementation does not have. See [`decline`].
    Declined(Cow<'static, str>),
    /// The implementation failed in a way the contract has no outcome for
    /// (an adapter met an error it cannot translate, say): reported as
    /// `impl-failure:KIND@FUNCTION` (`rt_impl_failed`), the input ends.
    /// A panic is reported this way by itself, as kind `panic`.
    Failed {
        /// One lower-case word: the signature's KIND.
        kind: &'static str,
        /// One sentence for the report.
        message: String,
    },
}

/// `Err(decline("no lend bound"))`: declines a configuration or an
/// operation (at most 63 bytes of the reason are kept).
pub fn decline(reason: impl Into<Cow<'static, str>>) -> Error {
    Error::Declined(reason.into())
}

impl Error {
    /// The `.ops` kind word (`wrong-type`), `declined` or `failed`.
    pub fn word(&self) -> &'static str {
        match self {
            Error::UnknownHandle => "unknown-handle",
            Error::WrongType => "wrong-type",
            Error::Borrowed => "borrowed",
            Error::NotOwn => "not-own",
            Error::BorrowsRemain => "borrows-remain",
            Error::HandleOverflow => "handle-overflow",
            Error::NoScope => "no-scope",
            Error::OutOfMemory => "out-of-memory",
            Error::LendOverflow => "lend-overflow",
            Error::Invalid => "invalid-argument",
            Error::Declined(_) => "declined",
            Error::Failed { .. } => "failed",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Declined(reason) => write!(f, "declined: {reason}"),
            Error::Failed { kind, message } => write!(f, "failed ({kind}): {message}"),
            other => f.write_str(other.word()),
        }
    }
}

impl std::error::Error for Error {}

/// The result of an operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An implementation of the tables: a table set made by `create`, and the
/// nine operations of `docs/semantics.md`, each with the contract's checks
/// in the contract's order. An operation that fails must change nothing.
///
/// Handles are the interface's numbers: handle `h` names slot `h - 1` of
/// its table, 0 is never valid. Guest types in a [`Resource`] are always
/// below the configuration's type count.
pub trait Tables: Sized {
    /// Named in every report ("mytables and oracle disagree").
    const NAME: &'static CStr;
    /// The profiles it implements. Inputs of a profile it lacks run in one
    /// it has (the default profile when it has it, else its first).
    const PROFILES: &'static [Profile] = &[Profile::Wasmtime35];

    /// An empty table set (no entries, no scopes). `Err(decline(..))` for a
    /// configuration whose features it lacks.
    fn create(config: &Config) -> Result<Self>;

    /// `resource.new`: a new own entry; its handle.
    fn resource_new(&mut self, resource: Resource, rep: u32) -> Result<u32>;
    /// Lowering an own: a new own entry; its handle.
    fn lower_own(&mut self, resource: Resource, rep: u32) -> Result<u32>;
    /// Lowering a borrow: a new borrow entry in the top scope; its handle.
    fn lower_borrow(&mut self, resource: Resource, rep: u32) -> Result<u32>;
    /// `resource.rep`: the entry's rep.
    fn resource_rep(&mut self, resource: Resource, handle: u32) -> Result<u32>;
    /// `resource.drop`: `Some(rep)` for an own entry (its destructor is
    /// due), `None` for a borrow entry.
    fn resource_drop(&mut self, resource: Resource, handle: u32) -> Result<Option<u32>>;
    /// Lifting an own: removes the entry; its rep.
    fn lift_own(&mut self, resource: Resource, handle: u32) -> Result<u32>;
    /// Lifting a borrow: lends an own entry to the top scope; the rep.
    fn lift_borrow(&mut self, resource: Resource, handle: u32) -> Result<u32>;
    /// Entering a call: pushes a scope.
    fn call_enter(&mut self) -> Result<()>;
    /// Leaving a call: gives the top scope's lends back and pops it.
    fn call_exit(&mut self) -> Result<()>;
}

/// One observed slot (`rt_slot`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Free,
    Own {
        resource: Resource,
        rep: u32,
        lends: u32,
    },
    Borrow {
        resource: Resource,
        rep: u32,
        /// Live lends in the spec profile; always 0 in wasmtime35.
        lends: u32,
        /// Depth of the scope that lowered it (0 is the outermost).
        scope: u32,
    },
}

/// A scope's lender record: the lent entry's table and handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lender {
    pub table: u32,
    pub handle: u32,
}

/// The observable state (`restab_impl.h`'s observation group). None of
/// these may change the state. With it (`export_impl!(.., observe)`) the
/// harness compares the whole state with the oracle's after every step;
/// without it, results only.
pub trait Observe {
    /// The number of slots the table has ever used (its highest handle so
    /// far, live or free); 0 for a table number out of range.
    fn table_size(&self, table: u32) -> u32;
    /// The handle the table's next new entry would get if the limit
    /// allowed: the most recently freed, or size + 1. 0 out of range.
    fn table_next(&self, table: u32) -> u32;
    /// The slot of `1 <= handle <= table_size`; `None` otherwise.
    fn table_slot(&self, table: u32, handle: u32) -> Option<Slot>;
    /// The number of active call scopes.
    fn scope_count(&self) -> u32;
    /// The live borrow entries the scope at `depth` lowered; 0 out of range.
    fn scope_borrow_count(&self, depth: u32) -> u32;
    /// The scope's lender records (one per lend made while it was on top);
    /// 0 out of range.
    fn scope_lender_count(&self, depth: u32) -> u32;
    /// The scope's i-th lender record, oldest first; `None` out of range.
    fn scope_lender(&self, depth: u32, i: u32) -> Option<Lender>;
}

/// The first broken invariant an integrity check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    invariant: u32,
    message: String,
}

impl Broken {
    /// Invariant `invariant` (1-7) is broken, as `message` says.
    pub fn new(invariant: u32, message: impl Into<String>) -> Broken {
        assert!(
            (1..=7).contains(&invariant),
            "Broken::new: invariant {invariant} is not one of docs/semantics.md's 1-7"
        );
        Broken {
            invariant,
            message: message.into(),
        }
    }

    /// Its number in `docs/semantics.md`, 1 to 7.
    pub fn invariant(&self) -> u32 {
        self.invariant
    }

    /// The sentence, without the number.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The implementation's own integrity check (`export_impl!(.., check)`):
/// the first broken invariant, if any. Must not change the state. The
/// report reads "invariant N: MESSAGE" and its signature
/// `check:invariant-N`.
pub trait Check {
    fn check(&self) -> Result<(), Broken>;
}

/// Extra probes on the final state of every input whose steps all agreed
/// (`export_impl!(.., final_check)`): `Err(sentence)` to report. Must
/// leave the observable state unchanged.
pub trait FinalCheck {
    fn final_check(&mut self) -> Result<(), String>;
}

/// Exports an implementation to the C harness: defines
/// `#[no_mangle] static SYMBOL: restab::ffi::rt_impl`, the `const rt_impl`
/// that `restab_add_implementation(NAME IMPL SYMBOL RUST_CRATE dir)` names.
///
/// ```ignore
/// restab::export_impl!(rt_mytables, MyTables);                  // results only
/// restab::export_impl!(rt_mytables, MyTables, observe, check);  // and states, and its checker
/// ```
///
/// Options, in any order: `observe` (the type implements [`Observe`]),
/// `check` ([`Check`]), `final_check` ([`FinalCheck`]).
#[macro_export]
macro_rules! export_impl {
    ($symbol:ident, $tables:ty $(, $option:ident)* $(,)?) => {
        #[unsafe(no_mangle)]
        pub static $symbol: $crate::ffi::rt_impl = {
            let table = $crate::glue::operations::<$tables>();
            $( let table = $crate::__restab_export_option!($option, $tables, table); )*
            table
        };
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __restab_export_option {
    (observe, $tables:ty, $table:expr) => {
        $crate::glue::with_observe::<$tables>($table)
    };
    (check, $tables:ty, $table:expr) => {
        $crate::glue::with_check::<$tables>($table)
    };
    (final_check, $tables:ty, $table:expr) => {
        $crate::glue::with_final_check::<$tables>($table)
    };
    ($other:ident, $tables:ty, $table:expr) => {
        compile_error!(concat!(
            "restab::export_impl!: unknown option `",
            stringify!($other),
            "` (the options are observe, check, final_check)"
        ))
    };
}

#[cfg(test)]
mod tests;
