# Installs the fuzzing harness as the `harness` component of the restab
# package: find_package(restab COMPONENTS harness) then gives a consumer
# restab_add_implementation() and restab::harness (lib/restabConfig.cmake.in).
#
# The harness is installed as sources, not as built libraries, because it
# must be compiled in the consumer's build with the consumer's fuzz engine
# and sanitizers (see cmake/RestabHarness.cmake). The installed folder
# share/restab/harness has the source tree's layout, which is what
# RestabHarness.cmake expects under RESTAB_HARNESS_ROOT.
#
# Included from the top-level CMakeLists.txt; does nothing unless
# RESTAB_BUILD_FUZZERS is on.

include_guard(GLOBAL)
if(NOT RESTAB_BUILD_FUZZERS)
  return()
endif()

set(_rhi_src ${PROJECT_SOURCE_DIR})
set(_rhi_dest ${CMAKE_INSTALL_DATADIR}/restab/harness)

file(GLOB _rhi_harness CONFIGURE_DEPENDS
  ${_rhi_src}/harness/*.c ${_rhi_src}/harness/*.h)
install(FILES ${_rhi_harness} DESTINATION ${_rhi_dest}/harness)
install(FILES ${_rhi_src}/harness/include/restab_impl.h
  DESTINATION ${_rhi_dest}/harness/include)
install(FILES ${_rhi_src}/oracle/oracle.c ${_rhi_src}/oracle/oracle.h
  DESTINATION ${_rhi_dest}/oracle)
# fuzz/: the targets of every kind, their description (targets.txt), the
# engines' drivers and the mutator. restab's own kinds come along (the
# description names them) but are built only in restab's tree.
file(GLOB _rhi_fuzz CONFIGURE_DEPENDS
  ${_rhi_src}/fuzz/*.c ${_rhi_src}/fuzz/*.h ${_rhi_src}/fuzz/*.txt)
install(FILES ${_rhi_fuzz} DESTINATION ${_rhi_dest}/fuzz)
install(FILES ${_rhi_src}/tools/replay.c DESTINATION ${_rhi_dest}/tools)

# The Rust bindings (bindings/rust), for RUST_CRATE implementations: a
# crate names them by path, PREFIX/share/restab/harness/bindings/rust.
install(FILES ${_rhi_src}/bindings/rust/Cargo.toml ${_rhi_src}/bindings/rust/README.md
  DESTINATION ${_rhi_dest}/bindings/rust)
file(GLOB _rhi_rust CONFIGURE_DEPENDS ${_rhi_src}/bindings/rust/src/*.rs)
install(FILES ${_rhi_rust} DESTINATION ${_rhi_dest}/bindings/rust/src)

# The CMake code that builds them, beside restabConfig.cmake, which
# includes it when the harness component is asked for.
install(FILES ${_rhi_src}/cmake/RestabFlags.cmake ${_rhi_src}/cmake/RestabHarness.cmake
  ${_rhi_src}/cmake/RestabRust.cmake ${_rhi_src}/cmake/RestabCargo.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/restab)

# The interface header, for implementations that want it without the
# harness build (an adapter compiled elsewhere).
install(FILES ${_rhi_src}/harness/include/restab_impl.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# The installed harness's end-to-end test (tests/example) builds the
# example implementation against this install with libFuzzer. The fuzz
# preset, the libFuzzer build, does not build tests/, so the test is
# registered from here there; builds with tests add it from tests/.
if(RESTAB_FUZZ_ENGINE STREQUAL "libfuzzer" AND NOT RESTAB_BUILD_TESTS)
  add_subdirectory(${_rhi_src}/tests/example ${PROJECT_BINARY_DIR}/tests/example)
endif()
