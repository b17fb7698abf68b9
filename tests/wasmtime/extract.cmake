# cmake -DIN=FILE -DOUT=FILE -P extract.cmake: examples/wasmtime's
# extraction on its own (tests/wasmtime/run.sh, step input).
include(${CMAKE_CURRENT_LIST_DIR}/../../examples/wasmtime/extract.cmake)
wasmtime_resources_extract("${IN}" "${OUT}")
