// A chip's NeuronLink router. Transactions from the chip (`in`, global addresses) go to the
// chip itself (`local`), to the host side (`host`: addresses of no chip), or out through a
// link port towards the destination chip, hop by hop through the neighbours' routers
// (`link_out[p]` -> neighbour's `link_in[q]`). Each hop books its port (link_port: packets,
// bandwidth, latency, credits); the annotated delay the initiator gets back is the
// completion: for a write, when the target completed it; for a read, when the last response
// packet is back (responses retrace the request's links in the other direction). No path
// (ports down) or no such chip: an error response, at the time the header found out.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "link_port.h"
#include "probes.h"
#include "topology.h"

namespace rainier::link {

// Rides on a transaction between routers: the packets' timing at the current router.
struct link_extension : tlm::tlm_extension<link_extension> {
    unsigned src = 0, hops = 0;
    std::vector<unsigned> req_payload;
    std::vector<packet_time> req;  // request packets, as they reach the current router
    std::vector<uint64_t> drained; // set by the receiver: when it drained each request packet
    std::vector<unsigned> resp_payload;
    std::vector<packet_time> resp; // response packets (read data), on their way back
    uint64_t done = 0;             // ps: completion as seen at the current router
    tlm::tlm_extension_base* clone() const override { return new link_extension(*this); }
    void copy_from(const tlm::tlm_extension_base& e) override {
        *this = static_cast<const link_extension&>(e);
    }
};

class router : public sc_core::sc_module {
public:
    using out_socket = tlm_utils::simple_initiator_socket_tagged<router>;
    using in_socket = tlm_utils::simple_target_socket_tagged<router>;

    tlm_utils::simple_target_socket<router> in;        // from this chip: global addresses
    tlm_utils::simple_initiator_socket<router> local;  // to this chip: its global addresses
    tlm_utils::simple_initiator_socket<router> host;   // addresses of no chip (system bus)
    std::vector<std::unique_ptr<out_socket>> link_out; // per port
    std::vector<std::unique_ptr<in_socket>> link_in;   // per port: from that neighbour

    struct statistics {
        uint64_t local = 0, host = 0, sent = 0, forwarded = 0, delivered = 0, errors = 0;
    };

    router(sc_core::sc_module_name name, unsigned chip, const topology& topo);

    unsigned chip() const { return m_chip; }
    unsigned ports() const { return unsigned(m_ports.size()); }
    link_port& port(unsigned p) { return *m_ports.at(p); }
    const link_port& port(unsigned p) const { return *m_ports.at(p); }
    int next_hop(unsigned dst) const { return m_routes.at(dst); }
    const statistics& stats() const { return m_stats; }
    // Timeline: one row per port ("link.x+"), a slice per transfer crossing it. Waveform:
    // per port, scope GROUP.link.x+, `bytes_in_flight` (64 bits: wire bytes sent whose
    // credit is not back) and `busy` (serialising).
    void attach_probes(const probes& p, const std::string& group);

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    void link_b_transport(int port, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned link_transport_dbg(int port, tlm::tlm_generic_payload& trans);
    // One hop of a remote transaction arriving here (from a link, or from this chip if
    // in_port < 0).
    void forward(tlm::tlm_generic_payload& trans, link_extension& ext, unsigned dst, int in_port);
    void deliver(tlm::tlm_generic_payload& trans, link_extension& ext, int in_port);
    int route(unsigned dst) const;
    unsigned dbg_forward(tlm::tlm_generic_payload& trans);
    void record(unsigned port, const std::vector<packet_time>& arrivals, uint64_t bytes,
                bool response);
    sc_core::sc_time settle_wave(sc_core::sc_time now);

    unsigned m_chip;
    unsigned m_chips;
    std::vector<int> m_routes;
    std::vector<std::unique_ptr<link_port>> m_ports;
    statistics m_stats;
    probes m_probes;
    std::vector<timeline::row> m_rows;
};

// Binds every link of `topo` between the routers (routers[c] is chip c's).
void connect(const topology& topo, const std::vector<router*>& routers);

} // namespace rainier::link
