#include "host_system.h"

#include <cinttypes>
#include <cstdio>
#include <sstream>

#include "links.h"

#include "rainier/hw/clint.h"
#include "rainier/hw/irq.h"
#include "rainier/hw/memory_map.h"

namespace rainier {

host_system::host_system(sc_core::sc_module_name name, const platform_config& cfg, run_control& run,
                         console& con, uint64_t max_instructions)
    : sc_module(name), m_cfg(cfg), m_run(run), m_console(con), m_bus("bus"),
      m_rom("boot_rom", RAINIER_BOOTROM_SIZE), m_dram("dram", cfg.get_size("memory.dram_size")),
      m_uart("uart0"), m_clint("clint", RAINIER_CLINT_TIMEBASE_HZ),
      m_plic("plic", RAINIER_PLIC_NUM_SOURCES, RAINIER_PLIC_NUM_CONTEXTS),
      m_simctl("sim_control", run) {
    rv64_cpu::config cpu_cfg;
    cpu_cfg.hartid = 0;
    cpu_cfg.reset_pc = RAINIER_BOOTROM_BASE;
    cpu_cfg.clock_hz = cfg.get_frequency("cpu.clock_hz");
    cpu_cfg.misaligned_traps = cfg.get_string("cpu.misaligned_access") == "trap";
    cpu_cfg.max_instructions = max_instructions;
    m_cpu = std::make_unique<rv64_cpu>("cpu", cpu_cfg);

    m_cpu->bus.bind(m_bus.in);
    m_bus.map(m_rom.in, RAINIER_BOOTROM_BASE, RAINIER_BOOTROM_SIZE, "boot ROM");
    m_bus.map(m_simctl.in, RAINIER_SIMCTL_BASE, RAINIER_SIMCTL_SIZE, "sim-control");
    m_bus.map(m_clint.in, RAINIER_CLINT_BASE, RAINIER_CLINT_SIZE, "CLINT");
    m_bus.map(m_plic.in, RAINIER_PLIC_BASE, RAINIER_PLIC_SIZE, "PLIC");
    m_bus.map(m_uart.in, RAINIER_UART0_BASE, RAINIER_UART0_SIZE, "UART0");
    m_bus.map(m_dram.in, cfg.get_integer("memory.dram_base"), m_dram.size(), "DRAM");

    // Chips leave through their routers: other chips over the links, the rest (host DRAM, …)
    // onto the system bus. The host reaches each chip directly on the bus, never over links.
    m_topology = std::make_unique<link::topology>(make_topology(cfg));
    std::vector<link::router*> routers;
    for (unsigned n = 0; n < m_topology->chips(); ++n) {
        const std::string id = "chip" + std::to_string(n);
        chip_config cc = make_chip_config(cfg, n);
        cc.system_chips = m_topology->chips();
        for (size_t d = 0; d < m_topology->dims().size() && d < 3; ++d)
            cc.topology_dims[d] = m_topology->dims()[d].size;
        m_chips.push_back(std::make_unique<chip>(id.c_str(), cc));
        m_routers.push_back(
            std::make_unique<link::router>(("router" + std::to_string(n)).c_str(), n, *m_topology));
        chip& c = *m_chips.back();
        link::router& r = *m_routers.back();
        m_bus.map(c.mmio, c.mmio_base(), RAINIER_CHIP_MMIO_STRIDE, id + " MMIO");
        m_bus.map(c.in, c.aperture_base(), RAINIER_CHIP_HBM_STRIDE, id + " aperture");
        c.out.bind(r.in);
        r.host.bind(m_bus.in);
        r.local.bind(c.global);
        routers.push_back(&r);
        c.irq.bind(m_plic.sources[RAINIER_IRQ_CHIP(n)]);
    }
    link::connect(*m_topology, routers);

    m_clint.msip.bind(m_cpu->msip);
    m_clint.mtip.bind(m_cpu->mtip);
    m_plic.context[RAINIER_PLIC_CTX_HART0_M].bind(m_cpu->meip);
    m_plic.context[RAINIER_PLIC_CTX_HART0_S].bind(m_cpu->seip);
    m_uart.irq.bind(m_plic.sources[RAINIER_IRQ_UART0]);
    m_uart.transmit = [this](uint8_t c) {
        m_console.put(static_cast<char>(c));
        if (m_probes.wave) m_probes.wave->change(m_wave_uart_tx, m_cpu->local_time(), c);
    };

    m_cpu->time_source = [this](sc_core::sc_time t) { return m_clint.mtime_at(t); };
    m_cpu->on_instruction_limit = [this] {
        m_run.request_stop(run_outcome::limit_reached, 0, "instruction limit reached",
                           m_cpu->local_time());
    };
    m_cpu->core().on_double_trap = [this](const rv64::hart::double_trap_info& info) {
        report_double_trap(info);
    };
    m_run.on_stop([this] { m_cpu->halt(); });

    if (cfg.get_bool("cpu.semihosting")) {
        rv64::semihosting_host::config sh_cfg;
        sh_cfg.file_root = cfg.get_string("cpu.semihosting_root");
        sh_cfg.command_line = cfg.get_string("cpu.command_line");
        m_semihost = std::make_unique<rv64::semihosting_host>(sh_cfg);
        m_semihost->console_write = [this](const char* d, size_t n) { m_console.write(d, n); };
        m_semihost->console_read = [this] { return m_console.read_char(); };
        m_semihost->now_ns = [this] {
            return static_cast<uint64_t>(m_cpu->local_time().to_seconds() * 1e9);
        };
        m_semihost->exit = [this](int code) {
            m_run.request_stop(run_outcome::firmware_exit, code,
                               "semihosting exit with code " + std::to_string(code),
                               m_cpu->local_time());
        };
        m_cpu->core().semihosting = [this](rv64::hart& h) { return m_semihost->handle(h); };
    }

    SC_HAS_PROCESS(host_system);
    if (m_console.input_enabled()) SC_THREAD(console_input_thread);
}

void host_system::attach_probes(const probes& p) {
    m_probes = p;
    m_cpu->attach_probes(p, "host.cpu");
    for (auto& c : m_chips)
        c->attach_probes(p);
    for (unsigned n = 0; n < m_routers.size(); ++n)
        m_routers[n]->attach_probes(p, m_chips[n]->name());
    if (p.wave) {
        m_wave_uart_tx = p.wave->add_signal("host.uart0", "tx", 8);
        p.wave->change(m_wave_uart_tx, sc_core::SC_ZERO_TIME, 0);
    }
}

void host_system::console_input_thread() {

    // Polls the terminal in simulated time; a character waits while the receive FIFO is full.
    const sc_core::sc_time period(100, sc_core::SC_US);
    int pending = -1;
    for (;;) {
        wait(period);
        if (pending < 0) pending = m_console.read_char();
        while (pending >= 0 && !m_uart.rx_full()) {
            m_uart.receive(static_cast<uint8_t>(pending));
            pending = m_console.read_char();
        }
        if (!m_console.input_enabled() && pending < 0) return;
    }
}

void host_system::report_double_trap(const rv64::hart::double_trap_info& info) {
    rv64::hart& h = m_cpu->core();
    std::ostringstream msg;
    msg << std::hex << "trap with no usable handler: " << rv64::cause_name(info.first_cause)
        << " (mcause 0x" << info.first_cause << ") at pc 0x" << info.first_pc << ", tval 0x"
        << info.first_tval << "; entering its handler at 0x" << info.handler << " raised "
        << rv64::cause_name(info.second_cause) << "\n";
    static const char* const abi[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                        "s0",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                        "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                        "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    for (unsigned i = 0; i < 32; ++i) {
        char line[40];
        std::snprintf(line, sizeof(line), "  %-4s %016" PRIx64 "%s", abi[i], h.reg(i),
                      (i % 4 == 3) ? "\n" : "");
        msg << line;
    }
    m_run.request_stop(run_outcome::firmware_crash, 0, msg.str(), m_cpu->local_time());
}

void host_system::load(const elf_image& image) {
    // Straight into the memory models: the bus's multi-sockets are only usable once
    // elaboration has ended, and loading must happen before the hart's first fetch.
    const uint64_t dram_base = m_cfg.get_integer("memory.dram_base");
    for (const elf_segment& seg : image.segments) {
        std::vector<uint8_t> bytes(seg.mem_size, 0);
        std::copy(seg.data.begin(), seg.data.end(), bytes.begin());
        if (seg.addr < dram_base ||
            !m_dram.load(seg.addr - dram_base, bytes.data(), bytes.size())) {
            std::ostringstream msg;
            msg << "ELF '" << image.path << "': segment at 0x" << std::hex << seg.addr
                << " does not fit in DRAM";
            throw elf_error(msg.str());
        }
    }
}

void host_system::load_blob(uint64_t addr, const std::vector<uint8_t>& bytes,
                            const std::string& what) {
    const uint64_t dram_base = m_cfg.get_integer("memory.dram_base");
    if (addr < dram_base || !m_dram.load(addr - dram_base, bytes.data(), bytes.size())) {
        std::ostringstream msg;
        msg << what << " at 0x" << std::hex << addr << " does not fit in DRAM";
        throw elf_error(msg.str());
    }
}

} // namespace rainier
