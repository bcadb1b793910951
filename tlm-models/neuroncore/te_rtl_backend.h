// The tensor-engine core as Verilated RTL (rtl/te_core.sv, class Vte_core and, when built,
// Vte_core_128), clocked by toggling clk_i and calling eval() only while it has work. Ops are
// put on the load and moving ports under the issue rule of rtl/README.md, exactly as
// tests/rtl/te_core_harness.h does; beats, first beats and output vectors are observed on the
// ports, so every cycle count is the RTL's own. Create it with make_te_rtl_backend()
// (te_backend.h); this header only documents the variant.
#pragma once

#include "te_backend.h"
