#include "chip.h"

#include <string>

#include "rainier/hw/chip.h"
#include "rainier/hw/memory_map.h"

namespace rainier {

chip_config make_chip_config(const platform_config& cfg, unsigned index) {
    chip_config c;
    c.index = index;
    c.cores = static_cast<unsigned>(cfg.get_integer("chip.cores"));
    c.dma_engines = static_cast<unsigned>(cfg.get_integer("dma.engines"));

    hbm::geometry& g = c.hbm.geo;
    g.stacks = static_cast<unsigned>(cfg.get_integer("hbm.stacks"));
    g.stack_bytes = cfg.get_size("hbm.stack_size");
    g.channels = static_cast<unsigned>(cfg.get_integer("hbm.channels"));
    g.pseudo_channels = static_cast<unsigned>(cfg.get_integer("hbm.pseudo_channels"));
    g.bank_groups = static_cast<unsigned>(cfg.get_integer("hbm.bank_groups"));
    g.banks = static_cast<unsigned>(cfg.get_integer("hbm.banks"));
    g.page_bytes = cfg.get_size("hbm.page_size");
    c.hbm.mapping = hbm::parse_mapping(cfg.get_string("hbm.address_mapping"));
    c.hbm.interleave_bytes = cfg.get_size("hbm.interleave");
    hbm::timing_cycles& t = c.hbm.cycles;
    t.data_rate_gbps = cfg.get_frequency("hbm.data_rate") / 1e9;
    auto ck = [&](const char* k) {
        return static_cast<unsigned>(cfg.get_integer(std::string("hbm.timing.") + k));
    };
    t.CL = ck("CL");
    t.WL = ck("WL");
    t.tRCD_RD = ck("tRCD_RD");
    t.tRCD_WR = ck("tRCD_WR");
    t.tRP = ck("tRP");
    t.tRAS = ck("tRAS");
    t.tRC = ck("tRC");
    t.tCCD_S = ck("tCCD_S");
    t.tCCD_L = ck("tCCD_L");
    t.tRRD_S = ck("tRRD_S");
    t.tRRD_L = ck("tRRD_L");
    t.tFAW = ck("tFAW");
    t.tWTR_S = ck("tWTR_S");
    t.tWTR_L = ck("tWTR_L");
    t.tRTW = ck("tRTW");
    t.tRTP = ck("tRTP");
    t.tWR = ck("tWR");
    t.tREFI_s = cfg.get_time("hbm.timing.tREFI");
    t.tRFC_s = cfg.get_time("hbm.timing.tRFC");
    t.refresh = cfg.get_bool("hbm.refresh");
    t.controller_latency_s = cfg.get_time("hbm.controller_latency");

    const unsigned partitions = static_cast<unsigned>(cfg.get_integer("sram.partitions"));
    c.sbuf.partitions = c.psum.partitions = partitions;
    c.sbuf.partition_bytes = cfg.get_size("sram.sbuf_partition_size");
    c.sbuf.partition_stride = RAINIER_SBUF_PARTITION_STRIDE;
    c.psum.partition_bytes = cfg.get_size("sram.psum_partition_size");
    c.psum.partition_stride = RAINIER_PSUM_PARTITION_STRIDE;
    c.sbuf.bandwidth = c.psum.bandwidth = static_cast<double>(cfg.get_size("sram.bandwidth"));
    c.sbuf.latency_s = c.psum.latency_s = cfg.get_time("sram.latency");

    c.dma.queues = static_cast<unsigned>(cfg.get_integer("dma.queues"));
    c.dma.bandwidth = static_cast<double>(cfg.get_size("dma.bandwidth"));
    c.dma.setup_s = cfg.get_time("dma.setup_latency");
    c.dma.lookahead_s = cfg.get_time("dma.lookahead");
    c.dma.outstanding = static_cast<unsigned>(cfg.get_integer("dma.outstanding"));
    c.dma.request_bytes = static_cast<unsigned>(cfg.get_size("dma.request_size"));

    c.nc.te.rows = static_cast<unsigned>(cfg.get_integer("neuroncore.te_rows"));
    c.nc.te.cols = static_cast<unsigned>(cfg.get_integer("neuroncore.te_cols"));
    c.nc.te.clock_hz = cfg.get_frequency("neuroncore.te_clock");
    c.nc.te.mode =
        cfg.get_string("neuroncore.tensor_engine") == "fast" ? te_mode::fast : te_mode::rtl;
    c.nc.ve.clock_hz = cfg.get_frequency("neuroncore.ve_clock");
    c.nc.ve.overhead_cycles = static_cast<unsigned>(cfg.get_integer("neuroncore.ve_overhead"));
    // Each core's LFSR differs but follows from the one `seed`, so runs repeat exactly.
    c.nc.ve.seed = static_cast<uint32_t>(cfg.get_integer("seed")) ^ (0x9e3779b9u * (index + 1));
    return c;
}

uint64_t chip::aperture_base() const {
    return RAINIER_CHIP_APERTURE(m_cfg.index);
}
uint64_t chip::mmio_base() const {
    return RAINIER_CHIP_MMIO_ADDR(m_cfg.index);
}

chip::chip(sc_core::sc_module_name name, const chip_config& cfg)
    : sc_module(name), in("in"), mmio("mmio"), out("out"), global("global"), m_cfg(cfg),
      m_mem("mem"), m_regs("regs"), m_to_mem("to_mem"), m_to_regs("to_regs"), m_dma_in("dma_in"),
      m_ctrl("ctrl"), m_ctrl_regs(this->name()) {
    in.register_b_transport(this, &chip::in_b_transport);
    in.register_transport_dbg(this, &chip::in_transport_dbg);
    in.register_get_direct_mem_ptr(this, &chip::in_get_dmi);
    m_to_mem.register_invalidate_direct_mem_ptr(this, &chip::mem_invalidate);
    mmio.register_b_transport(this, &chip::mmio_b_transport);
    mmio.register_transport_dbg(this, &chip::mmio_transport_dbg);
    global.register_b_transport(this, &chip::global_b_transport);
    global.register_transport_dbg(this, &chip::global_transport_dbg);
    SC_HAS_PROCESS(chip);
    SC_THREAD(apply_posted);
    m_dma_in.register_b_transport(this, &chip::dma_b_transport);
    m_dma_in.register_transport_dbg(this, &chip::dma_transport_dbg);
    m_ctrl.register_b_transport(this, &chip::ctrl_b_transport);
    m_ctrl.register_transport_dbg(this, &chip::ctrl_transport_dbg);
    m_to_mem.bind(m_mem.in);
    m_to_regs.bind(m_regs.in);

    m_hbm = std::make_unique<hbm_memory>("hbm", cfg.hbm);
    m_mem.map(m_hbm->in, RAINIER_CHIP_HBM_OFFSET, m_hbm->size(), "HBM");
    const unsigned engines = cfg.cores * cfg.dma_engines;
    m_dma_irq.resize(engines);
    m_nc_irq.resize(cfg.cores);
    for (unsigned c = 0; c < cfg.cores; ++c) {
        const std::string n = std::to_string(c);
        const uint64_t sram = RAINIER_CHIP_CORE_SRAM_OFFSET + c * RAINIER_CHIP_CORE_SRAM_STRIDE;
        m_sbuf.push_back(std::make_unique<sbuf>(("sbuf" + n).c_str(), cfg.sbuf));
        m_psum.push_back(std::make_unique<psum>(("psum" + n).c_str(), cfg.psum));
        m_sem.push_back(std::make_unique<semaphore_block>(("sem" + n).c_str()));
        m_mem.map(m_sbuf[c]->in, sram + RAINIER_SBUF_OFFSET, m_sbuf[c]->window_size(), "SBUF" + n);
        m_mem.map(m_psum[c]->in, sram + RAINIER_PSUM_OFFSET, m_psum[c]->window_size(), "PSUM" + n);
        m_mem.map(m_psum[c]->acc, sram + RAINIER_PSUM_ACC_OFFSET, m_psum[c]->window_size(),
                  "PSUM" + n + " accumulate");
        m_regs.map(m_sem[c]->in, RAINIER_CHIP_SEM_OFFSET(c), RAINIER_CHIP_SEM_SIZE,
                   "semaphores" + n);
        for (unsigned e = 0; e < cfg.dma_engines; ++e) {
            const unsigned g = c * cfg.dma_engines + e;
            dma_engine_config d = cfg.dma;
            d.id = g;
            d.sem_base = mmio_base() + RAINIER_CHIP_SEM_OFFSET(c);
            m_dma.push_back(std::make_unique<dma_engine>(("dma" + std::to_string(g)).c_str(), d));
            m_regs.map(m_dma[g]->regs, RAINIER_CHIP_DMA_OFFSET + g * RAINIER_CHIP_DMA_STRIDE,
                       RAINIER_CHIP_DMA_STRIDE, "DMA" + std::to_string(g));
            m_dma[g]->out.bind(m_dma_in);
            m_dma_irq[g].set_handler([this, g](bool level) { on_dma_irq(g, level); });
            m_dma[g]->irq.bind(m_dma_irq[g]);
            m_dma[g]->set_semaphores(m_sem[c].get());
        }
        neuroncore_config nc = cfg.nc;
        nc.index = c;
        nc.ve.seed ^= 0x85ebca6bu * c;
        m_nc.push_back(std::make_unique<neuroncore>(("core" + n).c_str(), nc, *m_sem[c], *m_sbuf[c],
                                                    *m_psum[c]));
        m_regs.map(m_nc[c]->regs, RAINIER_CHIP_NC_OFFSET(c), RAINIER_CHIP_NC_SIZE,
                   "neuroncore" + n);
        m_nc[c]->out.bind(m_dma_in);
        m_nc_irq[c].set_handler([this, c](bool level) { on_core_irq(c, level); });
        m_nc[c]->irq.bind(m_nc_irq[c]);
    }
    m_regs.map(m_ctrl, RAINIER_CHIP_CTRL_OFFSET, RAINIER_CHIP_CTRL_SIZE, "chip control");

    using a = reg_access;
    m_ctrl_regs.add(reg_def("ID", RAINIER_CHIP_CTRL_ID, 4, a::read_only).reset_to(cfg.index));
    m_ctrl_regs.add(reg_def("CORES", RAINIER_CHIP_CTRL_CORES, 4, a::read_only).reset_to(cfg.cores));
    m_ctrl_regs.add(reg_def("DMA_ENGINES", RAINIER_CHIP_CTRL_DMA_ENGINES, 4, a::read_only)
                        .reset_to(cfg.dma_engines));
    m_ctrl_regs.add(reg_def("DMA_QUEUES", RAINIER_CHIP_CTRL_DMA_QUEUES, 4, a::read_only)
                        .reset_to(cfg.dma.queues));
    m_ctrl_regs.add(reg_def("PARTITIONS", RAINIER_CHIP_CTRL_PARTITIONS, 4, a::read_only)
                        .reset_to(cfg.sbuf.partitions));
    m_ctrl_regs.add(
        reg_def("HBM_SIZE", RAINIER_CHIP_CTRL_HBM_SIZE, 8, a::read_only).reset_to(m_hbm->size()));
    auto khz = [](double hz) { return static_cast<uint64_t>(hz / 1e3 + 0.5); };
    m_ctrl_regs.add(
        reg_def("TE_ROWS", RAINIER_CHIP_CTRL_TE_ROWS, 4, a::read_only).reset_to(cfg.nc.te.rows));
    m_ctrl_regs.add(
        reg_def("TE_COLS", RAINIER_CHIP_CTRL_TE_COLS, 4, a::read_only).reset_to(cfg.nc.te.cols));
    m_ctrl_regs.add(reg_def("SBUF_SIZE", RAINIER_CHIP_CTRL_SBUF_SIZE, 4, a::read_only)
                        .reset_to(cfg.sbuf.partition_bytes));
    m_ctrl_regs.add(reg_def("PSUM_SIZE", RAINIER_CHIP_CTRL_PSUM_SIZE, 4, a::read_only)
                        .reset_to(cfg.psum.partition_bytes));
    m_ctrl_regs.add(
        reg_def("TE_MODE", RAINIER_CHIP_CTRL_TE_MODE, 4, a::read_only)
            .reset_to(cfg.nc.te.mode == te_mode::rtl ? RAINIER_TE_MODE_RTL : RAINIER_TE_MODE_FAST));
    m_ctrl_regs.add(reg_def("TE_CLOCK", RAINIER_CHIP_CTRL_TE_CLOCK, 4, a::read_only)
                        .reset_to(khz(cfg.nc.te.clock_hz)));
    m_ctrl_regs.add(reg_def("VE_CLOCK", RAINIER_CHIP_CTRL_VE_CLOCK, 4, a::read_only)
                        .reset_to(khz(cfg.nc.ve.clock_hz)));
    // HBM is ready once its (modelled) training time has passed since power-on.
    auto status = [] {
        const bool ready =
            sc_core::sc_time_stamp() >= sc_core::sc_time(RAINIER_CHIP_HBM_INIT_NS, sc_core::SC_NS);
        return uint64_t(ready ? RAINIER_CHIP_STATUS_HBM_READY : 0);
    };
    m_ctrl_regs.add(
        reg_def("STATUS", RAINIER_CHIP_CTRL_STATUS, 4, a::read_only).reads(status).peeks(status));
    m_ctrl_regs.add(
        reg_def("RESET", RAINIER_CHIP_CTRL_RESET, 4, a::write_only).writes([this](uint64_t v) {
            if (v & RAINIER_CHIP_RESET_ENGINES)
                for (auto& nc : m_nc)
                    nc->reset_engines();
        }));
    m_ctrl_regs.add(reg_def("SYSTEM_CHIPS", RAINIER_CHIP_CTRL_SYSTEM_CHIPS, 4, a::read_only)
                        .reset_to(cfg.system_chips));
    m_ctrl_regs.add(reg_def("TOPOLOGY", RAINIER_CHIP_CTRL_TOPOLOGY, 4, a::read_only)
                        .reset_to(cfg.topology_dims[0] | cfg.topology_dims[1] << 8 |
                                  cfg.topology_dims[2] << 16));
    // At the access's own time: an initiator ahead of the kernel (a DMA's request, the CPU in
    // its quantum) reads the time it is at.
    auto ns = [](sc_core::sc_time t) {
        return uint64_t(t.value() / sc_core::sc_time(1, sc_core::SC_NS).value());
    };
    m_ctrl_regs.add(reg_def("TIME_NS", RAINIER_CHIP_CTRL_TIME_NS, 8, a::read_only)
                        .reads([this, ns] { return ns(m_ctrl_access); })
                        .peeks([ns] { return ns(sc_core::sc_time_stamp()); }));
    auto nc_bits = [this] { return uint64_t(m_nc_irq_bits); };
    m_ctrl_regs.add(reg_def("NC_IRQ_STATUS", RAINIER_CHIP_CTRL_NC_IRQ_STATUS, 4, a::read_only)
                        .reads(nc_bits)
                        .peeks(nc_bits));
    for (unsigned w = 0; w < RAINIER_CHIP_CTRL_IRQ_WORDS; ++w) {
        auto get = [this, w] { return uint64_t(m_irq_bits[w]); };
        m_ctrl_regs.add(reg_def("IRQ_STATUS" + std::to_string(w), RAINIER_CHIP_CTRL_IRQ_STATUS(w),
                                4, a::read_only)
                            .reads(get)
                            .peeks(get));
    }
}

void chip::on_dma_irq(unsigned engine, bool level) {
    const uint32_t bit = 1u << (engine % 32);
    if (level)
        m_irq_bits[engine / 32] |= bit;
    else
        m_irq_bits[engine / 32] &= ~bit;
    update_irq();
}

void chip::on_core_irq(unsigned core, bool level) {
    if (level)
        m_nc_irq_bits |= 1u << core;
    else
        m_nc_irq_bits &= ~(1u << core);
    update_irq();
}

void chip::update_irq() {
    bool any = m_nc_irq_bits != 0;
    for (uint32_t w : m_irq_bits)
        any = any || w != 0;
    irq.write(any);
}

void chip::in_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    m_to_mem->b_transport(trans, delay);
}
unsigned chip::in_transport_dbg(tlm::tlm_generic_payload& trans) {
    return m_to_mem->transport_dbg(trans);
}
bool chip::in_get_dmi(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    return m_to_mem->get_direct_mem_ptr(trans, dmi);
}
void chip::mem_invalidate(sc_dt::uint64 start, sc_dt::uint64 end) {
    in->invalidate_direct_mem_ptr(start, end);
}
void chip::mmio_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    m_to_regs->b_transport(trans, delay);
}
unsigned chip::mmio_transport_dbg(tlm::tlm_generic_payload& trans) {
    return m_to_regs->transport_dbg(trans);
}

tlm_utils::simple_initiator_socket<chip>* chip::decode(uint64_t addr, uint64_t& offset) {
    if (addr - aperture_base() < RAINIER_CHIP_HBM_STRIDE) {
        offset = addr - aperture_base();
        return &m_to_mem;
    }
    if (addr - mmio_base() < RAINIER_CHIP_MMIO_STRIDE) {
        offset = addr - mmio_base();
        return &m_to_regs;
    }
    return nullptr;
}

void chip::dma_b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const uint64_t addr = trans.get_address();
    uint64_t off = 0;
    auto* to = decode(addr, off);
    if (!to) {
        out->b_transport(trans, delay);
        return;
    }
    trans.set_address(off);
    (*to)->b_transport(trans, delay);
    trans.set_address(addr);
}

unsigned chip::dma_transport_dbg(int, tlm::tlm_generic_payload& trans) {
    const uint64_t addr = trans.get_address();
    uint64_t off = 0;
    auto* to = decode(addr, off);
    if (!to) return out->transport_dbg(trans);
    trans.set_address(off);
    const unsigned n = (*to)->transport_dbg(trans);
    trans.set_address(addr);
    return n;
}

void chip::global_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const uint64_t addr = trans.get_address();
    uint64_t off = 0;
    auto* to = decode(addr, off);
    if (!to) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    // A register write from another chip (a remote semaphore increment) takes effect when it
    // arrives, not when it was sent (registers do not look at the annotated delay): it is
    // posted and applied then. A debug read checks now that the register exists.
    if (to == &m_to_regs && trans.is_write() && delay > sc_core::SC_ZERO_TIME) {
        const unsigned len = trans.get_data_length();
        std::vector<uint8_t> probe(len);
        tlm::tlm_generic_payload check;
        check.set_command(tlm::TLM_READ_COMMAND);
        check.set_address(off);
        check.set_data_ptr(probe.data());
        check.set_data_length(len);
        check.set_streaming_width(len);
        if (m_to_regs->transport_dbg(check) != len || trans.get_byte_enable_ptr()) {
            trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        const uint8_t* d = trans.get_data_ptr();
        m_posted.push({sc_core::sc_time_stamp() + delay, m_posted_seq++, off,
                       std::vector<uint8_t>(d, d + len)});
        m_posted_event.notify(m_posted.top().at - sc_core::sc_time_stamp());
        trans.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    trans.set_address(off);
    (*to)->b_transport(trans, delay);
    trans.set_address(addr);
}

void chip::apply_posted() {
    tlm::tlm_generic_payload trans;
    for (;;) {
        while (m_posted.empty() || m_posted.top().at > sc_core::sc_time_stamp()) {
            if (m_posted.empty())
                wait(m_posted_event);
            else
                wait(m_posted.top().at - sc_core::sc_time_stamp(), m_posted_event);
        }
        posted_write w = m_posted.top();
        m_posted.pop();
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        trans.set_command(tlm::TLM_WRITE_COMMAND);
        trans.set_address(w.offset);
        trans.set_data_ptr(w.data.data());
        trans.set_data_length(static_cast<unsigned>(w.data.size()));
        trans.set_streaming_width(static_cast<unsigned>(w.data.size()));
        trans.set_byte_enable_ptr(nullptr);
        trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        m_to_regs->b_transport(trans, delay);
    }
}

unsigned chip::global_transport_dbg(tlm::tlm_generic_payload& trans) {
    const uint64_t addr = trans.get_address();
    uint64_t off = 0;
    auto* to = decode(addr, off);
    if (!to) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    trans.set_address(off);
    const unsigned n = (*to)->transport_dbg(trans);
    trans.set_address(addr);
    return n;
}

void chip::ctrl_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    m_ctrl_access = sc_core::sc_time_stamp() + delay;
    m_ctrl_regs.transport(trans, false);
}
unsigned chip::ctrl_transport_dbg(tlm::tlm_generic_payload& trans) {
    return m_ctrl_regs.transport_dbg(trans);
}

void chip::attach_probes(const probes& p) {
    const std::string group = name(); // e.g. "host.chip0"
    m_hbm->attach_probes(p, group);
    for (unsigned e = 0; e < m_dma.size(); ++e)
        m_dma[e]->attach_probes(p, group, "dma" + std::to_string(e));
    for (auto& nc : m_nc)
        nc->attach_probes(p, group);
}

} // namespace rainier
