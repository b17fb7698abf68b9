# Helper targets that carry warnings, sanitizers and fuzzing instrumentation.
# Targets link them with $<BUILD_INTERFACE:...> so nothing leaks into the
# installed package, and nothing is appended to CMAKE_C_FLAGS.

add_library(restab_warnings INTERFACE)
if(CMAKE_C_COMPILER_ID MATCHES "Clang|GNU")
  target_compile_options(restab_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2
    -Wundef -Wcast-qual -Wwrite-strings)
endif()

add_library(restab_sanitizers INTERFACE)
if(RESTAB_SANITIZE)
  if(NOT RESTAB_SANITIZE MATCHES "^(address|undefined|memory|address,undefined|undefined,address)$")
    message(FATAL_ERROR "RESTAB_SANITIZE='${RESTAB_SANITIZE}' is not one of: address,undefined address undefined memory")
  endif()
  set(_restab_san -fsanitize=${RESTAB_SANITIZE} -fno-omit-frame-pointer -g)
  if(RESTAB_SANITIZE MATCHES "undefined")
    list(APPEND _restab_san -fno-sanitize-recover=all)
    if(CMAKE_C_COMPILER_ID MATCHES "Clang")
      list(APPEND _restab_san -fsanitize=unsigned-integer-overflow,implicit-conversion,local-bounds
                              -fno-sanitize=unsigned-shift-base)
    endif()
  endif()
  if(RESTAB_SANITIZE STREQUAL "memory")
    list(APPEND _restab_san -fsanitize-memory-track-origins=2)
  endif()
  target_compile_options(restab_sanitizers INTERFACE ${_restab_san})
  target_link_options(restab_sanitizers INTERFACE ${_restab_san})
endif()

# Coverage instrumentation for every object that ends up in a fuzz target:
# the library, the oracle and the harness. The engine's own main is linked
# into the targets only (fuzz/CMakeLists.txt).
add_library(restab_fuzz_instrument INTERFACE)
if(RESTAB_FUZZ_ENGINE STREQUAL "libfuzzer")
  target_compile_options(restab_fuzz_instrument INTERFACE -fsanitize=fuzzer-no-link)
  target_link_options(restab_fuzz_instrument INTERFACE -fsanitize=fuzzer-no-link)
elseif(RESTAB_FUZZ_ENGINE STREQUAL "env")
  # OSS-Fuzz style: $CFLAGS already carries the instrumentation.
elseif(RESTAB_FUZZ_ENGINE STREQUAL "afl")
  # afl-clang-fast instruments everything it compiles.
elseif(NOT RESTAB_FUZZ_ENGINE STREQUAL "standalone")
  message(FATAL_ERROR "RESTAB_FUZZ_ENGINE='${RESTAB_FUZZ_ENGINE}' is not one of: standalone libfuzzer afl env")
endif()

# The oracle, the harness and the library's checker walk whole states at
# every step; tracing their comparisons for libFuzzer cost about 70% of the
# run time and guides nothing, so only the operations themselves keep it.
add_library(restab_fuzz_no_cmp INTERFACE)
if(RESTAB_FUZZ_ENGINE MATCHES "^(libfuzzer|env)$")
  target_compile_options(restab_fuzz_no_cmp INTERFACE -fno-sanitize-coverage=trace-cmp)
endif()

# One call for every project target that is not the public library.
function(restab_target_defaults target)
  target_link_libraries(${target} PRIVATE restab_warnings restab_sanitizers restab_fuzz_instrument)
  target_compile_features(${target} PRIVATE c_std_11)
endfunction()
