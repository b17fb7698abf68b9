# cmake -DREPLAY=... -DSCRIPT=bad.ops -P malformed_check.cmake
# The script's first line is "# expect: TEXT": the message must contain
# "FILE:LINE: TEXT" where LINE is given as "# line: N".
file(STRINGS ${SCRIPT} header LIMIT_COUNT 2)
list(GET header 0 expect_line)
list(GET header 1 line_line)
string(REGEX REPLACE "^# expect: " "" expect "${expect_line}")
string(REGEX REPLACE "^# line: " "" line "${line_line}")
execute_process(
  COMMAND ${REPLAY} --script ${SCRIPT}
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE status)
if(NOT status EQUAL 2)
  message(FATAL_ERROR "expected exit status 2, got ${status}\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT out STREQUAL "")
  message(FATAL_ERROR "a malformed script must print nothing on stdout, got:\n${out}")
endif()
string(FIND "${err}" "${SCRIPT}:${line}: ${expect}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "expected '${SCRIPT}:${line}: ${expect}' in:\n${err}")
endif()
