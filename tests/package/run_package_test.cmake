# Package test steps, run by ctest as `cmake -DMODE=... -P this-file`.
#
#   MODE=install    cmake --install BUILD_DIR --prefix PREFIX (a fresh prefix)
#   MODE=cmake      configure, build and run consumer/ with
#                   find_package(restab) against PREFIX (static and shared)
#   MODE=pkgconfig  compile consumer/main.c with the flags from
#                   `pkg-config --cflags --libs restab` and run it
#
# Other inputs: PREFIX, LIBDIR (relative, as CMAKE_INSTALL_LIBDIR), WORK (a
# scratch directory), CONSUMER_DIR, C_COMPILER, GENERATOR, SAN_FLAGS (the
# outer build's sanitizer flags, space separated, may be empty), BUILD_DIR
# and CONFIG (install only).

cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS MODE PREFIX LIBDIR WORK CONSUMER_DIR C_COMPILER GENERATOR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "usage: cmake -DMODE=install|cmake|pkgconfig -DPREFIX=... "
      "-DLIBDIR=... -DWORK=... -DCONSUMER_DIR=... -DC_COMPILER=... -DGENERATOR=... "
      "[-DSAN_FLAGS=...] [-DBUILD_DIR=... -DCONFIG=...] -P ${CMAKE_CURRENT_LIST_FILE} "
      "(${var} is missing)")
  endif()
endforeach()

# Runs a command, echoing it; fails the test with its output if it fails.
function(run what)
  list(JOIN ARGN " " shown)
  message("+ ${shown}")
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
  message("${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc})")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# Runs a consumer program and checks that it reports success.
function(run_consumer exe)
  set(ENV{LD_LIBRARY_PATH} "${PREFIX}/${LIBDIR}")
  run("running ${exe}" ${exe})
  if(NOT run_output MATCHES "restab consumer: ok")
    message(FATAL_ERROR "${exe} did not report success: ${run_output}")
  endif()
endfunction()

separate_arguments(san_list UNIX_COMMAND "${SAN_FLAGS}")

if(MODE STREQUAL "install")
  if(NOT BUILD_DIR)
    message(FATAL_ERROR "MODE=install needs -DBUILD_DIR")
  endif()
  file(REMOVE_RECURSE "${PREFIX}")
  set(config_args "")
  if(CONFIG)
    set(config_args --config "${CONFIG}")
  endif()
  run("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}"
    --prefix "${PREFIX}" ${config_args})
  foreach(file IN ITEMS
      include/restab.h
      ${LIBDIR}/cmake/restab/restabConfig.cmake
      ${LIBDIR}/cmake/restab/restabConfigVersion.cmake
      ${LIBDIR}/cmake/restab/restabTargets.cmake
      ${LIBDIR}/pkgconfig/restab.pc
      ${LIBDIR}/librestab.a
      ${LIBDIR}/librestab.so)
    if(NOT EXISTS "${PREFIX}/${file}")
      message(FATAL_ERROR "not installed: ${PREFIX}/${file}")
    endif()
  endforeach()

elseif(MODE STREQUAL "cmake")
  set(build "${WORK}/cmake-consumer")
  file(REMOVE_RECURSE "${build}")
  run("configuring the consumer" "${CMAKE_COMMAND}"
    -S "${CONSUMER_DIR}" -B "${build}" -G "${GENERATOR}"
    "-DCMAKE_C_COMPILER=${C_COMPILER}"
    "-DCMAKE_PREFIX_PATH=${PREFIX}"
    "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"
    "-DCMAKE_C_FLAGS=${SAN_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${SAN_FLAGS}"
    "-DRESTAB_EXPECTED_PREFIX=${PREFIX}")
  run("building the consumer" "${CMAKE_COMMAND}" --build "${build}")
  run_consumer("${build}/consumer_static")
  run_consumer("${build}/consumer_shared")

elseif(MODE STREQUAL "pkgconfig")
  find_program(PKG_CONFIG NAMES pkg-config pkgconf)
  if(NOT PKG_CONFIG)
    message(FATAL_ERROR "pkg-config is not installed, so the pkg-config "
      "package test cannot run (Debian/Ubuntu: apt-get install pkg-config)")
  endif()
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/${LIBDIR}/pkgconfig")
  set(ENV{PKG_CONFIG_LIBDIR} "${PREFIX}/${LIBDIR}/pkgconfig")
  run("pkg-config --modversion restab" "${PKG_CONFIG}" --modversion restab)
  run("pkg-config --variable=includedir restab" "${PKG_CONFIG}"
    --variable=includedir restab)
  string(STRIP "${run_output}" includedir)
  if(NOT EXISTS "${includedir}/restab.h")
    message(FATAL_ERROR "restab.pc names includedir '${includedir}', which "
      "has no restab.h: the installed restab.pc does not point into the "
      "prefix it was installed to (${PREFIX})")
  endif()
  run("pkg-config --cflags --libs restab" "${PKG_CONFIG}" --cflags --libs restab)
  string(STRIP "${run_output}" flags)
  separate_arguments(flag_list UNIX_COMMAND "${flags}")
  file(MAKE_DIRECTORY "${WORK}")
  set(exe "${WORK}/consumer_pkgconfig")
  file(REMOVE "${exe}")
  run("compiling the consumer with pkg-config flags" "${C_COMPILER}"
    ${san_list} "${CONSUMER_DIR}/main.c" ${flag_list} -o "${exe}")
  run_consumer("${exe}")

else()
  message(FATAL_ERROR "unknown MODE '${MODE}': install, cmake or pkgconfig")
endif()
