# A short fuzzing run as a ctest case (label smoke):
#   cmake -DENGINE=libfuzzer|afl -DFUZZER=<binary> -DSEEDS=<dir> -DDICT=<file>
#         -DINPUT=program|script
#         -DSECONDS=N -DWORK=<dir> -P smoke.cmake
# Fails on any crash, on a fuzzer that did not run, and for AFL++ on a
# stability below 100%. SECONDS=0 only replays the seeds.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/crashes)
# INPUT (fuzz/targets.txt): program targets take the binary seeds, script
# targets the .ops scripts.
file(GLOB_RECURSE seeds "${SEEDS}/*.bin")
if(INPUT STREQUAL "script")
  file(GLOB_RECURSE seeds "${SEEDS}/*.ops")
endif()
file(COPY ${seeds} DESTINATION ${WORK}/corpus)

if(ENGINE STREQUAL "libfuzzer")
  set(args -artifact_prefix=${WORK}/crashes/ -print_final_stats=1 -timeout=10)
  if(SECONDS GREATER 0)
    list(APPEND args -max_total_time=${SECONDS} -dict=${DICT})
  else()
    list(APPEND args -runs=0)
  endif()
  execute_process(COMMAND ${FUZZER} ${args} ${WORK}/corpus
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE log)
  string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" execs "${log}")
  string(REGEX MATCH "stat::average_exec_per_sec: *[0-9]+" rate "${log}")
  message(STATUS "${execs}; ${rate}")
elseif(ENGINE STREQUAL "afl")
  set(ENV{AFL_SKIP_CPUFREQ} 1)
  set(ENV{AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES} 1)
  set(ENV{AFL_NO_UI} 1)
  set(ENV{AFL_NO_AFFINITY} 1)
  set(ENV{ASAN_OPTIONS} "abort_on_error=1:symbolize=0:detect_leaks=0")
  execute_process(COMMAND afl-fuzz -i ${WORK}/corpus -o ${WORK}/out -V ${SECONDS}
      -x ${DICT} -t 2000 -- ${FUZZER}
    RESULT_VARIABLE status OUTPUT_VARIABLE log ERROR_VARIABLE err)
  string(APPEND log "${err}")
  set(stats ${WORK}/out/default/fuzzer_stats)
  if(NOT EXISTS ${stats})
    message(FATAL_ERROR "afl-fuzz did not run (status ${status}):\n${log}")
  endif()
  file(STRINGS ${stats} lines REGEX "^(execs_done|execs_per_sec|stability|saved_crashes|bitmap_cvg) ")
  message(STATUS "${lines}")
  file(STRINGS ${stats} stability REGEX "^stability ")
  if(NOT stability MATCHES "100.00%")
    message(FATAL_ERROR "AFL++ stability is not 100%: ${stability}")
  endif()
  file(GLOB crashes ${WORK}/out/default/crashes/id:*)
  if(crashes)
    file(COPY ${crashes} DESTINATION ${WORK}/crashes)
  endif()
else()
  message(FATAL_ERROR "ENGINE must be libfuzzer or afl")
endif()

file(GLOB crashes ${WORK}/crashes/*)
if(crashes)
  message(FATAL_ERROR "the fuzzer found crashes: ${crashes}\nreproduce with: scripts/reproduce --target <target> FILE\n${log}")
endif()
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the fuzzer exited with status ${status}:\n${log}")
endif()
