#include "topology.h"

#include <climits>
#include <deque>
#include <stdexcept>

#include "rainier/hw/memory_map.h"

namespace rainier::link {

namespace {

const char* const dim_names = "xyz";

[[noreturn]] void bad(const std::string& spec, const std::string& what) {
    throw std::invalid_argument("topology '" + spec + "': " + what);
}

// "AxBxC" with exactly `n` positive decimal numbers.
std::vector<unsigned> sizes_of(const std::string& spec, const std::string& kind,
                               const std::string& arg, unsigned n, const char* form) {
    std::vector<std::string> parts{""};
    for (char ch : arg) {
        if (ch == 'x')
            parts.emplace_back();
        else
            parts.back() += ch;
    }
    if (parts.size() != n)
        bad(spec, "expected " + kind + ":" + form + ", got " + std::to_string(parts.size()) +
                      " number(s) in '" + arg + "'");
    std::vector<unsigned> v;
    for (unsigned i = 0; i < n; ++i) {
        const std::string what = std::string("dimension ") + dim_names[i] + " ('" + parts[i] + "')";
        if (parts[i].empty() || parts[i].find_first_not_of("0123456789") != std::string::npos)
            bad(spec, what + " is not a number of chips");
        if (parts[i].size() > 4 || std::stoul(parts[i]) > RAINIER_MAX_CHIPS)
            bad(spec, what + " has more than RAINIER_MAX_CHIPS (" +
                          std::to_string(RAINIER_MAX_CHIPS) + ") chips");
        if (std::stoul(parts[i]) == 0) bad(spec, what + " has no chips");
        v.push_back(unsigned(std::stoul(parts[i])));
    }
    return v;
}

} // namespace

topology topology::parse(const std::string& spec) {
    const size_t colon = spec.find(':');
    const std::string kind = spec.substr(0, colon);
    const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
    std::vector<unsigned> sizes;
    if (kind == "single") {
        if (colon != std::string::npos) bad(spec, "'single' takes no argument");
    } else if (kind == "ring" || kind == "torus2d" || kind == "ultra") {
        const unsigned n = kind == "ring" ? 1 : kind == "torus2d" ? 2 : 3;
        const char* form = n == 1 ? "N" : n == 2 ? "XxY" : "XxYxZ";
        if (colon == std::string::npos || arg.empty())
            bad(spec, "'" + kind + "' needs its size: " + kind + ":" + form);
        sizes = sizes_of(spec, kind, arg, n, form);
    } else {
        bad(spec,
            "unknown kind '" + kind + "' (expected single, ring:N, torus2d:XxY or ultra:XxYxZ)");
    }
    uint64_t chips = 1;
    for (unsigned s : sizes)
        chips *= s;
    if (chips > RAINIER_MAX_CHIPS)
        bad(spec, std::to_string(chips) + " chips, more than RAINIER_MAX_CHIPS (" +
                      std::to_string(RAINIER_MAX_CHIPS) + ")");
    return topology(sizes, spec);
}

topology::topology(std::vector<unsigned> sizes, std::string spec) : m_spec(std::move(spec)) {
    if (sizes.size() > 3) throw std::invalid_argument("topology: at most 3 dimensions");
    for (size_t d = 0; d < sizes.size(); ++d) {
        dimension dim;
        dim.size = sizes[d];
        if (dim.size == 0) throw std::invalid_argument("topology: a dimension of 0 chips");
        // Trn2: 1024 GB/s per chip over the 4 torus ports; 256 GB/s per chip over the 2
        // ports of the ring across instances.
        dim.port.bandwidth = d < 2 ? 256e9 : 128e9;
        m_dims.push_back(dim);
        m_chips *= dim.size;
    }
    if (m_chips > RAINIER_MAX_CHIPS)
        throw std::invalid_argument("topology: more chips than RAINIER_MAX_CHIPS");
    build_ports();
}

std::vector<unsigned> topology::coords(unsigned chip) const {
    std::vector<unsigned> c;
    for (const auto& d : m_dims) {
        c.push_back(chip % d.size);
        chip /= d.size;
    }
    return c;
}

unsigned topology::chip_at(const std::vector<unsigned>& c) const {
    unsigned chip = 0;
    for (size_t d = m_dims.size(); d-- > 0;)
        chip = chip * m_dims[d].size + c[d];
    return chip;
}

void topology::build_ports() {
    m_dim_port.assign(m_dims.size(), {-1, -1});
    unsigned n = 0;
    for (size_t d = 0; d < m_dims.size(); ++d) {
        if (m_dims[d].size >= 2) m_dim_port[d][0] = int(n++);
        if (m_dims[d].size >= 3) m_dim_port[d][1] = int(n++);
    }
    m_ports.assign(m_chips, {});
    for (unsigned chip = 0; chip < m_chips; ++chip) {
        const std::vector<unsigned> c = coords(chip);
        for (size_t d = 0; d < m_dims.size(); ++d) {
            const unsigned size = m_dims[d].size;
            for (int k = 0; k < 2; ++k) {
                if (m_dim_port[d][k] < 0) continue;
                port_desc p;
                p.index = unsigned(m_dim_port[d][k]);
                p.dim = unsigned(d);
                p.dir = k == 0 ? +1 : -1;
                std::vector<unsigned> nc = c;
                nc[d] = (c[d] + (k == 0 ? 1 : size - 1)) % size;
                p.neighbour = chip_at(nc);
                // The other direction of this link: the neighbour's port the opposite way.
                p.neighbour_port = unsigned(size == 2 ? m_dim_port[d][0] : m_dim_port[d][1 - k]);
                p.name = std::string(1, dim_names[d]) + (size == 2 ? "" : k == 0 ? "+" : "-");
                m_ports[chip].push_back(p);
            }
        }
    }
}

void topology::set_port_config(unsigned dim, const port_config& cfg) {
    validate(cfg, "topology '" + m_spec + "' dimension " + dim_names[dim < 3 ? dim : 0]);
    m_dims.at(dim).port = cfg;
}

void topology::mark_down(unsigned chip, unsigned port) {
    if (chip >= m_chips)
        throw std::invalid_argument("topology '" + m_spec + "': no chip " + std::to_string(chip));
    if (port >= m_ports[chip].size())
        throw std::invalid_argument("topology '" + m_spec + "': chip " + std::to_string(chip) +
                                    " has no port " + std::to_string(port) + " (it has " +
                                    std::to_string(m_ports[chip].size()) + ")");
    port_desc& p = m_ports[chip][port];
    p.up = false;
    m_ports[p.neighbour][p.neighbour_port].up = false;
    m_any_down = true;
    m_tables.clear();
}

std::vector<topology::hop> topology::dimension_order(unsigned src, unsigned dst) const {
    std::vector<hop> path;
    std::vector<unsigned> c = coords(src);
    const std::vector<unsigned> t = coords(dst);
    for (size_t d = 0; d < m_dims.size(); ++d) {
        const unsigned size = m_dims[d].size;
        const unsigned fwd = (t[d] + size - c[d]) % size;
        if (fwd == 0) continue;
        // Shortest direction; a tie (size even, half way) goes "+" from an even coordinate and
        // "-" from an odd one, so that traffic to every chip of a ring loads both directions
        // alike. Only a source can tie: one hop on, the rest is shorter than half way.
        const bool plus = fwd < size - fwd || (fwd == size - fwd && c[d] % 2 == 0);
        const int port = m_dim_port[d][plus || size == 2 ? 0 : 1];
        for (unsigned s = 0, n = plus ? fwd : size - fwd; s < n; ++s) {
            const unsigned chip = chip_at(c);
            path.push_back({chip, unsigned(port)});
            c[d] = (c[d] + (plus ? 1 : size - 1)) % size;
        }
    }
    return path;
}

std::vector<unsigned> topology::distances_to(unsigned dst) const {
    // Links are up or down in both directions, so a BFS from dst over up ports will do.
    std::vector<unsigned> dist(m_chips, UINT_MAX);
    std::deque<unsigned> todo{dst};
    dist[dst] = 0;
    while (!todo.empty()) {
        const unsigned c = todo.front();
        todo.pop_front();
        for (const auto& p : m_ports[c])
            if (p.up && dist[p.neighbour] == UINT_MAX) {
                dist[p.neighbour] = dist[c] + 1;
                todo.push_back(p.neighbour);
            }
    }
    return dist;
}

const std::vector<int>& topology::route_table(unsigned chip) const {
    if (m_tables.empty())
        for (unsigned c = 0; c < m_chips; ++c)
            m_tables.push_back(compute_table(c));
    return m_tables.at(chip);
}

std::vector<int> topology::compute_table(unsigned chip) const {
    std::vector<int> next(m_chips, route_none);
    std::vector<std::vector<unsigned>> dist_to(m_chips);
    for (unsigned dst = 0; dst < m_chips; ++dst) {
        if (dst == chip) {
            next[dst] = route_local;
            continue;
        }
        const std::vector<hop> dor = dimension_order(chip, dst);
        bool clean = true;
        if (m_any_down)
            for (const hop& h : dor)
                clean = clean && m_ports[h.chip][h.port].up;
        if (clean) {
            next[dst] = int(dor.front().port);
            continue;
        }
        // Detour: the lowest-numbered up port that gets one hop closer. Loop-free: a chip
        // whose dimension-order path is clean has clean suffixes, and every detour hop
        // shortens the distance.
        if (dist_to[dst].empty()) dist_to[dst] = distances_to(dst);
        const std::vector<unsigned>& dist = dist_to[dst];
        if (dist[chip] == UINT_MAX) continue;
        for (const auto& p : m_ports[chip])
            if (p.up && dist[p.neighbour] + 1 == dist[chip]) {
                next[dst] = int(p.index);
                break;
            }
    }
    return next;
}

bool topology::path(unsigned src, unsigned dst, std::vector<hop>& out) const {
    out.clear();
    for (unsigned chip = src; chip != dst;) {
        const int p = route_table(chip).at(dst);
        if (p < 0 || out.size() > m_chips) return false;
        out.push_back({chip, unsigned(p)});
        chip = m_ports[chip][unsigned(p)].neighbour;
    }
    return true;
}

int topology::hops(unsigned src, unsigned dst) const {
    std::vector<hop> p;
    return path(src, dst, p) ? int(p.size()) : -1;
}

} // namespace rainier::link
