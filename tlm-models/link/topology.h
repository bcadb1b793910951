// A multi-chip system as a torus of 1 to 3 dimensions, from a string: "single", "ring:N",
// "torus2d:XxY", "ultra:XxYxZ" (Z instances of an XxY torus; the chips with the same (x, y)
// joined in a ring; "ultra:4x4x4" is the 64-chip Trn2 UltraServer). Chip id = x + X * (y + Y *
// z). Ports per chip, per dimension in order: "+" then "-" for a dimension of 3 or more chips,
// one port for a dimension of 2 (one link between the pair), none for 1. Routing: dimension
// order with the shortest direction in each ring (ties: "+"); a marked-down link is avoided by
// a shortest path over the links that are up; no path left: unreachable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "link_port.h"

namespace rainier::link {

struct dimension {
    unsigned size = 1;
    port_config port; // every port of this dimension, each direction
};

struct port_desc {
    unsigned index = 0;          // on its chip
    unsigned neighbour = 0;      // chip at the other end
    unsigned neighbour_port = 0; // its port back to us: the other direction of the link
    unsigned dim = 0;
    int dir = +1;     // +1: towards higher coordinates (the only port of a 2-chip dimension)
    std::string name; // "x+", "x-", "y", "z+", ...
    bool up = true;
};

// Next-hop table entries besides port indices.
constexpr int route_local = -1;
constexpr int route_none = -2;

class topology {
public:
    // Throws std::invalid_argument saying what is wrong with which part of `spec`.
    static topology parse(const std::string& spec);
    // Defaults: Trn2 NeuronLink-v3 numbers (docs/neuronlink.md): x and y ports 256 GB/s,
    // z (ultra ring) ports 128 GB/s, each direction.
    explicit topology(std::vector<unsigned> sizes, std::string spec = "");

    const std::string& spec() const { return m_spec; }
    unsigned chips() const { return m_chips; }
    const std::vector<dimension>& dims() const { return m_dims; }
    std::vector<unsigned> coords(unsigned chip) const;
    unsigned chip_at(const std::vector<unsigned>& coords) const;
    const std::vector<port_desc>& ports(unsigned chip) const { return m_ports.at(chip); }
    const port_config& port_cfg(unsigned chip, unsigned port) const {
        return m_dims[ports(chip).at(port).dim].port;
    }

    // Before routers are built. set_port_config: every port of dimension `dim`.
    void set_port_config(unsigned dim, const port_config& cfg);
    // Marks the link of (chip, port) down, both directions (a port is one physical link).
    void mark_down(unsigned chip, unsigned port);

    // Next hop from `chip` for every destination: a port index, route_local or route_none.
    const std::vector<int>& route_table(unsigned chip) const;
    // The ports a transfer from src to dst crosses, as (chip, port) pairs, following the route
    // tables hop by hop; false if dst is unreachable.
    struct hop {
        unsigned chip, port;
    };
    bool path(unsigned src, unsigned dst, std::vector<hop>& out) const;
    int hops(unsigned src, unsigned dst) const; // -1: unreachable

private:
    void build_ports();
    std::vector<hop> dimension_order(unsigned src, unsigned dst) const;
    std::vector<unsigned> distances_to(unsigned dst) const; // over up links; UINT_MAX: none
    std::vector<int> compute_table(unsigned chip) const;

    std::string m_spec;
    unsigned m_chips = 1;
    std::vector<dimension> m_dims;
    std::vector<std::vector<port_desc>> m_ports;
    std::vector<std::vector<int>> m_dim_port; // [dim][0: "+" / single, 1: "-"] -> port index
    bool m_any_down = false;
    mutable std::vector<std::vector<int>> m_tables; // per chip, built on first use
};

} // namespace rainier::link
