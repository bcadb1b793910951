// How C++ drives the Verilated core: its reset sequence, and one lane of its packed vector
// ports (ld_data_i, mm_data_i, out_data_o: a QData up to 64 bits, a VlWide<N> of 32-bit words
// beyond). Shared by the TLM wrapper and the RTL tests.
#pragma once

#include <verilated.h>

#include <cstddef>
#include <cstdint>

namespace rainier::te_lanes {

inline void put_lane16(QData& port, unsigned lane, uint16_t v) {
    const unsigned sh = lane * 16;
    port = (port & ~(QData(0xffff) << sh)) | (QData(v) << sh);
}
template <std::size_t N>
void put_lane16(VlWide<N>& port, unsigned lane, uint16_t v) {
    EData& w = port[lane / 2];
    const unsigned sh = (lane % 2) * 16;
    w = (w & ~(EData(0xffff) << sh)) | (EData(v) << sh);
}
inline uint32_t get_lane32(const QData& port, unsigned lane) {
    return uint32_t(port >> (32 * lane));
}
template <std::size_t N>
uint32_t get_lane32(const VlWide<N>& port, unsigned lane) {
    return port[lane];
}

// Asynchronous reset with both input ports idle, one clock edge inside it, clock left low.
template <class Model>
void reset_core(Model& m) {
    m.clk_i = 0;
    m.rst_ni = 0;
    m.ld_valid_i = 0;
    m.mm_valid_i = 0;
    m.eval();
    m.clk_i = 1;
    m.eval();
    m.clk_i = 0;
    m.eval();
    m.rst_ni = 1;
    m.eval();
}

} // namespace rainier::te_lanes
