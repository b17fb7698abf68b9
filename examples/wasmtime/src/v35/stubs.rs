//! Everything wasmtime 35's `resources.rs` imports from outside itself, as
//! small stand-ins of our own: the crate prelude (`Result`, `bail!`), the
//! three index types and `PrimaryMap` of `wasmtime_environ`, an error type in
//! place of `anyhow::Error`, and `Limit`, the type the extraction gives
//! `MAX_RESOURCE_HANDLE` (extract.cmake). The words of each error are turned
//! into a status here too, since they are this version's.

use core::cell::Cell;
use core::cmp::Ordering;
use core::fmt;

/// What `bail!` returns: a message, or an error value of the file's own
/// (`UnknownHandleIndex`, `ResourceTypeMismatch`) with its type's name.
pub struct Error {
    kind: ErrorKind,
}

enum ErrorKind {
    Message(&'static str),
    Formatted(String),
    Value {
        type_name: &'static str,
        value: Box<dyn core::error::Error + Send + Sync>,
    },
}

impl Error {
    #[doc(hidden)]
    pub fn msg(args: fmt::Arguments<'_>) -> Error {
        let kind = match args.as_str() {
            Some(text) => ErrorKind::Message(text),
            None => ErrorKind::Formatted(args.to_string()),
        };
        Error { kind }
    }

    #[doc(hidden)]
    pub fn value<E: core::error::Error + Send + Sync + 'static>(value: E) -> Error {
        Error {
            kind: ErrorKind::Value {
                type_name: core::any::type_name::<E>(),
                value: Box::new(value),
            },
        }
    }

    /// The contract's error for the error's words in wasmtime 35; None for
    /// words this version does not have.
    pub fn status(&self) -> Option<restab::Error> {
        use restab::Error as Status;
        let status = match &self.kind {
            ErrorKind::Message("cannot remove owned resource while borrowed") => Status::Borrowed,
            ErrorKind::Message("cannot lift own resource from a borrow") => Status::NotOwn,
            ErrorKind::Message("borrow handles still remain at the end of the call") => {
                Status::BorrowsRemain
            }
            ErrorKind::Message("cannot allocate another handle: index overflow") => {
                Status::HandleOverflow
            }
            ErrorKind::Value { type_name, .. } if type_name.ends_with("::UnknownHandleIndex") => {
                Status::UnknownHandle
            }
            ErrorKind::Value { type_name, .. } if type_name.ends_with("::ResourceTypeMismatch") => {
                Status::WrongType
            }
            _ => return None,
        };
        Some(status)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Message(text) => f.write_str(text),
            ErrorKind::Formatted(text) => f.write_str(text),
            ErrorKind::Value { value, .. } => write!(f, "{value}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// anyhow's `bail!`: a message (a literal, with or without arguments) or an
/// error value.
macro_rules! bail {
    ($msg:literal $(,)?) => {
        return Err($crate::v35::stubs::Error::msg(format_args!($msg)))
    };
    ($fmt:literal, $($arg:tt)+) => {
        return Err($crate::v35::stubs::Error::msg(format_args!($fmt, $($arg)+)))
    };
    ($err:expr $(,)?) => {
        return Err($crate::v35::stubs::Error::value($err))
    };
}
pub(crate) use bail;

/// `crate::prelude` of wasmtime, as far as the file uses it.
pub mod prelude {
    pub(crate) use super::bail;
    pub type Result<T, E = super::Error> = core::result::Result<T, E>;
}

thread_local! {
    static CONFIGURED_LIMIT: Cell<u32> = const { Cell::new(u32::MAX) };
}

/// The handle limit of the table set about to run an operation (the
/// configuration's `limit`).
pub fn set_limit(limit: u32) {
    CONFIGURED_LIMIT.with(|l| l.set(limit));
}

/// `MAX_RESOURCE_HANDLE`: wasmtime's own value, lowered to the configured
/// limit when that is smaller. `handle >= MAX_RESOURCE_HANDLE` compares
/// with the lower of the two.
#[derive(Clone, Copy, Debug)]
pub struct Limit(pub u32);

impl Limit {
    fn value(self) -> u32 {
        self.0.min(CONFIGURED_LIMIT.with(Cell::get))
    }
}

impl PartialEq<Limit> for u32 {
    fn eq(&self, other: &Limit) -> bool {
        *self == other.value()
    }
}

impl PartialOrd<Limit> for u32 {
    fn partial_cmp(&self, other: &Limit) -> Option<Ordering> {
        self.partial_cmp(&other.value())
    }
}

/// The part of the `wasmtime_environ` crate the file names.
pub mod wasmtime_environ {
    use core::marker::PhantomData;
    use core::ops::{Index, IndexMut};

    /// An index type of a `PrimaryMap`.
    pub trait EntityRef: Copy {
        fn index(self) -> usize;
    }

    /// A vector indexed by an entity type.
    pub struct PrimaryMap<K, V> {
        elems: Vec<V>,
        unused: PhantomData<K>,
    }

    impl<K: EntityRef, V> PrimaryMap<K, V> {
        pub fn from_vec(elems: Vec<V>) -> Self {
            PrimaryMap {
                elems,
                unused: PhantomData,
            }
        }
        pub fn get(&self, k: K) -> Option<&V> {
            self.elems.get(k.index())
        }
        pub fn get_mut(&mut self, k: K) -> Option<&mut V> {
            self.elems.get_mut(k.index())
        }
        pub fn len(&self) -> usize {
            self.elems.len()
        }
    }

    impl<K: EntityRef, V> Index<K> for PrimaryMap<K, V> {
        type Output = V;
        fn index(&self, k: K) -> &V {
            &self.elems[k.index()]
        }
    }

    impl<K: EntityRef, V> IndexMut<K> for PrimaryMap<K, V> {
        fn index_mut(&mut self, k: K) -> &mut V {
            &mut self.elems[k.index()]
        }
    }

    pub mod component {
        use super::{EntityRef, PrimaryMap};
        use core::ops::Index;

        /// A component instance: one guest table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct RuntimeComponentInstanceIndex(pub u32);

        /// A resource type as a component sees it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct TypeResourceTableIndex(pub u32);

        impl EntityRef for RuntimeComponentInstanceIndex {
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl EntityRef for TypeResourceTableIndex {
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        /// What the file reads of a resource type: the instance whose
        /// table holds its handles.
        pub struct TypeResourceTable {
            pub instance: RuntimeComponentInstanceIndex,
        }

        /// The component's types, as far as resources go.
        pub struct ComponentTypes {
            resource_tables: PrimaryMap<TypeResourceTableIndex, TypeResourceTable>,
        }

        impl ComponentTypes {
            /// Type `k` lives in instance `type_instance[k]`.
            pub fn new(type_instance: &[u32]) -> Self {
                let tables = type_instance
                    .iter()
                    .map(|&i| TypeResourceTable {
                        instance: RuntimeComponentInstanceIndex(i),
                    })
                    .collect();
                ComponentTypes {
                    resource_tables: PrimaryMap::from_vec(tables),
                }
            }
        }

        impl Index<TypeResourceTableIndex> for ComponentTypes {
            type Output = TypeResourceTable;
            fn index(&self, k: TypeResourceTableIndex) -> &TypeResourceTable {
                &self.resource_tables[k]
            }
        }
    }
}
