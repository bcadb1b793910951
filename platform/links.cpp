#include "links.h"

#include <cmath>
#include <stdexcept>

namespace rainier {

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& why) {
    throw config_error("config key '" + key + "': " + why);
}

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// "0:x+, 3:y-": each item marks a port (by name, or by index) down, with its link.
void mark_down(link::topology& topo, const std::string& list) {
    const std::string key = "link.down";
    size_t pos = 0;
    while (pos <= list.size()) {
        const size_t comma = std::min(list.find(',', pos), list.size());
        const std::string item = trim(list.substr(pos, comma - pos));
        pos = comma + 1;
        if (item.empty()) {
            if (comma == list.size() && trim(list).empty()) break;
            fail(key, "empty item in '" + list + "' (expected CHIP:PORT[,CHIP:PORT...])");
        }
        const size_t colon = item.find(':');
        const std::string c = colon == std::string::npos ? "" : trim(item.substr(0, colon));
        const std::string p = colon == std::string::npos ? "" : trim(item.substr(colon + 1));
        if (c.empty() || p.empty() || c.find_first_not_of("0123456789") != std::string::npos ||
            c.size() > 6)
            fail(key, "'" + item + "' is not CHIP:PORT (e.g. \"0:x+,3:y-\")");
        const unsigned chip = unsigned(std::stoul(c));
        if (chip >= topo.chips())
            fail(key, "'" + item + "': no chip " + c + " (link.topology '" + topo.spec() +
                          "' has " + std::to_string(topo.chips()) + " chip(s))");
        const auto& ports = topo.ports(chip);
        std::string names;
        int found = -1;
        for (const link::port_desc& d : ports) {
            names += (names.empty() ? "" : ", ") + d.name;
            if (d.name == p || std::to_string(d.index) == p) found = int(d.index);
        }
        if (found < 0)
            fail(key, "'" + item + "': chip " + c + " has no port '" + p + "' (" +
                          (ports.empty() ? "it has no ports" : "its ports: " + names) + ")");
        topo.mark_down(chip, unsigned(found));
    }
}

} // namespace

link::topology make_topology(const platform_config& cfg) {
    const std::string spec = cfg.get_string("link.topology");
    link::topology topo({});
    try {
        topo = link::topology::parse(spec);
    } catch (const std::invalid_argument& e) {
        fail("link.topology", e.what());
    }
    const uint64_t count = cfg.get_integer("chip.count");
    if (topo.chips() != count)
        fail("link.topology", "'" + spec + "' has " + std::to_string(topo.chips()) +
                                  " chip(s) but chip.count is " + std::to_string(count) +
                                  " (they must be equal)");

    link::port_config port;
    port.latency_s = cfg.get_time("link.latency");
    port.max_payload = unsigned(std::min<uint64_t>(cfg.get_size("link.max_payload"), 1u << 20));
    port.header_bytes = unsigned(std::min<uint64_t>(cfg.get_size("link.header_size"), 1u << 20));
    port.credits = unsigned(std::min<uint64_t>(cfg.get_integer("link.credits"), 1u << 20));
    if (port.max_payload == 0 || port.max_payload > 64 * 1024)
        fail("link.max_payload", "must be between 1 and 64KiB");
    if (port.header_bytes == 0 || port.header_bytes > 4096)
        fail("link.header_size", "must be between 1 and 4KiB");
    if (port.credits == 0 || port.credits > 65536)
        fail("link.credits", "must be between 1 and 65536 packets");
    if (port.latency_s > 1e-3) fail("link.latency", "must be at most 1ms");
    for (const char* key : {"link.bandwidth", "link.z_bandwidth"})
        if (cfg.get_size(key) == 0) fail(key, "must be greater than zero");
    for (unsigned d = 0; d < topo.dims().size(); ++d) {
        // x and y: the torus inside an instance; z: the ring across instances (ultra).
        port.bandwidth = double(cfg.get_size(d < 2 ? "link.bandwidth" : "link.z_bandwidth"));
        topo.set_port_config(d, port);
    }
    mark_down(topo, cfg.get_string("link.down"));
    return topo;
}

} // namespace rainier
