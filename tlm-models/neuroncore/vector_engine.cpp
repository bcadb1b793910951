#include "vector_engine.h"

#include <cstdio>
#include <stdexcept>

#include "core/hex.h"

namespace rainier {

namespace {

vector_ops::tile as_tile(const sram_tile& t, unsigned dtype) {
    vector_ops::tile v;
    v.base = t.base;
    v.stride = t.stride;
    v.partitions = t.partitions;
    v.elems = t.elems;
    v.dtype = dtype;
    return v;
}

} // namespace

vector_engine::vector_engine(sc_core::sc_module_name name, const vector_engine_config& cfg,
                             engine_queue& q, core_sram& sram)
    : sc_module(name), m_cfg(cfg), m_queue(q), m_sram(sram), m_exec(cfg.seed) {
    if (!(cfg.clock_hz > 0))
        throw std::invalid_argument(std::string(this->name()) + ": clock_hz must be > 0");
    SC_HAS_PROCESS(vector_engine);
    SC_THREAD(run);
}

sc_core::sc_time vector_engine::cycle_time(uint64_t cycles) const {
    return sc_core::sc_time(double(cycles) / m_cfg.clock_hz, sc_core::SC_SEC);
}

void vector_engine::attach_probes(const probes& p, const std::string& group,
                                  const std::string& scope) {
    m_probes = p;
    if (p.trace) m_row = p.trace->add_row(group, scope);
    if (p.wave) {
        m_wave_busy = p.wave->add_signal(group + "." + scope, "busy", 1);
        m_wave_opcode = p.wave->add_signal(group + "." + scope, "opcode", 8);
        p.wave->change(m_wave_busy, sc_core::SC_ZERO_TIME, 0);
        p.wave->change(m_wave_opcode, sc_core::SC_ZERO_TIME, 0);
    }
}

unsigned vector_engine::validate(const rainier_nc_insn& insn, vector_ops::tile& dst,
                                 vector_ops::tile& src0, vector_ops::tile& src1,
                                 std::string& why) const {
    if (unsigned e = vector_ops::check(insn, why)) return e;
    sram_tile t;
    if (unsigned e = m_sram.resolve(insn.src0, insn.src_dtype, "src0", t, why)) return e;
    src0 = as_tile(t, insn.src_dtype);
    if (vector_ops::src1_kind(insn) != vector_ops::src1_use::none) {
        const unsigned dt = vector_ops::src1_dtype(insn);
        if (unsigned e = m_sram.resolve(insn.src1, dt, "src1", t, why)) return e;
        src1 = as_tile(t, dt);
    }
    if (unsigned e = m_sram.resolve(insn.dst, insn.dst_dtype, "dst", t, why)) return e;
    dst = as_tile(t, insn.dst_dtype);
    return RAINIER_NC_ERR_NONE;
}

void vector_engine::run() {
    for (;;) {
        rainier_nc_insn insn;
        switch (m_queue.peek(insn)) {
        case engine_queue::state::ready: break;
        case engine_queue::state::waiting:
            wait(m_queue.changed() | m_queue.sem_changed());
            continue;
        case engine_queue::state::empty:
        case engine_queue::state::halted: wait(m_queue.changed()); continue;
        }
        vector_ops::tile dst, src0, src1;
        std::string why;
        if (unsigned e = validate(insn, dst, src0, src1, why)) {
            m_queue.fail(e, why);
            continue;
        }
        const uint32_t index = m_queue.head();
        m_queue.pop();
        m_queue.set_busy(true);
        const sc_core::sc_time start = sc_core::sc_time_stamp();
        if (m_probes.wave) {
            m_probes.wave->change(m_wave_busy, start, 1);
            m_probes.wave->change(m_wave_opcode, start, insn.opcode);
        }
        m_exec.run(insn, dst, src0, src1);
        const uint64_t cycles = vector_ops::cycles(insn, m_cfg.overhead_cycles);
        wait(cycle_time(cycles));
        ++m_instructions;
        m_elements += uint64_t(src0.partitions) * src0.elems;
        m_queue.add_busy_cycles(cycles);
        m_queue.set_busy(false);
        m_queue.complete(insn);
        record(insn, index, cycles, start);
    }
}

void vector_engine::record(const rainier_nc_insn& insn, uint32_t index, uint64_t cycles,
                           const sc_core::sc_time& start) {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (m_probes.wave) m_probes.wave->change(m_wave_busy, now, 0);
    if (!m_probes.trace) return;
    std::string name = vector_ops::opcode_name(insn.opcode);
    const std::string fn = vector_ops::func_name(insn.opcode, insn.func);
    if (!fn.empty()) name += "." + fn;
    nlohmann::json args = {{"index", index},
                           {"tag", insn.tag},
                           {"dst", hex(insn.dst.addr)},
                           {"src0", hex(insn.src0.addr)},
                           {"partitions", insn.src0.partitions},
                           {"elems", insn.src0.elems},
                           {"src_dtype", vector_ops::dtype_name(insn.src_dtype)},
                           {"dst_dtype", vector_ops::dtype_name(insn.dst_dtype)},
                           {"cycles", cycles}};
    if (vector_ops::src1_kind(insn) != vector_ops::src1_use::none)
        args["src1"] = hex(insn.src1.addr);
    if (insn.dst_dtype != RAINIER_DT_FP32)
        args["round"] = insn.round == RAINIER_ROUND_STOCHASTIC ? "stochastic" : "rne";
    m_probes.trace->slice(m_row, name, start, now, args);
}

} // namespace rainier
