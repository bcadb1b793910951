// The host subsystem assembled from a configuration: RV64 CPU, boot ROM, DRAM, UART0, CLINT,
// PLIC and sim-control on one system bus, at QEMU-virt-compatible addresses; the chips, each
// with its NeuronLink router (docs/neuronlink.md): chip-to-chip traffic crosses the links, the
// host reaches every chip through the system bus.
#pragma once

#include <memory>
#include <vector>

#include <systemc>

#include "boot_rom.h"
#include "chip.h"
#include "clint.h"
#include "config.h"
#include "console.h"
#include "core/bus.h"
#include "core/memory.h"
#include "core/run_control.h"
#include "elf_loader.h"
#include "plic.h"
#include "router.h"
#include "rv64_cpu.h"
#include "semihosting.h"
#include "sim_control.h"
#include "uart16550.h"

namespace rainier {

class host_system : public sc_core::sc_module {
public:
    host_system(sc_core::sc_module_name name, const platform_config& cfg, run_control& run,
                console& con, uint64_t max_instructions);

    // Copies an image's segments into memory.
    void load(const elf_image& image);
    // Copies raw bytes (e.g. the device tree) into DRAM.
    void load_blob(uint64_t addr, const std::vector<uint8_t>& bytes, const std::string& what);
    // Points the boot ROM at the entry point and the device tree.
    void set_boot(uint64_t entry, uint64_t dtb_addr) { m_rom.program(entry, dtb_addr); }

    rv64_cpu& cpu() { return *m_cpu; }
    void attach_probes(const probes& p);
    bus& system_bus() { return m_bus; }
    chip& chip_at(unsigned n) { return *m_chips.at(n); }
    unsigned num_chips() const { return static_cast<unsigned>(m_chips.size()); }
    link::router& router_at(unsigned n) { return *m_routers.at(n); }
    const link::topology& topology() const { return *m_topology; }

private:
    void console_input_thread();
    void report_double_trap(const rv64::hart::double_trap_info& info);

    const platform_config& m_cfg;
    run_control& m_run;
    console& m_console;
    bus m_bus;
    std::unique_ptr<rv64_cpu> m_cpu;
    boot_rom m_rom;
    memory m_dram;
    uart16550 m_uart;
    clint m_clint;
    plic m_plic;
    sim_control m_simctl;
    std::unique_ptr<rv64::semihosting_host> m_semihost;
    probes m_probes;
    wave_writer::handle m_wave_uart_tx = 0;

    std::unique_ptr<link::topology> m_topology;
    std::vector<std::unique_ptr<chip>> m_chips;
    std::vector<std::unique_ptr<link::router>> m_routers;
};

} // namespace rainier
