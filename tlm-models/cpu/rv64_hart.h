// One RV64IMAC hart (Zicsr, Zifencei; M, S and U modes), as a plain C++ class: decode,
// execute, CSRs, traps and interrupts. Memory is reached through DMI regions handed in by
// its owner, and through a narrow bus interface for everything else. No SystemC here.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rv64_csr.h"
#include "rv64_decoder.h"
#include "rv64_pmp.h"

namespace rainier::rv64 {

class hart {
public:
    // What the hart needs from the system around it (the slow path; DMI is the fast one).
    class bus_interface {
    public:
        virtual ~bus_interface() = default;
        // false means a bus error (it becomes an access-fault trap).
        virtual bool read(uint64_t addr, void* data, unsigned len, bool fetch) = 0;
        virtual bool write(uint64_t addr, const void* data, unsigned len) = 0;
        // Current value of the platform timer (mtime), for the `time` CSR.
        virtual uint64_t read_time() = 0;
    };

    struct config {
        uint64_t hartid = 0;
        bool misaligned_traps = false; // true: misaligned loads/stores trap; false: done in hw
    };

    // Why run() returned.
    enum class stop_reason { budget, wfi, halt, breakpoint, watchpoint };

    hart(bus_interface& bus, const config& cfg);

    void reset(uint64_t pc);
    // Executes up to max_steps instructions (trapping ones included); returns the count.
    uint64_t run(uint64_t max_steps);
    stop_reason last_stop() const { return m_last_stop; }

    // DMI regions: [start, end] inclusive, mapped at ptr.
    void add_dmi(uint64_t start, uint64_t end, uint8_t* ptr, bool writable);
    void invalidate_dmi(uint64_t start, uint64_t end);

    // Interrupt lines from the platform: irq::msi, irq::mti, irq::mei, irq::sei.
    void set_interrupt(unsigned irq_bit, bool level);
    bool waiting_for_interrupt() const { return m_wfi; }

    // Ends the current run() as soon as the instruction in flight completes.
    void request_halt() { m_halt = true; }
    void clear_halt() { m_halt = false; }
    bool halted() const { return m_halt; }

    // Called at an `ebreak` framed by the RISC-V semihosting sequence; true if handled.
    std::function<bool(hart&)> semihosting;

    // A trap while entering the previous trap's handler: the handler is unusable.
    struct double_trap_info {
        uint64_t first_cause, first_pc, first_tval, second_cause, handler;
    };
    std::function<void(const double_trap_info&)> on_double_trap;

    // Observers (waveforms, timelines); unset means no cost beyond a test.
    std::function<void(uint64_t mcause, uint64_t pc)> on_trap;
    std::function<void(privilege now)> on_privilege_change;

    // State, for debuggers, tests, loaders and semihosting.
    uint64_t reg(unsigned i) const { return m_x[i]; }
    void set_reg(unsigned i, uint64_t v) {
        if (i != 0) m_x[i] = v;
    }
    uint64_t pc() const { return m_pc; }
    void set_pc(uint64_t pc) { m_pc = pc; }
    privilege priv() const { return m_priv; }
    uint64_t instret() const { return m_instret; }
    uint64_t cycles() const { return m_cycle; }
    void add_idle_cycles(uint64_t n) { m_cycle += n; }
    // Reads a CSR without access checks or side effects; false if it does not exist.
    bool peek_csr(uint16_t num, uint64_t& value);
    // Writes a CSR as M-mode would, for debuggers; false if it does not exist.
    bool poke_csr(uint16_t num, uint64_t value);

    // Debugger support. With any breakpoint or watchpoint set the hart runs instruction by
    // instruction with checks (no translated blocks, no TLB); without, there is no cost.
    enum class watch_kind { write = 2, read = 3, access = 4 }; // GDB's Z2/Z3/Z4
    void add_breakpoint(uint64_t pc);
    void remove_breakpoint(uint64_t pc);
    void add_watchpoint(uint64_t addr, uint64_t len, watch_kind kind);
    void remove_watchpoint(uint64_t addr, uint64_t len, watch_kind kind);
    void clear_debug_points();
    // The next run() does not stop at a breakpoint on the current pc (resuming from it).
    void step_over_breakpoint() { m_skip_breakpoint = true; }
    uint64_t watch_hit_address() const { return m_watch_hit_addr; }
    watch_kind watch_hit_kind() const { return m_watch_hit_kind; }
    // Virtual to physical as the hart would translate a load now, without side effects.
    bool debug_translate(uint64_t va, uint64_t& pa);
    // Memory as the hart sees it (DMI or bus), without traps; false on a bus error.
    bool read_memory(uint64_t addr, void* data, unsigned len);
    bool write_memory(uint64_t addr, const void* data, unsigned len);

private:
    struct trap {
        uint64_t cause;
        uint64_t tval;
    };
    struct dmi_region {
        uint64_t start = 1, end = 0; // empty
        uint8_t* ptr = nullptr;
        bool writable = false;
        bool covers(uint64_t a, unsigned len) const {
            return a >= start && a <= end && end - a >= len - 1;
        }
    };
    // One software TLB per access type: virtual page -> host pointer of a DMI-backed page whose
    // translation and PMP check were done once. Flushed whenever either could change.
    struct tlb_entry {
        uint64_t vpn = ~uint64_t(0);
        uint8_t* host = nullptr;
    };
    struct icache_entry {
        uint64_t pc = ~uint64_t(0);
        uint32_t raw = 0;
        decoded_insn insn;
    };
    // A translated block: decoded straight-line code and the bytes it was decoded from.
    static constexpr unsigned max_block_insns = 32;
    struct block {
        uint64_t pc = ~uint64_t(0);
        const uint8_t* host = nullptr;
        uint16_t count = 0;
        uint16_t bytes = 0;
        uint8_t raw[max_block_insns * 4];
        decoded_insn insn[max_block_insns];
    };
    static constexpr unsigned block_cache_size = 1 << 12;
    static constexpr unsigned icache_size = 1 << 14;
    static constexpr unsigned tlb_size = 256;
    static constexpr unsigned max_dmi = 16;
    static constexpr unsigned page_shift = 12;
    static constexpr uint64_t page_size = uint64_t(1) << page_shift;

    void step();
    uint64_t run_debug(uint64_t max_steps);
    void check_watch(uint64_t va, unsigned len, access_type type);
    void update_debug_mode();
    bool execute_plain(const decoded_insn& d, uint64_t pc, uint64_t& next);
    bool run_block(uint64_t budget);
    void build_block(block& blk, uint64_t pc, const uint8_t* host);
    static bool plain_op(op o);
    static bool ends_block(op o);
    const decoded_insn& fetch_decode(uint64_t pc);
    uint32_t fetch_raw(uint64_t pc);
    uint32_t fetch_raw_slow(uint64_t pc);
    const dmi_region* find_dmi(uint64_t addr, unsigned len, bool write);

    template <typename T>
    T load(uint64_t addr);
    template <typename T>
    void store(uint64_t addr, T value);
    template <typename T>
    T amo(const decoded_insn& d);

    // rv64_mmu.cpp: translation, PMP, the slow path of every access.
    void access_slow(uint64_t va, void* data, unsigned len, access_type type);
    uint64_t translate(uint64_t va, access_type type);
    privilege data_privilege() const;
    bool phys_read(uint64_t pa, void* data, unsigned len, bool fetch);
    bool phys_write(uint64_t pa, const void* data, unsigned len);
    [[noreturn]] void access_fault(access_type type, uint64_t va);
    [[noreturn]] void page_fault(access_type type, uint64_t va);
    void flush_tlb();

    void execute_system(const decoded_insn& d, uint64_t& next_pc);
    uint64_t csr_read(uint16_t num);
    void csr_write(uint16_t num, uint64_t value);
    void check_csr_access(uint16_t num, bool write);
    bool check_interrupts();
    void take_trap(uint64_t cause, uint64_t tval, bool interrupt);
    bool semihosting_call();
    uint64_t mip() const { return m_mip_hw | m_mip_sw; }
    [[noreturn]] void illegal_insn();

    bus_interface& m_bus;
    config m_cfg;

    std::array<uint64_t, 32> m_x{};
    uint64_t m_pc = 0;
    privilege m_priv = privilege::machine;
    uint32_t m_current_raw = 0; // for mtval on illegal instructions

    uint64_t m_mstatus = 0, m_medeleg = 0, m_mideleg = 0, m_mie = 0, m_mtvec = 0;
    uint64_t m_mcounteren = 0, m_scounteren = 0, m_mscratch = 0, m_mepc = 0, m_mcause = 0;
    uint64_t m_mtval = 0, m_stvec = 0, m_sscratch = 0, m_sepc = 0, m_scause = 0, m_stval = 0;
    uint64_t m_satp = 0, m_mcountinhibit = 0;
    uint64_t m_mip_hw = 0, m_mip_sw = 0;
    uint64_t m_instret = 0, m_cycle = 0;
    uint64_t m_steps = 0; // run() budget accounting

    uint64_t m_reservation = ~uint64_t(0);
    bool m_reservation_valid = false;

    bool m_wfi = false;
    bool m_halt = false;
    stop_reason m_last_stop = stop_reason::budget;

    struct watchpoint {
        uint64_t addr, len;
        watch_kind kind;
    };
    std::vector<uint64_t> m_breakpoints;
    std::vector<watchpoint> m_watchpoints;
    bool m_debug_mode = false;
    bool m_skip_breakpoint = false;
    bool m_watch_hit = false;
    uint64_t m_watch_hit_addr = 0;
    watch_kind m_watch_hit_kind = watch_kind::write;
    bool m_in_trap_entry = false; // no instruction retired since the last trap entry
    trap m_last_trap{0, 0};
    uint64_t m_last_trap_pc = 0;

    std::array<dmi_region, max_dmi> m_dmi{};
    std::array<std::array<tlb_entry, tlb_size>, 3> m_tlb{};
    pmp m_pmp;
    uint64_t m_menvcfg = 0, m_senvcfg = 0;
    std::vector<icache_entry> m_icache;
    std::vector<block> m_blocks;
};

} // namespace rainier::rv64
