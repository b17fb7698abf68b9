# Rust implementations for restab_add_implementation(... RUST_CRATE dir
# [CARGO_FEATURES features...] [CARGO_ENV VAR=VALUE...]): the crate (one that exports its rt_impl
# with bindings/rust's export_impl!) is built by cargo, offline, into the
# build tree as a static library, and linked into every target of the
# implementation. Included by RestabHarness.cmake.
#
# The Rust code carries the engine's own coverage instrumentation, passed
# to stable rustc as cargo-fuzz and cargo-afl pass it (-Cpasses=sancov-module
# and -Cllvm-args=-sanitizer-coverage-*), so libFuzzer's and AFL++'s
# feedback comes from the Rust code too. Stable rustc has no sanitizers
# (-Zsanitizer is nightly-only): the Rust side gets debug assertions and
# overflow checks instead, in every build; the C code keeps
# RESTAB_SANITIZE's. MemorySanitizer, which needs every object
# instrumented, is refused.

include_guard(GLOBAL)

set_property(GLOBAL PROPERTY RESTAB_RUST_CARGO_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/RestabCargo.cmake)

set(RESTAB_CARGO "" CACHE FILEPATH
  "cargo for RUST_CRATE implementations (default: found on PATH or in ~/.cargo/bin)")
set(RESTAB_RUST_COVERAGE ON CACHE BOOL
  "Instrument RUST_CRATE implementations for the fuzz engine (OFF only to measure what it buys)")

# Finds cargo (RESTAB_CARGO) or stops with a message naming `what`.
function(_restab_find_cargo what crate)
  if(NOT RESTAB_CARGO)
    find_program(_restab_cargo_found cargo HINTS "$ENV{CARGO_HOME}/bin" "$ENV{HOME}/.cargo/bin")
    if(NOT _restab_cargo_found)
      unset(_restab_cargo_found CACHE)
      message(FATAL_ERROR "${what}: cargo was not found (PATH, ~/.cargo/bin), "
        "and the crate is built with `cargo build --offline --release --lib "
        "--manifest-path ${crate}/Cargo.toml`. Install Rust (rustup, or "
        "apt-get install cargo) or pass -DRESTAB_CARGO=/path/to/cargo.")
    endif()
    set_property(CACHE RESTAB_CARGO PROPERTY VALUE ${_restab_cargo_found})
    unset(_restab_cargo_found CACHE)
  elseif(NOT EXISTS "${RESTAB_CARGO}")
    message(FATAL_ERROR "${what}: RESTAB_CARGO=${RESTAB_CARGO} does not exist")
  endif()
endfunction()

# The host triple and the native libraries a Rust static library needs
# (rustc --print native-static-libs), found once per build tree.
function(_restab_rust_toolchain what)
  get_property(done GLOBAL PROPERTY RESTAB_RUST_TRIPLE SET)
  if(done)
    return()
  endif()
  execute_process(COMMAND ${RESTAB_CARGO} -vV
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "host: ([^\n]+)")
    message(FATAL_ERROR "${what}: `${RESTAB_CARGO} -vV` failed (${rc}): ${err}")
  endif()
  set(triple ${CMAKE_MATCH_1})
  get_filename_component(bin ${RESTAB_CARGO} DIRECTORY)
  find_program(rustc NAMES rustc HINTS ${bin} NO_CACHE)
  if(NOT rustc)
    message(FATAL_ERROR "${what}: no rustc beside ${RESTAB_CARGO} or on PATH")
  endif()
  set(probe ${CMAKE_BINARY_DIR}/restab-rust-probe)
  file(WRITE ${probe}/probe.rs "")
  execute_process(COMMAND ${rustc} --crate-type staticlib --crate-name restab_probe
      --target ${triple} --print native-static-libs -o ${probe}/librestab_probe.a
      ${probe}/probe.rs
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT "${out}${err}" MATCHES "native-static-libs: ([^\n]*)")
    message(FATAL_ERROR "${what}: `rustc --print native-static-libs` failed (${rc}): ${err}")
  endif()
  separate_arguments(libs UNIX_COMMAND "${CMAKE_MATCH_1}")
  set_property(GLOBAL PROPERTY RESTAB_RUST_TRIPLE ${triple})
  set_property(GLOBAL PROPERTY RESTAB_RUST_NATIVE_LIBS "${libs}")
endfunction()

# The rustc flags of this build's engine (libFuzzer's inline 8-bit counters,
# PC table and compare tracing, as cargo-fuzz; AFL++'s trace-pc-guard, as
# cargo-afl), then $RUSTFLAGS as configured.
function(_restab_rust_flags out)
  set(flags "")
  set(engine ${RESTAB_FUZZ_ENGINE})
  if(engine STREQUAL "env" AND NOT "$ENV{RUSTFLAGS}" STREQUAL "")
    # OSS-Fuzz style: $RUSTFLAGS already carries the instrumentation.
    set(engine none)
  elseif(engine STREQUAL "env")
    set(engine libfuzzer)
  endif()
  if(engine MATCHES "^(libfuzzer|afl)$")
    list(APPEND flags --cfg fuzzing -Ccodegen-units=1)
  endif()
  if(engine STREQUAL "libfuzzer" AND RESTAB_RUST_COVERAGE)
    list(APPEND flags -Cpasses=sancov-module
      -Cllvm-args=-sanitizer-coverage-level=4
      -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
      -Cllvm-args=-sanitizer-coverage-pc-table
      -Cllvm-args=-sanitizer-coverage-trace-compares)
  elseif(engine STREQUAL "afl" AND RESTAB_RUST_COVERAGE)
    list(APPEND flags -Cpasses=sancov-module
      -Cllvm-args=-sanitizer-coverage-level=3
      -Cllvm-args=-sanitizer-coverage-trace-pc-guard
      -Cllvm-args=-sanitizer-coverage-prune-blocks=0
      -Cllvm-args=-sanitizer-coverage-trace-compares)
  endif()
  separate_arguments(user UNIX_COMMAND "$ENV{RUSTFLAGS}")
  list(APPEND flags ${user})
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()

# Builds the Rust crate in `crate` (its staticlib) for implementation
# `name` and creates ${name}_rust, the imported static library to link, and
# ${name}_cargo, the target that runs cargo (always: cargo decides what is
# out of date, and the library is replaced only when it changed).
function(_restab_rust_crate name crate)
  _restab_load()
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "FEATURES;ENV")
  get_filename_component(crate "${crate}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  set(what "restab_add_implementation(${name}): RUST_CRATE ${crate}")
  if(NOT EXISTS ${crate}/Cargo.toml)
    message(FATAL_ERROR "${what}: no Cargo.toml there")
  endif()
  foreach(item IN LISTS arg_ENV)
    if(NOT item MATCHES "^[A-Za-z_][A-Za-z0-9_]*=")
      message(FATAL_ERROR "${what}: CARGO_ENV item '${item}' is not VAR=VALUE")
    endif()
  endforeach()
  if(RESTAB_SANITIZE STREQUAL "memory")
    message(FATAL_ERROR "${what}: MemorySanitizer needs every object instrumented, "
      "and stable rustc cannot (-Zsanitizer=memory is nightly-only); use "
      "RESTAB_SANITIZE=address,undefined")
  endif()
  _restab_find_cargo("${what}" ${crate})
  _restab_rust_toolchain("${what}")
  get_property(triple GLOBAL PROPERTY RESTAB_RUST_TRIPLE)
  get_property(native_libs GLOBAL PROPERTY RESTAB_RUST_NATIVE_LIBS)

  # The crate's library name, from its manifest (cargo metadata).
  set(metadata ${RESTAB_CARGO} metadata --offline --no-deps --format-version 1
      --manifest-path ${crate}/Cargo.toml)
  execute_process(COMMAND ${metadata} OUTPUT_VARIABLE json ERROR_VARIABLE err
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN metadata " " command)
    message(FATAL_ERROR "${what}: `${command}` failed (${rc}):\n${err}")
  endif()
  file(REAL_PATH ${crate}/Cargo.toml manifest)
  set(lib_name "")
  string(JSON packages LENGTH "${json}" packages)
  if(packages GREATER 0)
    math(EXPR last "${packages} - 1")
    foreach(p RANGE ${last})
      string(JSON path GET "${json}" packages ${p} manifest_path)
      file(REAL_PATH ${path} path)
      if(NOT path STREQUAL manifest)
        continue()
      endif()
      string(JSON targets LENGTH "${json}" packages ${p} targets)
      math(EXPR tlast "${targets} - 1")
      foreach(t RANGE ${tlast})
        string(JSON kinds GET "${json}" packages ${p} targets ${t} crate_types)
        if(kinds MATCHES "\"staticlib\"")
          string(JSON lib_name GET "${json}" packages ${p} targets ${t} name)
        endif()
      endforeach()
    endforeach()
  endif()
  if(lib_name STREQUAL "")
    message(FATAL_ERROR "${what}: the crate has no staticlib; its Cargo.toml needs "
      "[lib] crate-type = [\"staticlib\"] (restab links it into C targets)")
  endif()
  string(REPLACE "-" "_" lib_name ${lib_name})

  _restab_rust_flags(rustflags)
  list(JOIN rustflags " " rustflags)
  list(JOIN arg_FEATURES "," features)
  set(target_dir ${CMAKE_CURRENT_BINARY_DIR}/${name}_cargo)
  set(lib ${CMAKE_CURRENT_BINARY_DIR}/lib${name}_rust.a)
  # Everything the build step needs, for the script (RestabCargo.cmake).
  set(settings ${CMAKE_CURRENT_BINARY_DIR}/${name}_cargo.cmake)
  file(CONFIGURE OUTPUT ${settings} CONTENT [[
# Generated by restab_add_implementation(@name@): its Rust crate's build.
set(NAME "@name@")
set(CRATE "@crate@")
set(CARGO "@RESTAB_CARGO@")
set(TRIPLE "@triple@")
set(LIB_NAME "@lib_name@")
set(FEATURES "@features@")
set(ENV_VARS [==[@arg_ENV@]==])
set(RUSTFLAGS "@rustflags@")
set(TARGET_DIR "@target_dir@")
set(OUTPUT "@lib@")
]] @ONLY)
  get_property(script GLOBAL PROPERTY RESTAB_RUST_CARGO_SCRIPT)
  add_custom_target(${name}_cargo
    COMMAND ${CMAKE_COMMAND} -DSETTINGS=${settings} -DCONFIG=$<CONFIG> -P ${script}
    BYPRODUCTS ${lib}
    COMMENT "cargo build of ${crate} (${name})"
    USES_TERMINAL VERBATIM)

  add_library(${name}_rust STATIC IMPORTED GLOBAL)
  # The crate calls rt_decline() and rt_impl_failed() (harness/outcome.c).
  set_target_properties(${name}_rust PROPERTIES
    IMPORTED_LOCATION ${lib}
    INTERFACE_LINK_LIBRARIES "restab_harness_core;${native_libs}")
endfunction()
