#include "device_tree.h"

extern "C" {
#include <libfdt.h>
}

#include <stdexcept>
#include <string>

#include "rainier/hw/clint.h"
#include "rainier/hw/irq.h"
#include "rainier/hw/memory_map.h"
#include "rainier/hw/simctl.h"
#include "rv64_csr.h"

namespace rainier {

namespace {

enum : uint32_t { phandle_cpu_intc = 1, phandle_plic = 2, phandle_test = 3 };
// Local interrupt numbers of the hart (the mip bits), as the cpu-intc node names them.
constexpr uint32_t cpu_irq_msi = rv64::irq::msi, cpu_irq_mti = rv64::irq::mti,
                   cpu_irq_sei = rv64::irq::sei, cpu_irq_mei = rv64::irq::mei;
constexpr uint32_t uart_clock_hz = 3686400;

class fdt_writer {
public:
    explicit fdt_writer(size_t capacity) : m_buf(capacity) {
        check(fdt_create(m_buf.data(), static_cast<int>(m_buf.size())), "create");
        check(fdt_finish_reservemap(m_buf.data()), "reserve map");
    }
    void begin(const std::string& name) { check(fdt_begin_node(m_buf.data(), name.c_str()), name); }
    void end() { check(fdt_end_node(m_buf.data()), "end node"); }
    void str(const char* name, const std::string& v) {
        check(fdt_property_string(m_buf.data(), name, v.c_str()), name);
    }
    // A string list: NUL-separated in one property.
    void strs(const char* name, std::initializer_list<const char*> list) {
        std::string joined;
        for (const char* s : list)
            joined.append(s).push_back('\0');
        check(fdt_property(m_buf.data(), name, joined.data(), static_cast<int>(joined.size())),
              name);
    }
    void u32(const char* name, uint32_t v) { check(fdt_property_u32(m_buf.data(), name, v), name); }
    void cells(const char* name, std::initializer_list<uint32_t> list) {
        std::vector<fdt32_t> be;
        for (uint32_t v : list)
            be.push_back(cpu_to_fdt32(v));
        check(fdt_property(m_buf.data(), name, be.data(), static_cast<int>(be.size() * 4)), name);
    }
    void reg(uint64_t base, uint64_t size) {
        cells("reg", {uint32_t(base >> 32), uint32_t(base), uint32_t(size >> 32), uint32_t(size)});
    }
    void flag(const char* name) { check(fdt_property(m_buf.data(), name, nullptr, 0), name); }
    std::vector<uint8_t> finish() {
        check(fdt_finish(m_buf.data()), "finish");
        m_buf.resize(fdt_totalsize(m_buf.data()));
        return m_buf;
    }

private:
    static void check(int err, const std::string& what) {
        if (err < 0) throw std::runtime_error("device tree: " + what + ": " + fdt_strerror(err));
    }
    std::vector<uint8_t> m_buf;
};

std::string hex(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace

std::vector<uint8_t> build_device_tree(const platform_config& cfg) {
    fdt_writer w(64 * 1024);
    w.begin("");
    w.u32("#address-cells", 2);
    w.u32("#size-cells", 2);
    w.strs("compatible", {"rainier,vp"});
    w.str("model", "rainier-vp (" + cfg.get_string("platform.name") + ")");

    w.begin("chosen");
    w.str("stdout-path", "/soc/serial@" + hex(RAINIER_UART0_BASE));
    w.end();

    const uint64_t dram_base = cfg.get_integer("memory.dram_base");
    w.begin("memory@" + hex(dram_base));
    w.str("device_type", "memory");
    w.reg(dram_base, cfg.get_size("memory.dram_size"));
    w.end();

    w.begin("cpus");
    w.u32("#address-cells", 1);
    w.u32("#size-cells", 0);
    w.u32("timebase-frequency", RAINIER_CLINT_TIMEBASE_HZ);
    w.begin("cpu@0");
    w.str("device_type", "cpu");
    w.u32("reg", 0);
    w.str("status", "okay");
    w.strs("compatible", {"riscv"});
    w.str("riscv,isa", "rv64imac_zicsr_zifencei");
    w.str("mmu-type", "riscv,sv39");
    w.u32("clock-frequency", static_cast<uint32_t>(cfg.get_frequency("cpu.clock_hz")));
    w.begin("interrupt-controller");
    w.u32("#interrupt-cells", 1);
    w.flag("interrupt-controller");
    w.strs("compatible", {"riscv,cpu-intc"});
    w.u32("phandle", phandle_cpu_intc);
    w.end();
    w.end();
    w.end();

    w.begin("soc");
    w.u32("#address-cells", 2);
    w.u32("#size-cells", 2);
    w.strs("compatible", {"simple-bus"});
    w.flag("ranges");

    w.begin("test@" + hex(RAINIER_SIMCTL_BASE));
    w.strs("compatible", {"sifive,test1", "sifive,test0", "syscon"});
    w.reg(RAINIER_SIMCTL_BASE, RAINIER_SIMCTL_SIZE);
    w.u32("phandle", phandle_test);
    w.end();
    w.begin("poweroff");
    w.strs("compatible", {"syscon-poweroff"});
    w.u32("regmap", phandle_test);
    w.u32("offset", SIMCTL_FINISHER);
    w.u32("value", SIMCTL_FINISHER_PASS);
    w.end();
    w.begin("reboot");
    w.strs("compatible", {"syscon-reboot"});
    w.u32("regmap", phandle_test);
    w.u32("offset", SIMCTL_FINISHER);
    w.u32("value", SIMCTL_FINISHER_RESET);
    w.end();

    w.begin("clint@" + hex(RAINIER_CLINT_BASE));
    w.strs("compatible", {"sifive,clint0", "riscv,clint0"});
    w.reg(RAINIER_CLINT_BASE, RAINIER_CLINT_SIZE);
    w.cells("interrupts-extended", {phandle_cpu_intc, cpu_irq_msi, phandle_cpu_intc, cpu_irq_mti});
    w.end();

    w.begin("plic@" + hex(RAINIER_PLIC_BASE));
    w.strs("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
    w.reg(RAINIER_PLIC_BASE, RAINIER_PLIC_SIZE);
    w.u32("#address-cells", 0);
    w.u32("#interrupt-cells", 1);
    w.flag("interrupt-controller");
    w.u32("riscv,ndev", RAINIER_PLIC_NUM_SOURCES - 1);
    w.cells("interrupts-extended", {phandle_cpu_intc, cpu_irq_mei, phandle_cpu_intc, cpu_irq_sei});
    w.u32("phandle", phandle_plic);
    w.end();

    w.begin("serial@" + hex(RAINIER_UART0_BASE));
    w.strs("compatible", {"ns16550a"});
    w.reg(RAINIER_UART0_BASE, RAINIER_UART0_SIZE);
    w.u32("clock-frequency", uart_clock_hz);
    w.u32("interrupt-parent", phandle_plic);
    w.u32("interrupts", RAINIER_IRQ_UART0);
    w.end();

    w.end(); // soc
    w.end(); // root
    return w.finish();
}

uint64_t device_tree_address(const platform_config& cfg, uint64_t size) {
    const uint64_t dram_base = cfg.get_integer("memory.dram_base");
    const uint64_t dram_size = cfg.get_size("memory.dram_size");
    const uint64_t top = dram_base + dram_size;
    const uint64_t two_mib = 2 * 1024 * 1024;
    if (dram_size >= 2 * two_mib && size <= two_mib) return top - two_mib;
    return (top - size) & ~uint64_t(7);
}

} // namespace rainier
