#include "config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "links.h"
#include "rainier/hw/chip.h"
#include "rainier/hw/dma.h"
#include "rainier/hw/memory_map.h"

namespace rainier {

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

// Splits "12.5MiB" into 12.5 and "MiB"; false if there is no leading number.
bool split_number(const std::string& s, double& number, std::string& unit) {
    size_t pos = 0;
    try {
        number = std::stod(s, &pos);
    } catch (const std::exception&) {
        return false;
    }
    unit = s.substr(pos);
    unit.erase(0, unit.find_first_not_of(' '));
    return std::isfinite(number);
}

std::string kind_name(value_kind k) {
    switch (k) {
    case value_kind::boolean: return "a boolean (true or false)";
    case value_kind::integer: return "a non-negative integer";
    case value_kind::size: return "a size (bytes, or a string like \"256MiB\")";
    case value_kind::frequency: return "a frequency (Hz, or a string like \"1GHz\")";
    case value_kind::time: return "a time (a string like \"10us\")";
    case value_kind::text: return "a string";
    case value_kind::choice: return "one of the listed choices";
    }
    return "a value";
}

} // namespace

uint64_t parse_integer(const nlohmann::json& v, const std::string& what) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer()) {
        if (v.get<int64_t>() < 0) throw config_error(what + ": must not be negative");
        return v.get<uint64_t>();
    }
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        try {
            size_t pos = 0;
            const uint64_t n = std::stoull(s, &pos, 0);
            if (pos == s.size() && !s.empty() && s[0] != '-') return n;
        } catch (const std::exception&) {
        }
    }
    throw config_error(what + ": expected " + kind_name(value_kind::integer) + ", got " + v.dump());
}

uint64_t parse_size(const nlohmann::json& v, const std::string& what) {
    if (v.is_number()) return parse_integer(v, what);
    if (v.is_string()) {
        double n;
        std::string unit;
        static const std::map<std::string, double> units = {{"", 1},
                                                            {"B", 1},
                                                            {"KiB", 1024.0},
                                                            {"MiB", 1024.0 * 1024},
                                                            {"GiB", 1024.0 * 1024 * 1024},
                                                            {"TiB", 1024.0 * 1024 * 1024 * 1024},
                                                            {"kB", 1e3},
                                                            {"MB", 1e6},
                                                            {"GB", 1e9}};
        if (split_number(v.get<std::string>(), n, unit) && units.count(unit) && n >= 0) {
            const double bytes = n * units.at(unit);
            if (bytes == std::floor(bytes) && bytes < 1.8e19) return static_cast<uint64_t>(bytes);
        }
        if (v.get<std::string>().rfind("0x", 0) == 0) return parse_integer(v, what);
    }
    throw config_error(what + ": expected " + kind_name(value_kind::size) + ", got " + v.dump());
}

double parse_frequency(const nlohmann::json& v, const std::string& what) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
        double n;
        std::string unit;
        static const std::map<std::string, double> units = {
            {"", 1}, {"Hz", 1}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}};
        if (split_number(v.get<std::string>(), n, unit) && units.count(unit))
            return n * units.at(unit);
    }
    throw config_error(what + ": expected " + kind_name(value_kind::frequency) + ", got " +
                       v.dump());
}

double parse_time_seconds(const nlohmann::json& v, const std::string& what) {
    if (v.is_string()) {
        double n;
        std::string unit;
        static const std::map<std::string, double> units = {
            {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}, {"ps", 1e-12}};
        if (split_number(v.get<std::string>(), n, unit) && units.count(unit) && n >= 0)
            return n * units.at(unit);
    }
    throw config_error(what + ": expected " + kind_name(value_kind::time) + ", got " + v.dump());
}

const std::vector<config_key>& platform_config::schema() {
    using k = value_kind;
    static const std::vector<config_key> keys = {
        {"platform.name", k::text, "rainier-lite", "name shown in banners and stats", {}},
        {"seed", k::integer, 1, "seed of every pseudo-random choice in the platform", {}},
        {"cpu.clock_hz", k::frequency, "1GHz", "host CPU clock (one instruction per cycle)", {}},
        {"cpu.quantum", k::time, "10us", "temporal-decoupling quantum of the host CPU", {}},
        {"cpu.misaligned_access",
         k::choice,
         "hardware",
         "misaligned loads/stores: done in hardware (as QEMU) or trap (for M-mode emulation)",
         {"hardware", "trap"}},
        {"cpu.semihosting", k::boolean, true, "RISC-V semihosting calls (ebreak sequence)", {}},
        {"cpu.semihosting_root",
         k::text,
         "",
         "directory the firmware may open files in through semihosting; empty: none",
         {}},
        {"cpu.command_line",
         k::text,
         "",
         "command line the firmware reads through semihosting (SYS_GET_CMDLINE), e.g. app options",
         {}},
        {"memory.dram_base", k::integer, RAINIER_DRAM_BASE, "host DRAM base address", {}},
        {"memory.dram_size", k::size, "256MiB", "host DRAM size", {}},
        {"uart.output",
         k::text,
         "stdout",
         "where UART0 transmits: stdout, stderr, none, or a file path",
         {}},
        {"uart.input",
         k::choice,
         "auto",
         "UART0 receive side: stdin when it is a terminal (auto), always stdin, or none",
         {"auto", "stdin", "none"}},
        // Chips: HBM, on-chip SRAM, DMA (defaults: the lite chip).
        {"chip.count",
         k::integer,
         1,
         "chips on the system bus (apertures and MMIO windows); must equal link.topology's",
         {}},
        {"chip.cores", k::integer, 1, "NeuronCores per chip", {}},
        {"hbm.stacks", k::integer, 1, "HBM stacks per chip", {}},
        {"hbm.stack_size", k::size, "1GiB", "capacity of one HBM stack", {}},
        {"hbm.channels", k::integer, 16, "channels per stack", {}},
        {"hbm.pseudo_channels", k::integer, 2, "pseudo-channels (32 DQ each) per channel", {}},
        {"hbm.bank_groups", k::integer, 4, "bank groups per pseudo-channel", {}},
        {"hbm.banks", k::integer, 4, "banks per bank group", {}},
        {"hbm.page_size", k::size, "1KiB", "row (page) size of a pseudo-channel", {}},
        {"hbm.data_rate",
         k::frequency,
         "6.4GHz",
         "data rate per pin (transfers/s): HBM3 6.4G, Trn2 ~5.7G, HBM3e up to 9.6G",
         {}},
        {"hbm.address_mapping",
         k::choice,
         "bg_interleave",
         "address mapping policy (see docs/memory-system.md)",
         {"bg_interleave", "channel_interleave", "row_bank_channel"}},
        {"hbm.interleave", k::size, "1KiB", "bytes kept on one pseudo-channel before the next", {}},
        {"hbm.refresh", k::boolean, true, "model all-bank refresh every tREFI", {}},
        {"hbm.controller_latency", k::time, "10ns", "memory controller request-path latency", {}},
        {"hbm.timing.CL", k::integer, 20, "read latency, tCK (tCK = 4 / data_rate)", {}},
        {"hbm.timing.WL", k::integer, 8, "write latency, tCK", {}},
        {"hbm.timing.tRCD_RD", k::integer, 31, "ACT to RD, tCK", {}},
        {"hbm.timing.tRCD_WR", k::integer, 15, "ACT to WR, tCK", {}},
        {"hbm.timing.tRP", k::integer, 26, "PRE to ACT, tCK", {}},
        {"hbm.timing.tRAS", k::integer, 45, "ACT to PRE, tCK", {}},
        {"hbm.timing.tRC", k::integer, 72, "ACT to ACT same bank, tCK", {}},
        {"hbm.timing.tCCD_S", k::integer, 2, "column to column, other bank group, tCK", {}},
        {"hbm.timing.tCCD_L", k::integer, 4, "column to column, same bank group, tCK", {}},
        {"hbm.timing.tRRD_S", k::integer, 4, "ACT to ACT, other bank group, tCK", {}},
        {"hbm.timing.tRRD_L", k::integer, 5, "ACT to ACT, same bank group, tCK", {}},
        {"hbm.timing.tFAW", k::integer, 24, "window of four ACTs, tCK", {}},
        {"hbm.timing.tWTR_S", k::integer, 7, "write data end to RD, other bank group, tCK", {}},
        {"hbm.timing.tWTR_L", k::integer, 10, "write data end to RD, same bank group, tCK", {}},
        {"hbm.timing.tRTW", k::integer, 20, "RD to WR, tCK", {}},
        {"hbm.timing.tRTP", k::integer, 5, "RD to PRE, tCK", {}},
        {"hbm.timing.tWR", k::integer, 24, "write recovery (data end to PRE), tCK", {}},
        {"hbm.timing.tREFI", k::time, "3.9us", "refresh interval", {}},
        {"hbm.timing.tRFC", k::time, "350ns", "all-bank refresh time (per density)", {}},
        {"sram.partitions", k::integer, 32, "SBUF and PSUM partitions per NeuronCore", {}},
        {"sram.sbuf_partition_size", k::size, "192KiB", "SBUF bytes per partition", {}},
        {"sram.psum_partition_size", k::size, "16KiB", "PSUM bytes per partition", {}},
        {"sram.bandwidth", k::size, "2000GB", "SBUF/PSUM port bandwidth, bytes per second", {}},
        {"sram.latency", k::time, "2ns", "SBUF/PSUM access latency", {}},
        {"dma.engines", k::integer, 4, "DMA engines per NeuronCore", {}},
        {"dma.queues", k::integer, 4, "descriptor queues per DMA engine", {}},
        {"dma.bandwidth", k::size, "27GB", "bandwidth of one engine, bytes per second", {}},
        {"dma.outstanding", k::integer, 64, "bus requests in flight per engine and direction", {}},
        {"dma.request_size", k::size, "512B", "largest bus request of a DMA engine", {}},
        {"dma.setup_latency", k::time, "20ns", "per-descriptor set-up after its fetch", {}},
        {"dma.lookahead",
         k::time,
         "100ns",
         "how far an engine's requests may run ahead of simulated time",
         {}},
        {"neuroncore.tensor_engine",
         k::choice,
         "rtl",
         "tensor engine model: the Verilated RTL core, or the fast C++ model (same results and "
         "cycles)",
         {"rtl", "fast"}},
        {"neuroncore.te_rows", k::integer, 32, "tensor engine array rows (contraction K)", {}},
        {"neuroncore.te_cols", k::integer, 32, "tensor engine array columns (M)", {}},
        {"neuroncore.te_clock", k::frequency, "2.4GHz", "tensor engine clock", {}},
        {"neuroncore.ve_clock", k::frequency, "0.96GHz", "vector engine clock", {}},
        {"neuroncore.ve_overhead",
         k::integer,
         100,
         "vector engine fixed cost per instruction, in its clock cycles (NKI cost model)",
         {}},
        // NeuronLink (docs/neuronlink.md): chip-to-chip links and routing.
        {"link.topology",
         k::text,
         "single",
         "chips and links: single, ring:N, torus2d:XxY or ultra:XxYxZ (chip.count chips)",
         {}},
        {"link.bandwidth",
         k::size,
         "256GB",
         "x and y ports (ring, torus), bytes per second, each direction",
         {}},
        {"link.z_bandwidth",
         k::size,
         "128GB",
         "z ports (ultra: the ring across instances), bytes per second, each direction",
         {}},
        {"link.latency", k::time, "150ns", "one hop: SerDes, wire, receiver pipeline", {}},
        {"link.max_payload", k::size, "256B", "payload bytes per link packet", {}},
        {"link.header_size", k::size, "32B", "header bytes per link packet, on the wire", {}},
        {"link.credits", k::integer, 512, "receiver buffer of a port, in packets", {}},
        {"link.down",
         k::text,
         "",
         "ports marked down with their links: CHIP:PORT[,CHIP:PORT...], e.g. \"0:x+,3:y-\"",
         {}},
    };
    return keys;
}

platform_config::platform_config() {
    for (const config_key& k : schema())
        m_values[k.path] = k.default_value;
}

const config_key& platform_config::key(const std::string& path) const {
    for (const config_key& k : schema())
        if (k.path == path) return k;
    std::string best;
    size_t best_distance = 4;
    for (const config_key& k : schema()) {
        const size_t d = edit_distance(path, k.path);
        if (d < best_distance) {
            best_distance = d;
            best = k.path;
        }
    }
    throw config_error("unknown config key '" + path + "'" +
                       (best.empty() ? std::string() : " (did you mean '" + best + "'?)"));
}

void platform_config::assign(const std::string& path, const nlohmann::json& value,
                             const std::string& origin) {
    const config_key& k = key(path);
    const std::string what = "config key '" + path + "' (" + origin + ")";
    // Type check now, so the error points at where the value came from.
    switch (k.kind) {
    case value_kind::boolean:
        if (!value.is_boolean())
            throw config_error(what + ": expected " + kind_name(k.kind) + ", got " + value.dump());
        break;
    case value_kind::integer: parse_integer(value, what); break;
    case value_kind::size: parse_size(value, what); break;
    case value_kind::frequency: parse_frequency(value, what); break;
    case value_kind::time: parse_time_seconds(value, what); break;
    case value_kind::text:
        if (!value.is_string())
            throw config_error(what + ": expected " + kind_name(k.kind) + ", got " + value.dump());
        break;
    case value_kind::choice: {
        if (!value.is_string() || std::find(k.choices.begin(), k.choices.end(),
                                            value.get<std::string>()) == k.choices.end()) {
            std::string list;
            for (const std::string& c : k.choices)
                list += (list.empty() ? "" : ", ") + c;
            throw config_error(what + ": expected one of " + list + ", got " + value.dump());
        }
        break;
    }
    }
    m_values[path] = value;
}

void platform_config::walk(const nlohmann::json& node, const std::string& prefix,
                           const std::string& origin) {
    for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (it->is_object()) {
            bool is_section = false;
            for (const config_key& k : schema())
                if (k.path.rfind(path + ".", 0) == 0) is_section = true;
            if (!is_section) key(path); // throws "unknown key"
            walk(*it, path, origin);
        } else {
            assign(path, *it, origin);
        }
    }
}

void platform_config::load_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw config_error("cannot open config file '" + path + "'");
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::parse_error& e) {
        throw config_error("config file '" + path + "' is not valid JSON: " + e.what());
    }
    if (!doc.is_object()) throw config_error("config file '" + path + "' must hold a JSON object");
    walk(doc, "", path);
}

void platform_config::set(const std::string& assignment) {
    const size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw config_error("--set '" + assignment + "': expected path.to.key=value");
    const std::string path = assignment.substr(0, eq);
    const std::string text = assignment.substr(eq + 1);
    nlohmann::json value;
    // JSON if it parses (numbers, true/false, "quoted"), otherwise a plain string.
    try {
        value = nlohmann::json::parse(text);
        if (value.is_object() || value.is_array() || value.is_null()) value = text;
    } catch (const nlohmann::json::parse_error&) {
        value = text;
    }
    assign(path, value, "--set");
}

bool platform_config::get_bool(const std::string& path) const {
    return m_values.at(path).get<bool>();
}
uint64_t platform_config::get_integer(const std::string& path) const {
    return parse_integer(m_values.at(path), path);
}
uint64_t platform_config::get_size(const std::string& path) const {
    return parse_size(m_values.at(path), path);
}
double platform_config::get_frequency(const std::string& path) const {
    return parse_frequency(m_values.at(path), path);
}
double platform_config::get_time(const std::string& path) const {
    return parse_time_seconds(m_values.at(path), path);
}
std::string platform_config::get_string(const std::string& path) const {
    return m_values.at(path).get<std::string>();
}

nlohmann::json platform_config::to_json() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [path, value] : m_values)
        out[nlohmann::json::json_pointer("/" + [&] {
            std::string p = path;
            std::replace(p.begin(), p.end(), '.', '/');
            return p;
        }())] = value;
    return out;
}

void platform_config::validate_chip_keys(
    const std::function<void(const std::string&, const std::string&)>& fail) const {
    auto pow2 = [](uint64_t v) { return v != 0 && (v & (v - 1)) == 0; };
    auto in = [&](const char* path, uint64_t lo, uint64_t hi) {
        const uint64_t v = get_integer(path);
        if (v < lo || v > hi)
            fail(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
        return v;
    };
    in("chip.count", 1, RAINIER_MAX_CHIPS);
    const uint64_t cores = in("chip.cores", 1, RAINIER_MAX_CORES_PER_CHIP);
    const uint64_t stacks = in("hbm.stacks", 1, 16);
    for (const char* p : {"hbm.channels", "hbm.pseudo_channels", "hbm.banks"}) {
        in(p, 1, 64);
        if (!pow2(get_integer(p))) fail(p, "must be a power of two");
    }
    in("hbm.bank_groups", 1, 8);
    if (!pow2(get_integer("hbm.bank_groups"))) fail("hbm.bank_groups", "must be a power of two");
    const uint64_t page = get_size("hbm.page_size");
    const uint64_t bursts_per_bg = 32 * get_integer("hbm.bank_groups");
    if (!pow2(page) || page < bursts_per_bg || page > 64 * 1024)
        fail("hbm.page_size", "must be a power of two from 32 B per bank group up to 64KiB");
    const uint64_t stack = get_size("hbm.stack_size");
    const uint64_t row_unit = get_integer("hbm.channels") * get_integer("hbm.pseudo_channels") *
                              get_integer("hbm.bank_groups") * get_integer("hbm.banks") * page;
    if (stack == 0 || stack % row_unit != 0)
        fail("hbm.stack_size", "must be a non-zero multiple of channels x pseudo-channels x "
                               "banks x page size (" +
                                   std::to_string(row_unit) + " bytes)");
    if (stack / row_unit > (uint64_t(1) << 31)) fail("hbm.stack_size", "too many rows per bank");
    if (stack * stacks > RAINIER_CHIP_HBM_MAX_SIZE)
        fail("hbm.stack_size", "hbm.stacks x hbm.stack_size exceeds the 96GiB HBM window");
    const uint64_t inter = get_size("hbm.interleave");
    if (!pow2(inter) || inter < bursts_per_bg || inter > page)
        fail("hbm.interleave",
             "must be a power of two between 32 B per bank group and the page size");
    const double rate = get_frequency("hbm.data_rate");
    if (!(rate > 0) || rate > 20e9) fail("hbm.data_rate", "must be in (0, 20GHz]");
    for (const char* p : {"hbm.timing.tCCD_S", "hbm.timing.tCCD_L", "hbm.timing.CL"})
        if (get_integer(p) == 0) fail(p, "must be greater than zero");
    if (get_time("hbm.timing.tRFC") >= get_time("hbm.timing.tREFI"))
        fail("hbm.timing.tRFC", "must be shorter than hbm.timing.tREFI");
    if (get_time("hbm.timing.tREFI") <= 0) fail("hbm.timing.tREFI", "must be greater than zero");
    in("sram.partitions", 1, RAINIER_MAX_PARTITIONS);
    const uint64_t sb = get_size("sram.sbuf_partition_size");
    if (sb == 0 || sb > RAINIER_SBUF_PARTITION_STRIDE)
        fail("sram.sbuf_partition_size", "must be between 1 and 256KiB");
    const uint64_t ps = get_size("sram.psum_partition_size");
    if (ps == 0 || ps > RAINIER_PSUM_PARTITION_STRIDE)
        fail("sram.psum_partition_size", "must be between 1 and 16KiB");
    if (get_size("sram.bandwidth") == 0) fail("sram.bandwidth", "must be greater than zero");
    const uint64_t engines =
        in("dma.engines", 1, RAINIER_CHIP_DMA_MAX_ENGINES / RAINIER_MAX_CORES_PER_CHIP);
    if (engines * cores > RAINIER_CHIP_DMA_MAX_ENGINES)
        fail("dma.engines", "chip.cores x dma.engines must be at most 128");
    in("dma.queues", 1, RAINIER_DMA_MAX_QUEUES);
    if (get_size("dma.bandwidth") == 0) fail("dma.bandwidth", "must be greater than zero");
    in("dma.outstanding", 1, 1024);
    const uint64_t req = get_size("dma.request_size");
    if (req == 0 || req > 64 * 1024) fail("dma.request_size", "must be between 1 and 64KiB");
    const uint64_t rows = in("neuroncore.te_rows", 1, RAINIER_MAX_PARTITIONS);
    if (rows > get_integer("sram.partitions"))
        fail("neuroncore.te_rows", "must be at most sram.partitions (the array reads one "
                                   "partition per row)");
    const uint64_t cols = in("neuroncore.te_cols", 1, RAINIER_MAX_PARTITIONS);
    if (cols > get_integer("sram.partitions"))
        fail("neuroncore.te_cols", "must be at most sram.partitions (each column writes one "
                                   "PSUM partition)");
    for (const char* f : {"neuroncore.te_clock", "neuroncore.ve_clock"}) {
        const double hz = get_frequency(f);
        if (!(hz >= 1e6) || hz > 10e9) fail(f, "must be between 1MHz and 10GHz");
    }
    in("neuroncore.ve_overhead", 0, 100000);
}

void platform_config::validate() const {
    auto fail = [](const std::string& path, const std::string& why) {
        throw config_error("config key '" + path + "': " + why);
    };
    if (get_frequency("cpu.clock_hz") <= 0) fail("cpu.clock_hz", "must be greater than zero");
    if (get_frequency("cpu.clock_hz") > 100e9) fail("cpu.clock_hz", "must be at most 100GHz");
    if (get_time("cpu.quantum") <= 0) fail("cpu.quantum", "must be greater than zero");
    if (get_time("cpu.quantum") * get_frequency("cpu.clock_hz") < 1)
        fail("cpu.quantum", "must last at least one CPU clock cycle");
    const uint64_t dram_size = get_size("memory.dram_size");
    const uint64_t dram_base = get_integer("memory.dram_base");
    if (dram_size == 0) fail("memory.dram_size", "must be greater than zero");
    if (dram_size % 4096 != 0) fail("memory.dram_size", "must be a multiple of 4KiB");
    if (dram_base % 4096 != 0) fail("memory.dram_base", "must be 4KiB-aligned");
    if (dram_base + dram_size < dram_base) fail("memory.dram_size", "DRAM wraps the address space");
    validate_chip_keys(fail);
    make_topology(*this);
    const std::string root = get_string("cpu.semihosting_root");
    struct stat st;
    if (!root.empty() && (stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
        fail("cpu.semihosting_root", "'" + root + "' is not a directory");
}

} // namespace rainier
