# Runs a mutant's restab_ops over the corpus and checks that the harness
# reports the planted bug readably and that the report's script reproduces
# it with the replay tool.
execute_process(COMMAND ${TARGET} ${CORPUS}
  RESULT_VARIABLE status ERROR_VARIABLE report OUTPUT_QUIET)
if(status EQUAL 0)
  message(FATAL_ERROR "the harness did not catch the planted bug: ${TARGET} passed the corpus")
endif()
foreach(part IN ITEMS "disagree" "failing step:" "what:" "script up to and including the failing step")
  string(FIND "${report}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the failure report lacks '${part}':\n${report}")
  endif()
endforeach()
string(REGEX MATCH "---- 8< ----\n(.*)---- >8 ----" script "${report}")
if(NOT script)
  message(FATAL_ERROR "no script in the report:\n${report}")
endif()
set(script "${CMAKE_MATCH_1}")
file(WRITE ${WORK}/crash.ops "${script}")

execute_process(COMMAND ${MUTANT_REPLAY} --quiet ${WORK}/crash.ops
  RESULT_VARIABLE mutant_status ERROR_VARIABLE mutant_report OUTPUT_QUIET)
if(NOT mutant_status EQUAL 1)
  message(FATAL_ERROR "the extracted script did not reproduce with the mutant's replay (status ${mutant_status}):\n${script}\n${mutant_report}")
endif()
execute_process(COMMAND ${REPLAY} --quiet ${WORK}/crash.ops
  RESULT_VARIABLE real_status ERROR_VARIABLE real_report OUTPUT_QUIET)
if(NOT real_status EQUAL 0)
  message(FATAL_ERROR "the real library fails the extracted script too (status ${real_status}):\n${real_report}")
endif()
message(STATUS "caught; report:\n${report}")
