#include "tensor_engine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "core/hex.h"
#include "numerics.h"
#include "rainier/hw/memory_map.h"

namespace rainier {

namespace {

using golden::te_op_kind;

bool tile_is_zero(const rainier_nc_tile& t) {
    return t.addr == 0 && t.partitions == 0 && t.elems == 0;
}

uint32_t float_bits(float f) {
    uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
}

// Raw element [p][e] of an SBUF tile: FP8 in the low byte, BF16 little-endian.
uint16_t element(const sram_tile& t, unsigned p, unsigned e) {
    const uint8_t* b = t.row(p) + size_t(e) * t.elem_size;
    return t.elem_size == 1 ? b[0] : uint16_t(b[0] | (b[1] << 8));
}

const char* opcode_name(uint8_t opcode) {
    return opcode == RAINIER_OP_LOAD_STATIONARY ? "load_stationary" : "multiply_moving";
}

} // namespace

const char* te_mode_name(te_mode mode) {
    return mode == te_mode::rtl ? "rtl" : "fast";
}

tensor_engine::tensor_engine(sc_core::sc_module_name name, const tensor_engine_config& cfg,
                             engine_queue& q, core_sram& sram)
    : sc_module(name), m_cfg(cfg), m_queue(q), m_sram(sram) {
    if (!(cfg.clock_hz > 0))
        throw std::invalid_argument(std::string(this->name()) + ": clock_hz must be > 0");
    m_period = sc_core::sc_time(1.0 / cfg.clock_hz, sc_core::SC_SEC);
    if (m_period == sc_core::SC_ZERO_TIME)
        throw std::invalid_argument(std::string(this->name()) +
                                    ": clock period below the time resolution");
    if (cfg.rows == 0 || cfg.cols == 0)
        throw std::invalid_argument(std::string(this->name()) + ": empty tensor engine array");
    m_core = cfg.mode == te_mode::rtl ? make_te_rtl_backend(cfg.rows, cfg.cols)
                                      : make_te_fast_backend(cfg.rows, cfg.cols);
    SC_HAS_PROCESS(tensor_engine);
    SC_THREAD(run);
}

tensor_engine::~tensor_engine() = default;

sc_core::sc_time tensor_engine::cycle_time(uint64_t cycle) const {
    return sc_core::sc_time::from_value(cycle * m_period.value());
}

uint64_t tensor_engine::current_cycle() const {
    const uint64_t p = m_period.value();
    return (sc_core::sc_time_stamp().value() + p - 1) / p;
}

void tensor_engine::wait_until_cycle(uint64_t cycle) {
    const sc_core::sc_time t = cycle_time(cycle);
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (t > now) wait(t - now);
}

void tensor_engine::attach_probes(const probes& p, const std::string& group,
                                  const std::string& scope) {
    m_probes = p;
    if (p.trace) m_row = p.trace->add_row(group, scope);
    if (p.wave) {
        m_wave_busy = p.wave->add_signal(group + "." + scope, "busy", 1);
        m_wave_opcode = p.wave->add_signal(group + "." + scope, "opcode", 8);
        p.wave->change(m_wave_busy, sc_core::SC_ZERO_TIME, 0);
        p.wave->change(m_wave_opcode, sc_core::SC_ZERO_TIME, 0);
        if (m_cfg.mode == te_mode::rtl) trace_ports(*p.wave, group + "." + scope + ".rtl");
    }
}

void tensor_engine::trace_ports(wave_writer& wave, const std::string& scope) {
    // The Verilated core's ports, sampled in every clocked cycle, on the run's time axis.
    struct port {
        const char* name;
        unsigned width;
        uint64_t (*get)(const te_port_sample&);
    };
    static const port ports[] = {
        {"ld_valid", 1, [](const te_port_sample& s) -> uint64_t { return s.ld_valid; }},
        {"ld_ready", 1, [](const te_port_sample& s) -> uint64_t { return s.ld_ready; }},
        {"ld_dtype", 2, [](const te_port_sample& s) -> uint64_t { return s.ld_dtype; }},
        {"ld_k", 8, [](const te_port_sample& s) -> uint64_t { return s.ld_k; }},
        {"ld_m", 8, [](const te_port_sample& s) -> uint64_t { return s.ld_m; }},
        {"mm_valid", 1, [](const te_port_sample& s) -> uint64_t { return s.mm_valid; }},
        {"mm_ready", 1, [](const te_port_sample& s) -> uint64_t { return s.mm_ready; }},
        {"mm_dtype", 2, [](const te_port_sample& s) -> uint64_t { return s.mm_dtype; }},
        {"mm_n", 10, [](const te_port_sample& s) -> uint64_t { return s.mm_n; }},
        {"mm_acc", 1, [](const te_port_sample& s) -> uint64_t { return s.mm_acc; }},
        {"out_valid", 1, [](const te_port_sample& s) -> uint64_t { return s.out_valid; }},
        {"out_first", 1, [](const te_port_sample& s) -> uint64_t { return s.out_first; }},
        {"out_last", 1, [](const te_port_sample& s) -> uint64_t { return s.out_last; }},
        {"out_acc", 1, [](const te_port_sample& s) -> uint64_t { return s.out_acc; }},
        {"out_data0", 32, [](const te_port_sample& s) -> uint64_t { return s.out_lane0; }},
        {"busy", 1, [](const te_port_sample& s) -> uint64_t { return s.busy; }},
    };
    constexpr size_t n = sizeof ports / sizeof ports[0];
    auto handles = std::make_shared<std::vector<wave_writer::handle>>();
    auto last = std::make_shared<std::vector<uint64_t>>(n, ~uint64_t(0));
    for (const port& p : ports)
        handles->push_back(wave.add_signal(scope, p.name, p.width));
    m_core->observe_ports([this, &wave, handles, last](uint64_t cycle, const te_port_sample& s) {
        const sc_core::sc_time t = cycle_time(cycle);
        for (size_t i = 0; i < n; ++i) {
            const uint64_t v = ports[i].get(s);
            if (v == (*last)[i]) continue; // only changes reach the writer's buffer
            (*last)[i] = v;
            wave.change((*handles)[i], t, v);
        }
    });
}

void tensor_engine::run() {
    for (;;) {
        // Decide in the first cycle the next instruction may be presented in: the one in
        // which the previous instruction's first beat was accepted, or now when idle.
        const uint64_t cycle = std::max(m_next_cycle, current_cycle());
        retire_until(cycle);
        wait_until_cycle(cycle);
        rainier_nc_insn insn;
        if (m_queue.peek(insn) == engine_queue::state::ready) {
            te_job job;
            sram_tile dst;
            std::string why;
            const unsigned err = decode(insn, job, dst, why);
            if (err == RAINIER_NC_ERR_NONE) {
                start(insn, std::move(job), dst, cycle);
                continue;
            }
            m_queue.fail(err, why);
        }
        // Nothing startable: finish what is in flight before blocking, so the RTL is not
        // left half-way and both cores agree on when the next instruction may start.
        drain();
        if (m_queue.peek(insn) == engine_queue::state::ready) continue;
        wait(m_queue.changed() | m_queue.sem_changed());
    }
}

unsigned tensor_engine::decode(const rainier_nc_insn& insn, te_job& job, sram_tile& dst,
                               std::string& why) {
    const bool load = insn.opcode == RAINIER_OP_LOAD_STATIONARY;
    if (!load && insn.opcode != RAINIER_OP_MULTIPLY_MOVING) {
        why = "opcode " + hex(insn.opcode) +
              " is not a tensor-engine opcode (LOAD_STATIONARY 0x1, MULTIPLY_MOVING 0x2)";
        return RAINIER_NC_ERR_OPCODE;
    }
    const char* op = load ? "LOAD_STATIONARY" : "MULTIPLY_MOVING";
    const uint32_t allowed = RAINIER_NC_FLAG_IRQ | RAINIER_NC_FLAG_SEM | RAINIER_NC_FLAG_WAIT |
                             (load ? 0u : RAINIER_NC_FLAG_ACC);
    if (insn.flags & ~allowed) {
        why = std::string("flags ") + hex(insn.flags & ~allowed) + " not allowed on " + op;
        return RAINIER_NC_ERR_FIELD;
    }
    if (insn.func != 0 || insn.round != 0) {
        why = std::string(op) + ": func (" + std::to_string(insn.func) + ") and round (" +
              std::to_string(insn.round) + ") must be 0";
        return RAINIER_NC_ERR_FIELD;
    }
    if (float_bits(insn.imm0) != 0 || float_bits(insn.imm1) != 0 || !tile_is_zero(insn.src1)) {
        why = std::string(op) + ": imm0, imm1 and src1 must be 0";
        return RAINIER_NC_ERR_FIELD;
    }
    if (load && (insn.dst_dtype != 0 || !tile_is_zero(insn.dst))) {
        why = "LOAD_STATIONARY: dst and dst_dtype must be 0 (the weights go into the array)";
        return RAINIER_NC_ERR_FIELD;
    }
    if (insn.src_dtype > RAINIER_DT_FP8_E5M2) {
        why = std::string(op) + ": src_dtype " + std::to_string(insn.src_dtype) +
              " is not BF16 (0), FP8_E4M3 (1) or FP8_E5M2 (2)";
        return RAINIER_NC_ERR_DTYPE;
    }
    if (!load && insn.dst_dtype != RAINIER_DT_FP32) {
        why = "MULTIPLY_MOVING: dst_dtype " + std::to_string(insn.dst_dtype) + " must be FP32 (3)";
        return RAINIER_NC_ERR_DTYPE;
    }

    const unsigned k = insn.src0.partitions;
    const unsigned free = insn.src0.elems;
    if (load) {
        if (k == 0 || k > m_cfg.rows) {
            why = "LOAD_STATIONARY: K = src0.partitions = " + std::to_string(k) + " must be 1.." +
                  std::to_string(m_cfg.rows) + " (array rows)";
            return RAINIER_NC_ERR_SHAPE;
        }
        if (free == 0 || free > m_cfg.cols) {
            why = "LOAD_STATIONARY: M = src0.elems = " + std::to_string(free) + " must be 1.." +
                  std::to_string(m_cfg.cols) + " (array columns)";
            return RAINIER_NC_ERR_SHAPE;
        }
    } else {
        if (!m_loaded) {
            why = "MULTIPLY_MOVING before any LOAD_STATIONARY: no weights in the array";
            return RAINIER_NC_ERR_SHAPE;
        }
        if (k != m_loaded_k) {
            why = "MULTIPLY_MOVING: K = src0.partitions = " + std::to_string(k) +
                  " but the last LOAD_STATIONARY has K = " + std::to_string(m_loaded_k);
            return RAINIER_NC_ERR_SHAPE;
        }
        if (free == 0 || free > RAINIER_TE_MAX_N) {
            why = "MULTIPLY_MOVING: N = src0.elems = " + std::to_string(free) + " must be 1.." +
                  std::to_string(RAINIER_TE_MAX_N);
            return RAINIER_NC_ERR_SHAPE;
        }
        if (insn.dst.partitions != m_loaded_m || insn.dst.elems != free) {
            why = "MULTIPLY_MOVING: dst is " + std::to_string(insn.dst.partitions) + " x " +
                  std::to_string(insn.dst.elems) +
                  " but the result is M x N = " + std::to_string(m_loaded_m) + " x " +
                  std::to_string(free);
            return RAINIER_NC_ERR_SHAPE;
        }
    }

    sram_tile src;
    if (unsigned e = m_sram.resolve(insn.src0, insn.src_dtype, "src0", src, why)) return e;
    if (src.psum) {
        why = std::string(op) + ": src0 at " + describe_sram_address(insn.src0.addr) +
              " is in PSUM; the tensor engine reads its operands from SBUF";
        return RAINIER_NC_ERR_ADDRESS;
    }
    if (!load) {
        const uint32_t a = insn.dst.addr;
        if (a < RAINIER_PSUM_OFFSET || a >= RAINIER_PSUM_ACC_OFFSET) {
            why = "MULTIPLY_MOVING: dst at " + describe_sram_address(a) + " is not in PSUM";
            return RAINIER_NC_ERR_ADDRESS;
        }
        const sram_config& pc = m_sram.psum().cfg();
        const uint64_t byte = (a - RAINIER_PSUM_OFFSET) % pc.partition_stride;
        const uint64_t end = byte + uint64_t(free) * 4; // exclusive
        if (byte / RAINIER_PSUM_BANK_BYTES != (end - 1) / RAINIER_PSUM_BANK_BYTES) {
            why = "MULTIPLY_MOVING: dst at " + describe_sram_address(a) + ", " +
                  std::to_string(free) + " FP32 = bytes " + std::to_string(byte) + ".." +
                  std::to_string(end - 1) + " of the partition, crosses a " +
                  std::to_string(RAINIER_PSUM_BANK_BYTES) + "-byte PSUM bank";
            return RAINIER_NC_ERR_PSUM_BANK;
        }
        if (end > pc.partition_bytes) {
            why = "MULTIPLY_MOVING: dst at " + describe_sram_address(a) + " is in PSUM bank " +
                  std::to_string(byte / RAINIER_PSUM_BANK_BYTES) + " but the core has " +
                  std::to_string(pc.partition_bytes / RAINIER_PSUM_BANK_BYTES) + " banks";
            return RAINIER_NC_ERR_PSUM_BANK;
        }
        if (unsigned e = m_sram.resolve(insn.dst, RAINIER_DT_FP32, "dst", dst, why)) return e;
    }

    job.kind = load ? te_op_kind::load_stationary : te_op_kind::multiply_moving;
    job.dt = golden::dtype(insn.src_dtype);
    job.k = k;
    job.m = load ? free : m_loaded_m;
    job.n = load ? 0 : free;
    job.acc = !load && (insn.flags & RAINIER_NC_FLAG_ACC);
    job.data.resize(size_t(k) * free);
    for (unsigned r = 0; r < k; ++r)
        for (unsigned e = 0; e < free; ++e)
            job.data[size_t(r) * free + e] = element(src, r, e);
    return RAINIER_NC_ERR_NONE;
}

void tensor_engine::start(const rainier_nc_insn& insn, te_job job, const sram_tile& dst,
                          uint64_t cycle) {
    const uint32_t index = m_queue.head();
    m_queue.pop();
    m_queue.set_busy(true);
    const bool load = job.kind == te_op_kind::load_stationary;
    if (load) {
        m_loaded = true;
        m_loaded_k = job.k;
        m_loaded_m = job.m;
    }
    in_flight f{insn, index, 0, 0, job.k, job.m, job.n, dst};
    const bool idle = m_in_flight.empty();
    f.id = m_core->present(std::move(job), cycle);
    f.first = m_core->first_beat(f.id);
    if (!m_started_any) {
        m_first_start = f.first;
        m_wall_first = std::chrono::steady_clock::now();
    }
    m_started_any = true;
    // An idle core is not clocked: its busy time restarts with this first beat.
    if (idle) m_busy_counted = std::max(m_busy_counted, f.first);
    m_next_cycle = f.first;
    if (m_probes.wave) {
        m_probes.wave->change(m_wave_busy, cycle_time(f.first), 1);
        m_probes.wave->change(m_wave_opcode, cycle_time(f.first), insn.opcode);
    }
    m_in_flight.push_back(std::move(f));
}

void tensor_engine::retire_until(uint64_t horizon) {
    uint64_t done;
    while (!m_in_flight.empty() && m_core->done_by(m_in_flight.front().id, horizon, done))
        retire_front(done);
}

void tensor_engine::drain() {
    while (!m_in_flight.empty())
        retire_front(m_core->finish(m_in_flight.front().id));
    if (m_instructions > 0) m_next_cycle = std::max(m_next_cycle, m_last_retire + 1);
}

void tensor_engine::retire_front(uint64_t done_cycle) {
    // In program order (engine_queue): a load that finished under the multiply before it
    // completes with that multiply.
    const uint64_t cycle = std::max(done_cycle, m_last_retire);
    wait_until_cycle(cycle);
    const in_flight f = std::move(m_in_flight.front());
    m_in_flight.pop_front();
    std::vector<uint32_t> out = m_core->retire(f.id);
    const bool load = f.insn.opcode == RAINIER_OP_LOAD_STATIONARY;
    if (load) {
        m_load_beats += f.m;
    } else {
        write_psum(f, out);
        m_core->recycle(std::move(out));
        m_macs += uint64_t(f.k) * f.m * f.n;
        m_moving_beats += f.n;
    }
    if (cycle + 1 > m_busy_counted) {
        const uint64_t busy = cycle + 1 - m_busy_counted;
        m_busy_cycles += busy;
        m_queue.add_busy_cycles(busy);
        m_busy_counted = cycle + 1;
    }
    m_last_retire = cycle;
    ++m_instructions;
    m_last_done = cycle;
    m_wall_last = std::chrono::steady_clock::now();
    m_queue.complete(f.insn);
    if (m_in_flight.empty()) {
        m_queue.set_busy(false);
        if (m_probes.wave) m_probes.wave->change(m_wave_busy, cycle_time(cycle + 1), 0);
    }
    if (m_probes.trace) {
        nlohmann::json args = {{"index", f.index},
                               {"tag", f.insn.tag},
                               {"dtype", numerics::dtype_name(golden::dtype(f.insn.src_dtype))},
                               {"K", f.k},
                               {"M", f.m},
                               {"first_cycle", f.first},
                               {"done_cycle", cycle}};
        if (!load) {
            args["N"] = f.n;
            args["acc"] = bool(f.insn.flags & RAINIER_NC_FLAG_ACC);
            args["dst"] = describe_sram_address(f.insn.dst.addr);
        }
        m_probes.trace->slice(m_row, opcode_name(f.insn.opcode), cycle_time(f.first),
                              cycle_time(cycle + 1), args);
    }
    if (m_on_completion) m_on_completion(f.insn, cycle);
}

void tensor_engine::write_psum(const in_flight& f, const std::vector<uint32_t>& out) {
    const unsigned cols = m_cfg.cols;
    const bool acc = f.insn.flags & RAINIER_NC_FLAG_ACC;
    // Output vector j, lane c -> dst partition (first + c), element j.
    for (unsigned c = 0; c < f.m; ++c) {
        uint8_t* row = f.dst.row(c);
        for (unsigned j = 0; j < f.n; ++j) {
            uint32_t v = out[size_t(j) * cols + c];
            uint8_t* p = row + size_t(j) * 4;
            if (acc) {
                uint32_t stored;
                std::memcpy(&stored, p, 4);
                v = numerics::add_rne(stored, v);
            }
            std::memcpy(p, &v, 4);
        }
    }
}

} // namespace rainier
