# The fuzzing harness as a CMake package part: the harness libraries and
# restab_add_implementation(), the one entry point that turns any C
# implementation of the tables into fuzz targets and a replay tool.
#
# Used two ways, with the same code:
# - in restab's own build (and add_subdirectory(restab)): the sources are
#   the source tree's;
# - after cmake --install, by find_package(restab COMPONENTS harness): the
#   sources are the installed copy in share/restab/harness.
# Either way the harness is compiled in the consumer's build, with its
# RESTAB_FUZZ_ENGINE and RESTAB_SANITIZE, so every object of a target agrees
# on instrumentation and sanitizers (MemorySanitizer needs that).
#
# Needs RestabFlags.cmake (warnings, sanitizer and engine helper targets)
# and RESTAB_HARNESS_ROOT: the folder holding harness/, oracle/, fuzz/ and
# tools/.
#
# The functions below are called from other directories than this file's
# includer (a project that add_subdirectory()s restab calls
# restab_add_implementation() from its own), where restab's directory
# variables do not exist. Everything they need is therefore kept in global
# properties of the same names, and _restab_load() brings them into the
# calling function's scope.

include_guard(GLOBAL)

if(NOT RESTAB_HARNESS_ROOT)
  message(FATAL_ERROR "RestabHarness.cmake: RESTAB_HARNESS_ROOT is not set")
endif()
set(_rh ${RESTAB_HARNESS_ROOT})
set_property(GLOBAL PROPERTY RESTAB_HARNESS_ROOT ${_rh})

# ---- The fuzz target kinds (fuzz/targets.txt) --------------------------
# RESTAB_TARGET_KINDS lists them; RESTAB_TARGET_<kind>_<FIELD> holds each
# field (SOURCES as a list of paths, INPUT, PREFIX, CORPUS, FOR, OSS_FUZZ).
# Each is also a global property of its name, listed in the global property
# RESTAB_TARGET_VARIABLES, for _restab_load().
macro(_restab_set_global var)
  set(${var} "${ARGN}")
  set_property(GLOBAL PROPERTY ${var} "${ARGN}")
  set_property(GLOBAL APPEND PROPERTY RESTAB_TARGET_VARIABLES ${var})
endmacro()
set(_restab_kinds "")
file(STRINGS ${_rh}/fuzz/targets.txt _restab_target_lines REGEX "^[a-z]")
foreach(_line IN LISTS _restab_target_lines)
  string(REGEX REPLACE "[ \t]+" ";" _fields "${_line}")
  list(LENGTH _fields _count)
  if(NOT _count EQUAL 7)
    message(FATAL_ERROR "fuzz/targets.txt: '${_line}' does not have 7 fields")
  endif()
  list(POP_FRONT _fields _kind _sources)
  list(APPEND _restab_kinds ${_kind})
  string(REPLACE "," ";" _sources "${_sources}")
  list(TRANSFORM _sources PREPEND ${_rh}/fuzz/)
  _restab_set_global(RESTAB_TARGET_${_kind}_SOURCES ${_sources})
  foreach(_field IN ITEMS INPUT PREFIX CORPUS FOR OSS_FUZZ)
    list(POP_FRONT _fields _value)
    _restab_set_global(RESTAB_TARGET_${_kind}_${_field} ${_value})
  endforeach()
endforeach()
_restab_set_global(RESTAB_TARGET_KINDS ${_restab_kinds})

# Brings the harness root (as _rh), the target kinds' variables and the
# check-code options into the calling function's scope, from the global
# properties that hold them.
macro(_restab_load)
  get_property(_rh GLOBAL PROPERTY RESTAB_HARNESS_ROOT)
  get_property(RESTAB_CHECK_CODE_OPTIONS GLOBAL PROPERTY RESTAB_CHECK_CODE_OPTIONS)
  get_property(_restab_vars GLOBAL PROPERTY RESTAB_TARGET_VARIABLES)
  foreach(_var IN LISTS _restab_vars)
    get_property(${_var} GLOBAL PROPERTY ${_var})
  endforeach()
endmacro()

# RUST_CRATE implementations (_restab_rust_crate).
include(${CMAKE_CURRENT_LIST_DIR}/RestabRust.cmake)

# ---- The layers ----------------------------------------------------------
# restab_impl_interface: restab_impl.h, the implementation interface.
# restab_harness_core: programs, .ops text, the byte decoder, the
#   differential runner (libc only; the model is a parameter).
# restab_oracle: the model, above the interface only.
# restab::harness: what an implementation's targets link.
add_library(restab_impl_interface INTERFACE)
target_include_directories(restab_impl_interface INTERFACE ${_rh}/harness/include)

set(RESTAB_HARNESS_CORE_SOURCES
  ${_rh}/harness/program.c ${_rh}/harness/decode.c ${_rh}/harness/diff.c
  ${_rh}/harness/run.c ${_rh}/harness/text_buffer.c ${_rh}/harness/files.c
  ${_rh}/harness/prefix.c ${_rh}/harness/count_alloc.c
  ${_rh}/harness/signature.c ${_rh}/harness/outcome.c ${_rh}/harness/tally.c
  ${_rh}/harness/known.c)
add_library(restab_harness_core STATIC EXCLUDE_FROM_ALL ${RESTAB_HARNESS_CORE_SOURCES})
target_include_directories(restab_harness_core PUBLIC ${_rh}/harness)
target_link_libraries(restab_harness_core PUBLIC restab_impl_interface PRIVATE restab_fuzz_no_cmp)
restab_target_defaults(restab_harness_core)

set(RESTAB_ORACLE_SOURCES ${_rh}/oracle/oracle.c)
add_library(restab_oracle STATIC EXCLUDE_FROM_ALL ${RESTAB_ORACLE_SOURCES})
target_include_directories(restab_oracle PUBLIC ${_rh}/oracle)
target_link_libraries(restab_oracle PUBLIC restab_impl_interface PRIVATE restab_fuzz_no_cmp)
restab_target_defaults(restab_oracle)

# The check code above (everything but the decoder, which gives the input
# its meaning) is compiled as check code in fuzzing builds: without coverage
# instrumentation, because its walks over whole states count loop iterations
# that grow with the configuration, not with what the code under test does,
# and rewarded the fuzzer for declaring more tables; and without ASan and
# UBSan, which there cost more time than everything under test and would
# only find bugs in the harness, which the sanitizer presets' tests look for
# (fuzz/FORMAT.md, "Checking policy"). MemorySanitizer builds keep MSan
# everywhere, as it requires. The library and other implementations under
# test keep all of theirs; restab's own adapter (impls/restab), one
# translation per call into lib/, is check code too (fuzz/CMakeLists.txt).
set(RESTAB_CHECK_CODE_OPTIONS
  -fno-sanitize-coverage=inline-8bit-counters,indirect-calls,trace-cmp,pc-table,stack-depth
  -fno-sanitize=address,undefined,integer,local-bounds)
set_property(GLOBAL PROPERTY RESTAB_CHECK_CODE_OPTIONS "${RESTAB_CHECK_CODE_OPTIONS}")
function(restab_check_code target)
  _restab_load()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES")
  if(RESTAB_FUZZ_ENGINE MATCHES "^(libfuzzer|env|afl)$")
    set_source_files_properties(${arg_SOURCES} TARGET_DIRECTORY ${target}
      PROPERTIES COMPILE_OPTIONS "${RESTAB_CHECK_CODE_OPTIONS}")
  endif()
  if(RESTAB_FUZZ_ENGINE STREQUAL "afl")
    # afl-clang-fast instruments as a compiler pass, which the options above
    # do not reach: the target's check code goes to an AFL++ denylist
    # (AFL_LLVM_DENYLIST) instead, written here from the same list. Its
    # patterns name the file alone: the installed afl-clang-fast does not
    # match `*dir/file.c` for sources outside the build directory.
    set_property(TARGET ${target} APPEND PROPERTY RESTAB_CHECK_CODE_FILES ${arg_SOURCES})
    get_property(files TARGET ${target} PROPERTY RESTAB_CHECK_CODE_FILES)
    set(text "# restab_check_code(${target}): check code AFL++ leaves uninstrumented.\n")
    foreach(file IN LISTS files)
      get_filename_component(name ${file} NAME)
      string(APPEND text "src: */${name}\n")
    endforeach()
    set(denylist ${CMAKE_BINARY_DIR}/afl-check-code/${target}.txt)
    file(WRITE ${denylist} "${text}")
    set_target_properties(${target} PROPERTIES C_COMPILER_LAUNCHER
      "${CMAKE_COMMAND};-E;env;AFL_LLVM_DENYLIST=${denylist}")
  endif()
endfunction()
set(RESTAB_HARNESS_CHECK_SOURCES ${RESTAB_HARNESS_CORE_SOURCES})
list(REMOVE_ITEM RESTAB_HARNESS_CHECK_SOURCES ${_rh}/harness/decode.c)
restab_check_code(restab_harness_core SOURCES ${RESTAB_HARNESS_CHECK_SOURCES})
restab_check_code(restab_oracle SOURCES ${RESTAB_ORACLE_SOURCES})

add_library(restab_harness INTERFACE)
target_include_directories(restab_harness INTERFACE ${_rh}/fuzz)
target_link_libraries(restab_harness INTERFACE restab_harness_core restab_oracle)
add_library(restab::harness ALIAS restab_harness)

# ---- The engine: the main() of every fuzz target -------------------------
add_library(restab_engine INTERFACE)
if(RESTAB_FUZZ_ENGINE STREQUAL "standalone")
  target_sources(restab_engine INTERFACE ${_rh}/fuzz/driver_standalone.c)
elseif(RESTAB_FUZZ_ENGINE STREQUAL "libfuzzer")
  target_link_options(restab_engine INTERFACE -fsanitize=fuzzer)
elseif(RESTAB_FUZZ_ENGINE STREQUAL "afl")
  # The driver is compiled uninstrumented (AFL++'s denylist, given to
  # afl-clang-fast through the environment) so that its persistent loop adds
  # no edge to the map; see driver_afl.c.
  add_library(restab_afl_driver OBJECT ${_rh}/fuzz/driver_afl.c)
  target_link_libraries(restab_afl_driver PRIVATE restab_sanitizers)
  set_target_properties(restab_afl_driver PROPERTIES C_COMPILER_LAUNCHER
    "${CMAKE_COMMAND};-E;env;AFL_LLVM_DENYLIST=${_rh}/fuzz/afl-denylist.txt")
  target_sources(restab_engine INTERFACE $<TARGET_OBJECTS:restab_afl_driver>)

  # The op-level mutator for AFL_CUSTOM_MUTATOR_LIBRARY. It is loaded into
  # afl-fuzz itself, so it is built without instrumentation or sanitizers
  # (AFL_NOOPT turns afl-clang-fast into plain clang), from its own
  # position-independent copies of the decoder and the oracle. It knows
  # nothing of the implementation under test, so one serves them all.
  add_library(restab_afl_mutator SHARED ${_rh}/fuzz/afl_mutator.c
    ${_rh}/fuzz/mutator.c ${_rh}/harness/program.c ${_rh}/harness/decode.c
    ${RESTAB_ORACLE_SOURCES})
  target_include_directories(restab_afl_mutator PRIVATE
    ${_rh}/fuzz ${_rh}/harness ${_rh}/harness/include ${_rh}/oracle)
  target_link_libraries(restab_afl_mutator PRIVATE restab_warnings)
  target_compile_features(restab_afl_mutator PRIVATE c_std_11)
  set(_restab_noopt "${CMAKE_COMMAND};-E;env;AFL_NOOPT=1")
  set_target_properties(restab_afl_mutator PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz
    POSITION_INDEPENDENT_CODE ON
    C_COMPILER_LAUNCHER "${_restab_noopt}"
    C_LINKER_LAUNCHER "${_restab_noopt}")
elseif(RESTAB_FUZZ_ENGINE STREQUAL "env")
  if(NOT DEFINED ENV{LIB_FUZZING_ENGINE})
    message(FATAL_ERROR "RESTAB_FUZZ_ENGINE=env needs $LIB_FUZZING_ENGINE")
  endif()
  separate_arguments(_restab_engine_args UNIX_COMMAND "$ENV{LIB_FUZZING_ENGINE}")
  target_link_libraries(restab_engine INTERFACE ${_restab_engine_args})
endif()

# Creates <impl>_<kind>, the fuzz target of one kind of fuzz/targets.txt,
# for an implementation whose <impl>_impl library exists.
function(restab_add_target impl kind)
  _restab_load()
  if(NOT kind IN_LIST RESTAB_TARGET_KINDS)
    message(FATAL_ERROR "restab_add_target: no kind '${kind}' in fuzz/targets.txt")
  endif()
  set(exe ${impl}_${kind})
  add_executable(${exe} ${RESTAB_TARGET_${kind}_SOURCES})
  target_link_libraries(${exe} PRIVATE ${impl}_impl restab_harness restab_engine)
  restab_target_defaults(${exe})
  if(RESTAB_FUZZ_ENGINE MATCHES "^(libfuzzer|env)$" AND
     "${_rh}/fuzz/mutator.c" IN_LIST RESTAB_TARGET_${kind}_SOURCES)
    # The mutator's comparisons would only feed libFuzzer's compare tables
    # with noise (see restab_fuzz_no_cmp).
    set_source_files_properties(${_rh}/fuzz/mutator.c TARGET_DIRECTORY ${exe}
      PROPERTIES COMPILE_OPTIONS -fno-sanitize-coverage=trace-cmp)
  endif()
endfunction()

#[[
restab_add_implementation(<name> IMPL <symbol> SOURCES <files...>
                          [INCLUDE_DIRS <dirs...>] [LINK <targets...>]
                          [ALLOC_HOOK])
restab_add_implementation(<name> IMPL <symbol> RUST_CRATE <dir>
                          [CARGO_FEATURES <features...>] [CARGO_ENV <VAR=VALUE...>]
                          [SOURCES <files...>]
                          [INCLUDE_DIRS <dirs...>] [LINK <targets...>])

Registers a C implementation of the tables with the harness. <symbol> is
the implementation's `const rt_impl` (restab_impl.h), defined in SOURCES,
or, with RUST_CRATE, in the Rust crate in <dir> (bindings/rust's
export_impl!), which cargo builds with CARGO_FEATURES (and the variables
of CARGO_ENV in its environment, for env!() in the crate) as a static
library with the engine's coverage instrumentation (cmake/RestabRust.cmake).
Creates, for the engine of RESTAB_FUZZ_ENGINE and the sanitizers of
RESTAB_SANITIZE:

  <name>_impl   static library: SOURCES, and the fuzz_sut() that names
                <symbol> as this build's implementation under test
  <name>_ops    the differential target: the implementation against the
                oracle, results, checks and states after every step
  <name>_ops_mut  the same with the op-level custom mutator (libFuzzer's
                hooks; under AFL++ use AFL_CUSTOM_MUTATOR_LIBRARY with the
                restab_afl_mutator library)
  <name>_oom    with ALLOC_HOOK (the implementation allocates only through
                rt_config.alloc): allocation failure at every point
  <name>-replay the replay tool: runs inputs differentially, --script,
                --print, --encode, --verbose, --impl oracle

and writes <build>/restab-implementations/<name>.txt, which the scripts'
--impl <name> --build <build> reads to find these executables.
#]]
function(restab_add_implementation name)
  _restab_load()
  cmake_parse_arguments(PARSE_ARGV 1 arg "ALLOC_HOOK" "IMPL;RUST_CRATE"
                        "SOURCES;INCLUDE_DIRS;LINK;CARGO_FEATURES;CARGO_ENV")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "restab_add_implementation(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT name MATCHES "^[A-Za-z][A-Za-z0-9_]*$")
    message(FATAL_ERROR "restab_add_implementation: '${name}' is not a name (letters, digits, _)")
  endif()
  if(NOT arg_IMPL OR NOT arg_IMPL MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "restab_add_implementation(${name}): IMPL <symbol> is missing or not a C identifier")
  endif()
  if(NOT arg_SOURCES AND NOT arg_RUST_CRATE)
    message(FATAL_ERROR "restab_add_implementation(${name}): SOURCES is empty")
  endif()
  if(arg_CARGO_FEATURES AND NOT arg_RUST_CRATE)
    message(FATAL_ERROR "restab_add_implementation(${name}): CARGO_FEATURES needs RUST_CRATE")
  endif()
  if(arg_CARGO_ENV AND NOT arg_RUST_CRATE)
    message(FATAL_ERROR "restab_add_implementation(${name}): CARGO_ENV needs RUST_CRATE")
  endif()
  if(arg_ALLOC_HOOK AND arg_RUST_CRATE)
    message(FATAL_ERROR "restab_add_implementation(${name}): ALLOC_HOOK with RUST_CRATE: "
      "the Rust bindings do not route allocations through rt_config.alloc")
  endif()

  set(sut ${CMAKE_CURRENT_BINARY_DIR}/${name}_sut.c)
  file(CONFIGURE OUTPUT ${sut} CONTENT [[
/* Generated by restab_add_implementation(@name@): this build's
   implementation under test. */
#include "sut.h"

#include "oracle.h"

extern const rt_impl @arg_IMPL@;

const rt_impl *fuzz_sut(void)
{
    return &@arg_IMPL@;
}

run_options fuzz_run_options(void)
{
    run_options opt = run_defaults(&@arg_IMPL@, &rt_oracle);
    opt.replay_tool = "@name@-replay";
    return opt;
}
]] @ONLY)
  add_library(${name}_impl STATIC ${arg_SOURCES} ${sut})
  target_include_directories(${name}_impl PUBLIC ${arg_INCLUDE_DIRS})
  target_link_libraries(${name}_impl PUBLIC restab_impl_interface ${arg_LINK}
                        PRIVATE restab_sanitizers restab_fuzz_instrument)
  target_link_libraries(${name}_impl PRIVATE restab_harness)
  target_compile_features(${name}_impl PRIVATE c_std_11)
  if(arg_RUST_CRATE)
    _restab_rust_crate(${name} ${arg_RUST_CRATE} FEATURES ${arg_CARGO_FEATURES}
      ENV ${arg_CARGO_ENV})
    target_link_libraries(${name}_impl PUBLIC ${name}_rust)
    add_dependencies(${name}_impl ${name}_cargo)
  endif()

  # One executable per kind of fuzz/targets.txt meant for every
  # implementation (and, with ALLOC_HOOK, for those that take the hook).
  set(exes "")
  foreach(kind IN LISTS RESTAB_TARGET_KINDS)
    set(for ${RESTAB_TARGET_${kind}_FOR})
    if(for STREQUAL "every" OR (for STREQUAL "alloc-hook" AND arg_ALLOC_HOOK))
      restab_add_target(${name} ${kind})
      list(APPEND exes ${name}_${kind})
    endif()
  endforeach()
  add_executable(${name}-replay ${_rh}/tools/replay.c)
  target_link_libraries(${name}-replay PRIVATE ${name}_impl restab_harness)
  restab_target_defaults(${name}-replay)

  set(manifest "name=${name}\nengine=${RESTAB_FUZZ_ENGINE}\nsanitize=${RESTAB_SANITIZE}\n")
  foreach(exe IN LISTS exes)
    string(REPLACE "${name}_" "" kind ${exe})
    string(APPEND manifest "${kind}=$<TARGET_FILE:${exe}>\n")
  endforeach()
  string(APPEND manifest "replay=$<TARGET_FILE:${name}-replay>\n")
  if(TARGET restab_afl_mutator)
    string(APPEND manifest "afl_mutator=$<TARGET_FILE:restab_afl_mutator>\n")
  endif()
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/restab-implementations/${name}.txt
    CONTENT "${manifest}")
endfunction()
