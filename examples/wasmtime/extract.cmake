# wasmtime_resources_extract(<file> <out>): writes to <out> the Rust source of
# wasmtime's crates/wasmtime/src/runtime/vm/component/resources.rs, read from
# <file>, ready for src/v35/mod.rs to include!(). <file> is the source itself
# or a page that contains it after a run of line numbers (1, 2, 3, ... one
# per line, as a documentation site's source view shows it); the source is
# then the page's text after the run.
#
# Two edits are made, besides ending the file with one newline:
# - the module's inner doc comments (`//!`) become plain comments, which
#   include!() requires;
# - the type of MAX_RESOURCE_HANDLE becomes the stubs' `Limit`, which keeps
#   wasmtime's own value and lowers it to the configuration's limit at run
#   time (README.md, "The handle limit").
#
# Bad input ends the configuration with one error line naming the file and
# what was looked for.
function(wasmtime_resources_extract file out)
  set(what "WASMTIME_RESOURCES_RS")
  if(NOT file)
    message(FATAL_ERROR " ${what} is not set: give -D${what}=PATH, wasmtime's crates/wasmtime/src/runtime/vm/component/resources.rs or a page containing it")
  endif()
  if(NOT EXISTS "${file}" OR IS_DIRECTORY "${file}")
    message(FATAL_ERROR " ${what}=${file}: no such file (expected wasmtime's crates/wasmtime/src/runtime/vm/component/resources.rs or a page containing it)")
  endif()
  file(READ "${file}" text)
  string(REPLACE "\r\n" "\n" text "${text}")

  # A page: the source follows the longest run of line numbers 1..N.
  string(REGEX MATCH "(^|\n)1\n2\n([0-9]+\n)*" run "${text}")
  if(run)
    string(REGEX MATCHALL "[0-9]+" numbers "${run}")
    list(LENGTH numbers count)
    list(GET numbers -1 last)
    if(NOT last EQUAL count)
      message(FATAL_ERROR " ${what}=${file}: its line numbers run to ${last} but there are ${count} of them (expected 1, 2, 3, ... each on its own line before the source)")
    endif()
    string(FIND "${text}" "${run}" at)
    string(LENGTH "${run}" length)
    math(EXPR at "${at} + ${length}")
    string(SUBSTRING "${text}" ${at} -1 text)
  endif()

  # What src/v35 uses: the types it builds and reads, the functions it calls.
  foreach(needle IN ITEMS
      "pub struct ResourceTables<'a>" "pub struct ResourceTable {"
      "pub struct CallContexts {" "struct CallContext {" "enum Slot {"
      "pub enum TypedResource {" "pub enum TypedResourceIndex {"
      "next: u32," "slots: Vec<Slot>," "scopes: Vec<CallContext>,"
      "lenders: Vec<TypedResourceIndex>," "borrow_count: u32,"
      "lend_count: u32," "scope: usize,"
      "pub fn resource_new(" "pub fn resource_rep(" "pub fn resource_drop("
      "pub fn resource_lower_own(" "pub fn resource_lift_own("
      "pub fn resource_lift_borrow(" "pub fn resource_lower_borrow("
      "pub fn enter_call(" "pub fn exit_call("
      "const MAX_RESOURCE_HANDLE: u32 = ")
    string(FIND "${text}" "${needle}" found)
    if(found EQUAL -1)
      message(FATAL_ERROR " ${what}=${file}: no `${needle}` in it (expected wasmtime 35's crates/wasmtime/src/runtime/vm/component/resources.rs or a page containing it)")
    endif()
  endforeach()

  string(REGEX REPLACE "(^|\n)//!" "\\1//" text "${text}")
  string(REGEX REPLACE "\n+$" "" text "${text}")
  string(APPEND text "\n")
  string(REGEX REPLACE "const MAX_RESOURCE_HANDLE: u32 = ([^;\n]+);"
    "const MAX_RESOURCE_HANDLE: Limit = Limit(\\1);" text "${text}")
  # Rewritten only when it changed, so cargo rebuilds only then.
  file(WRITE "${out}.new" "${text}")
  file(COPY_FILE "${out}.new" "${out}" ONLY_IF_DIFFERENT)
  file(REMOVE "${out}.new")
endfunction()
