# rainier_add_te_core(<target> ROWS <r> COLS <c> [TRACE] [EXCLUDE_FROM_ALL])
# Verilates rtl/te_core.sv at the given size into a static library <target> whose model
# class is V<target without the "rainier_" prefix> (e.g. rainier_te_core -> Vte_core).
# Plain C++ model (no --sc): the user clocks it by toggling clk_i and calling eval().
# TRACE compiles FST tracing in (--trace-fst); without it the model has no trace code.
# Included by rtl/ and tests/rtl/; safe to include more than once.

option(RAINIER_RTL_128 "Also build the 128x128 (Trainium2-size) core: hours of CPU, 9 GB while verilating" OFF)

# Optimisation of the generated C++ hot code. -Os was the fastest and cheapest to build here
# (DESIGN.md); a quick build of a big core may use -O0 (slower simulation).
set(RAINIER_RTL_OPT_FAST "-Os" CACHE STRING "Compiler optimisation of Verilated fast code")

find_package(verilator REQUIRED HINTS $ENV{VERILATOR_ROOT} /usr/share/verilator)
find_package(Threads REQUIRED)

set(RAINIER_RTL_DIR ${CMAKE_CURRENT_LIST_DIR})
set(RAINIER_RTL_SOURCES
  ${RAINIER_RTL_DIR}/te_pkg.sv
  ${RAINIER_RTL_DIR}/te_delay.sv
  ${RAINIER_RTL_DIR}/te_pe.sv
  ${RAINIER_RTL_DIR}/te_array.sv
  ${RAINIER_RTL_DIR}/te_core.sv)
set(RAINIER_RTL_WAIVERS ${RAINIER_RTL_DIR}/lint/waivers.vlt)

function(rainier_add_te_core target)
  cmake_parse_arguments(ARG "TRACE;EXCLUDE_FROM_ALL" "ROWS;COLS" "" ${ARGN})
  string(REGEX REPLACE "^rainier_" "" model ${target})
  if(ARG_EXCLUDE_FROM_ALL)
    add_library(${target} STATIC EXCLUDE_FROM_ALL)
  else()
    add_library(${target} STATIC)
  endif()
  set(trace)
  if(ARG_TRACE)
    set(trace TRACE_FST)
  endif()
  verilate(${target} ${trace}
    SOURCES ${RAINIER_RTL_WAIVERS} ${RAINIER_RTL_SOURCES}
    TOP_MODULE te_core
    PREFIX V${model}
    DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/${model}
    VERILATOR_ARGS -GRows=${ARG_ROWS} -GCols=${ARG_COLS} -O3 --x-assign fast --x-initial fast
    # Verilator's own OPT_FAST would otherwise win over CMAKE_CXX_FLAGS (DESIGN.md). No debug
    # info for generated code (it is huge and nobody steps through it).
    OPT_FAST ${RAINIER_RTL_OPT_FAST} -g0 -w
    OPT_SLOW -O0 -g0 -w
    OPT_GLOBAL -O2 -g0 -w)
  target_link_libraries(${target} PUBLIC Threads::Threads)
  # Users see Verilator's headers as system headers (they are not -Wextra clean).
  target_include_directories(${target} SYSTEM INTERFACE
    ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
  target_compile_definitions(${target} INTERFACE
    RAINIER_TE_ROWS=${ARG_ROWS} RAINIER_TE_COLS=${ARG_COLS})
  set_target_properties(${target} PROPERTIES RAINIER_TE_ROWS ${ARG_ROWS} RAINIER_TE_COLS ${ARG_COLS})
endfunction()
