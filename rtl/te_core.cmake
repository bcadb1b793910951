# rainier_add_te_core(<target> ROWS <r> COLS <c> [TRACE] [HIERARCHICAL] [EXCLUDE_FROM_ALL])
# Verilates rtl/te_core.sv at the given size into a static library <target> whose model
# class is V<target without the "rainier_" prefix> (e.g. rainier_te_core -> Vte_core).
# Plain C++ model (no --sc): the user clocks it by toggling clk_i and calling eval().
# TRACE compiles FST tracing in (--trace-fst); without it the model has no trace code.
# HIERARCHICAL verilates te_row once as a block of its own (--hierarchical, te_row's
# hier_block) and the core around Rows instances of it, instead of inlining every PE: the
# generated C++ grows with Cols rather than Rows x Cols and one row's code serves every row
# (128 x 128: 28 MB of C++ instead of 1.27 GB, 0.5 GB and under a CPU-minute to verilate
# instead of 8.5 GB and 19 min, 2.2 CPU-minutes to compile instead of 3.7 hours; 32 x 32 is
# also faster per cycle than flat: rtl/README.md). Same class, ports and cycle behaviour; no
# TRACE. Verilator 5.006's verilate() has no hierarchical mode, so this runs Verilator at
# configure time (again when an RTL source changed) and compiles the generated files of the
# core and of the row block as the library's sources.
# Included by rtl/ and tests/rtl/; safe to include more than once.

option(RAINIER_RTL_128 "Also build the 128x128 (Trainium2-size) core: hierarchical verilation, under 3 CPU-minutes and 0.7 GB" OFF)

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
  ${RAINIER_RTL_DIR}/te_row.sv
  ${RAINIER_RTL_DIR}/te_array.sv
  ${RAINIER_RTL_DIR}/te_core.sv)
set(RAINIER_RTL_WAIVERS ${RAINIER_RTL_DIR}/lint/waivers.vlt)

# The names listed under <var> += in a Verilator-generated makefile (VM_CLASSES_FAST, ...).
function(_rainier_mk_list mk var out)
  file(READ ${mk} text)
  string(REGEX REPLACE "[ \t]*\\\\\n[ \t]*" " " text "${text}")  # join continued lines
  string(REGEX MATCHALL "(^|\n)${var} [:+]?=[^\n]*" defs "${text}")
  set(names)
  foreach(def IN LISTS defs)
    string(REGEX REPLACE "^\n?${var} [:+]?=" "" def "${def}")
    separate_arguments(def UNIX_COMMAND "${def}")
    list(APPEND names ${def})
  endforeach()
  set(${out} ${names} PARENT_SCOPE)
endfunction()

# HIERARCHICAL: verilate now (when the command, an RTL source or Verilator changed) and add
# the generated C++ of the core and of its te_row block to <target>.
function(_rainier_verilate_hier target model rows cols)
  set(vdir ${CMAKE_CURRENT_BINARY_DIR}/${model})
  set(cmd ${VERILATOR_BIN} --cc --hierarchical --prefix V${model} --Mdir ${vdir}
    --top-module te_core +define+TE_CORE_ROWS=${rows} +define+TE_CORE_COLS=${cols}
    -O3 --x-assign fast --x-initial fast ${RAINIER_RTL_WAIVERS} ${RAINIER_RTL_SOURCES})
  set(stamp ${vdir}/rainier_verilator_command.txt)
  set(outdated ON)
  if(EXISTS ${stamp})
    file(READ ${stamp} previous)
    if(previous STREQUAL "${cmd}")
      set(outdated OFF)
      foreach(src IN LISTS RAINIER_RTL_SOURCES RAINIER_RTL_WAIVERS ITEMS ${VERILATOR_BIN})
        if(${src} IS_NEWER_THAN ${stamp})
          set(outdated ON)
        endif()
      endforeach()
    endif()
  endif()
  if(outdated)
    message(STATUS "Verilating ${model} hierarchically")
    file(REMOVE_RECURSE ${vdir})
    file(MAKE_DIRECTORY ${vdir})
    execute_process(COMMAND ${cmd} WORKING_DIRECTORY ${vdir} RESULT_VARIABLE rc
                    OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(rc)
      message(FATAL_ERROR "Verilator failed (${rc}):\n${out}")
    endif()
    file(WRITE ${stamp} "${cmd}")
  endif()
  # A source edit reconfigures, which verilates again.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${RAINIER_RTL_SOURCES} ${RAINIER_RTL_WAIVERS})

  # The core, then each hierarchical block (its directory and DPI wrapper te_row_<n>.cpp).
  set(fast)
  set(slow)
  set(dirs ${vdir})
  _rainier_mk_list(${vdir}/V${model}_hier.mk VM_HIER_LIBS libs)
  set(blocks)
  foreach(lib IN LISTS libs)
    string(REGEX REPLACE "^([^/]+)/lib([^/]+)\\.a$" "\\1;\\2" parts ${lib})
    list(GET parts 0 dir)
    list(GET parts 1 wrapper)
    list(APPEND blocks ${dir})
    list(APPEND dirs ${vdir}/${dir})
    list(APPEND fast ${vdir}/${dir}/${wrapper}.cpp)
    # Verilator names the block te_row_<x> with x from a short hash of its parameters (5.006:
    # Cols 64 and 128 both give te_row_c). Two models whose different rows share a name must
    # not be linked into one program: their classes and DPI functions would clash.
    get_property(seen GLOBAL PROPERTY RAINIER_TE_HIER_${dir})
    if(seen AND NOT seen MATCHES "^${cols} ")
      message(WARNING "${target}: its row block ${dir} has the name of the Cols=${seen}one; "
                      "do not link both into one program")
    elseif(NOT seen)
      set_property(GLOBAL PROPERTY RAINIER_TE_HIER_${dir} "${cols} (${target}) ")
    endif()
  endforeach()
  set(mks ${vdir}/V${model}_classes.mk)
  foreach(block IN LISTS blocks)
    list(APPEND mks ${vdir}/${block}/${block}_classes.mk)
  endforeach()
  foreach(mk IN LISTS mks)
    get_filename_component(dir ${mk} DIRECTORY)
    foreach(var VM_CLASSES_FAST VM_SUPPORT_FAST VM_CLASSES_SLOW VM_SUPPORT_SLOW)
      _rainier_mk_list(${mk} ${var} names)
      foreach(name IN LISTS names)
        if(var MATCHES "FAST")
          list(APPEND fast ${dir}/${name}.cpp)
        else()
          list(APPEND slow ${dir}/${name}.cpp)
        endif()
      endforeach()
    endforeach()
  endforeach()
  _rainier_mk_list(${vdir}/V${model}_classes.mk VM_GLOBAL_FAST globals)
  list(TRANSFORM globals PREPEND ${VERILATOR_ROOT}/include/)
  list(TRANSFORM globals APPEND .cpp)

  separate_arguments(opt_fast UNIX_COMMAND "${RAINIER_RTL_OPT_FAST}")
  target_sources(${target} PRIVATE ${fast} ${slow} ${globals})
  set_property(SOURCE ${fast} APPEND PROPERTY COMPILE_OPTIONS ${opt_fast} -g0 -w)
  set_property(SOURCE ${slow} APPEND PROPERTY COMPILE_OPTIONS -O0 -g0 -w)
  set_property(SOURCE ${globals} APPEND PROPERTY COMPILE_OPTIONS -O2 -g0 -w)
  target_include_directories(${target} PUBLIC ${vdir} PRIVATE ${dirs})
  target_include_directories(${target} SYSTEM PRIVATE
    ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
  target_compile_definitions(${target} PRIVATE
    VM_COVERAGE=0 VM_SC=0 VM_TRACE=0 VM_TRACE_VCD=0 VM_TRACE_FST=0)
  target_compile_features(${target} PRIVATE cxx_std_11)
endfunction()

function(rainier_add_te_core target)
  cmake_parse_arguments(ARG "TRACE;HIERARCHICAL;EXCLUDE_FROM_ALL" "ROWS;COLS" "" ${ARGN})
  string(REGEX REPLACE "^rainier_" "" model ${target})
  if(ARG_EXCLUDE_FROM_ALL)
    add_library(${target} STATIC EXCLUDE_FROM_ALL)
  else()
    add_library(${target} STATIC)
  endif()
  if(ARG_HIERARCHICAL)
    if(ARG_TRACE)
      message(FATAL_ERROR "${target}: HIERARCHICAL has no TRACE (the rows are opaque blocks)")
    endif()
    _rainier_verilate_hier(${target} ${model} ${ARG_ROWS} ${ARG_COLS})
  else()
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
      # Verilator's own OPT_FAST would otherwise win over CMAKE_CXX_FLAGS (DESIGN.md). No
      # debug info for generated code (it is huge and nobody steps through it).
      OPT_FAST ${RAINIER_RTL_OPT_FAST} -g0 -w
      OPT_SLOW -O0 -g0 -w
      OPT_GLOBAL -O2 -g0 -w)
  endif()
  target_link_libraries(${target} PUBLIC Threads::Threads)
  # Users see Verilator's headers as system headers (they are not -Wextra clean).
  target_include_directories(${target} SYSTEM INTERFACE
    ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
  target_compile_definitions(${target} INTERFACE
    RAINIER_TE_ROWS=${ARG_ROWS} RAINIER_TE_COLS=${ARG_COLS})
  set_target_properties(${target} PROPERTIES RAINIER_TE_ROWS ${ARG_ROWS} RAINIER_TE_COLS ${ARG_COLS})
  # te_lanes.h: how C++ reaches the lanes of the core's packed ports.
  target_include_directories(${target} INTERFACE ${RAINIER_RTL_DIR})
endfunction()
