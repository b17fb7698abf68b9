# cmake -DREPLAY=... -DIMPL=restab|oracle -DSCRIPT=x.ops -DEXPECTED=x.expected -P golden_compare.cmake
execute_process(
  COMMAND ${REPLAY} --impl ${IMPL} --script ${SCRIPT}
  OUTPUT_VARIABLE actual
  ERROR_VARIABLE errors
  RESULT_VARIABLE status)
file(READ ${EXPECTED} expected)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "replay exited with ${status}:\n${errors}")
endif()
if(NOT actual STREQUAL expected)
  message(FATAL_ERROR "${SCRIPT} through ${IMPL}\n--- expected\n${expected}--- actual\n${actual}")
endif()
