//! wasmtime 35: its own `resources.rs`, compiled here with the stand-ins of
//! `stubs`, and `Tables`, a table set that runs every operation through it.
//! Another wasmtime version is another module like this one.

pub mod stubs;

/// wasmtime's file, as extract.cmake wrote it into the build tree. `tables`
/// is a child of it, so that it may read the file's private fields.
#[allow(dead_code, unused_imports)]
mod resources {
    use super::stubs::wasmtime_environ;
    use super::stubs::Limit;

    include!(env!(
        "RESTAB_WASMTIME_RESOURCES",
        "RESTAB_WASMTIME_RESOURCES is not set: build through CMake (examples/wasmtime/README.md)"
    ));

    pub mod tables;
}

pub use resources::tables::{Tables, Touch};
