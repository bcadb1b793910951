// The RV64 hart as a SystemC initiator: runs the plain C++ hart inside an SC_THREAD with a
// quantum keeper, hands it DMI regions (dropped on invalidation), turns bus errors into
// access faults, and sleeps on WFI until an interrupt line changes.
#pragma once

#include <cstdint>
#include <functional>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "core/irq.h"
#include "probes.h"
#include "rv64_hart.h"

namespace rainier {

// A debugger attached to the CPU (the GDB server). Its calls run inside the CPU's thread, so
// while it holds the CPU, simulated time stands still.
class cpu_debugger {
public:
    virtual ~cpu_debugger() = default;
    virtual void before_run() = 0;     // may block while the target is halted
    virtual uint64_t step_limit() = 0; // instructions the next run may execute at most
    virtual void after_run(rv64::hart::stop_reason why) = 0;
};

class rv64_cpu : public sc_core::sc_module, private rv64::hart::bus_interface {
public:
    struct config {
        uint64_t hartid = 0;
        uint64_t reset_pc = 0;
        double clock_hz = 1e9;
        bool misaligned_traps = false;
        uint64_t max_instructions = 0; // 0: no limit
    };

    tlm_utils::simple_initiator_socket<rv64_cpu> bus;
    irq_in msip, mtip, meip, seip;

    rv64_cpu(sc_core::sc_module_name name, const config& cfg);

    rv64::hart& core() { return m_hart; }
    // The platform timer (mtime) at a given simulated time.
    std::function<uint64_t(sc_core::sc_time)> time_source;
    // Called once when max_instructions have retired.
    std::function<void()> on_instruction_limit;

    // Simulated time as this CPU sees it (kernel time plus its local offset).
    sc_core::sc_time local_time() const;
    sc_core::sc_time clock_period() const { return m_period; }
    // Stops the hart at once (run end); safe from any callback.
    void halt() { m_hart.request_halt(); }

    void attach_debugger(cpu_debugger* debugger) { m_debugger = debugger; }
    // Waveform: privilege, WFI, the interrupt inputs. Timeline: WFI sleep, traps.
    void attach_probes(const probes& p, const std::string& scope);
    // Untimed, side-effect-free physical access through the bus (transport_dbg).
    bool debug_access(bool write, uint64_t addr, void* data, unsigned len);

private:
    void thread();
    bool read(uint64_t addr, void* data, unsigned len, bool fetch) override;
    bool write(uint64_t addr, const void* data, unsigned len) override;
    uint64_t read_time() override;
    bool transport(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len);
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
    void irq_changed(unsigned irq_bit, bool level);

    config m_cfg;
    rv64::hart m_hart;
    sc_core::sc_time m_period;
    tlm_utils::tlm_quantumkeeper m_qk;
    uint64_t m_run_start_cycles = 0; // hart cycle count when the current run() began
    sc_core::sc_event m_wakeup;
    tlm::tlm_generic_payload m_trans;
    cpu_debugger* m_debugger = nullptr;

    probes m_probes;
    wave_writer::handle m_wave_priv = 0, m_wave_wfi = 0;
    wave_writer::handle m_wave_irq[4] = {}; // msi, mti, mei, sei
    timeline::row m_row = 0;
};

} // namespace rainier
