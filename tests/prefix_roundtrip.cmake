# cmake -DREPLAY=<replay tool> -DKIND=oom|corrupt -DDIR=<corpus dir>
#       -DWORK=<scratch dir> -P prefix_roundtrip.cmake
# Every binary input of the corpus prints (--target KIND --print) as a
# script whose fail_at / corrupt directive is its prefix, and that script
# encodes back to exactly the same bytes.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(GLOB inputs "${DIR}/*.bin")
list(LENGTH inputs count)
if(count EQUAL 0)
  message(FATAL_ERROR "no binary inputs in ${DIR}")
endif()
foreach(input IN LISTS inputs)
  get_filename_component(name ${input} NAME_WE)
  execute_process(COMMAND ${REPLAY} --target ${KIND} --print ${input}
    OUTPUT_FILE ${WORK}/${name}.ops RESULT_VARIABLE status ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${input}: --print failed (${status}): ${err}")
  endif()
  execute_process(COMMAND ${REPLAY} --encode ${WORK}/${name}.ops ${WORK}/${name}.bin
    RESULT_VARIABLE status ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${input}: the printed script does not encode (${status}): ${err}")
  endif()
  file(SHA256 ${input} want)
  file(SHA256 ${WORK}/${name}.bin got)
  if(NOT want STREQUAL got)
    message(FATAL_ERROR "${input}: printed and encoded again, the bytes differ (${WORK}/${name}.ops)")
  endif()
endforeach()
message(STATUS "${count} ${KIND} inputs round-trip through their directive")
