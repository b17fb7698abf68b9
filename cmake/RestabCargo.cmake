# The build step of a RUST_CRATE implementation (cmake/RestabRust.cmake),
# run at every build as
#
#   cmake -DSETTINGS=<build>/<name>_cargo.cmake -DCONFIG=<config> -P RestabCargo.cmake
#
# It runs cargo build (offline, the crate's staticlib, for the host triple
# so that the coverage flags reach the crate and not build scripts), then
# copies the library to where the targets link it from, only when it
# changed, so that an unchanged crate relinks nothing. A failure stops the
# build with a message naming the crate and the command.

if(NOT SETTINGS OR NOT EXISTS "${SETTINGS}")
  message(FATAL_ERROR "RestabCargo.cmake: -DSETTINGS=<file> is missing or does not exist")
endif()
include(${SETTINGS})

# One profile, release, adjusted through cargo's environment: debug
# assertions and overflow checks always (stable rustc's checks, as
# cargo-fuzz and cargo-afl build), unwinding panics (the bindings catch
# them at the C boundary), and for a Debug configuration no optimisation.
set(env
  CARGO_TARGET_DIR=${TARGET_DIR}
  RUSTFLAGS=${RUSTFLAGS}
  CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true
  CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true
  CARGO_PROFILE_RELEASE_PANIC=unwind
  ${ENV_VARS})
if(CONFIG STREQUAL "Debug")
  list(APPEND env CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=true)
else()
  list(APPEND env CARGO_PROFILE_RELEASE_DEBUG=line-tables-only)
endif()
set(command ${CARGO} build --offline --release --lib --quiet --target ${TRIPLE}
    --manifest-path ${CRATE}/Cargo.toml)
if(NOT FEATURES STREQUAL "")
  list(APPEND command --features ${FEATURES})
endif()

# CARGO_ENCODED_RUSTFLAGS would take precedence over RUSTFLAGS.
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=CARGO_ENCODED_RUSTFLAGS ${env} ${command}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  set(shown "")
  foreach(word IN LISTS env command)
    if(word MATCHES "[ ']")
      string(REPLACE "'" "'\\''" word "${word}")
      set(word "'${word}'")
    endif()
    string(APPEND shown " ${word}")
  endforeach()
  message(FATAL_ERROR "restab_add_implementation(${NAME}): building the Rust crate "
    "${CRATE} failed (cargo: ${rc}). The command:\n ${shown}")
endif()

set(built ${TARGET_DIR}/${TRIPLE}/release/lib${LIB_NAME}.a)
if(NOT EXISTS ${built})
  message(FATAL_ERROR "restab_add_implementation(${NAME}): cargo built no ${built}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${built} ${OUTPUT}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "restab_add_implementation(${NAME}): cannot copy ${built} to ${OUTPUT}")
endif()
