# cmake -DREPLAY=... -DIMPL=restab|oracle -DSCRIPT=x.ops -DEXPECTED=x.expected
#       [-DSEMANTICS=wasmtime35|spec -DCOPY=out.ops] -P golden_compare.cmake
# With SEMANTICS, the script runs in that profile instead of its own: COPY is
# written as the script with its `semantics` directive line replaced (or, when
# it has none, with one put first), and the copy is what runs.
if(DEFINED SEMANTICS)
  file(READ ${SCRIPT} text)
  # A directive line: `semantics WORD`, optional blanks and a comment.
  set(directive "(^|\n)[ \t]*semantics[ \t]+[^ \t\n#]+([ \t]*(#[^\n]*)?)")
  string(REGEX MATCHALL "${directive}" found "${text}")
  list(LENGTH found count)
  if(count GREATER 1)
    message(FATAL_ERROR "${SCRIPT} has ${count} semantics lines")
  elseif(count EQUAL 1)
    string(REGEX REPLACE "${directive}" "\\1semantics ${SEMANTICS}\\2" text "${text}")
  else()
    set(text "semantics ${SEMANTICS}\n${text}")
  endif()
  file(WRITE ${COPY} "${text}")
  set(SCRIPT ${COPY})
endif()
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
