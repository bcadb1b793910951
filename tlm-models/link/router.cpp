#include "router.h"

#include <algorithm>
#include <cmath>

#include "global_address.h"

namespace rainier::link {

namespace {

uint64_t to_ps(const sc_core::sc_time& t) {
    return uint64_t(std::llround(t / sc_core::sc_time(1, sc_core::SC_PS)));
}
sc_core::sc_time from_ps(uint64_t ps) {
    return sc_core::sc_time(double(ps), sc_core::SC_PS);
}
// An annotated delay: from `now` to `t`, never negative.
sc_core::sc_time until(uint64_t t, uint64_t now) {
    return from_ps(t > now ? t - now : 0);
}

std::vector<packet_time> all_at(size_t n, uint64_t t) {
    return std::vector<packet_time>(n, packet_time{t, t});
}

// A flow is one initiator's stream of requests. Initiators here issue every request through
// one payload object of their own (a DMA engine: its data and semaphore writes alike), so the
// object names the flow at every hop; its packets then keep their order on each port.
uint64_t flow_of(const tlm::tlm_generic_payload& trans) {
    return uint64_t(reinterpret_cast<uintptr_t>(&trans));
}

} // namespace

router::router(sc_core::sc_module_name name, unsigned chip, const topology& topo)
    : sc_module(name), in("in"), local("local"), host("host"), m_chip(chip), m_chips(topo.chips()),
      m_routes(topo.route_table(chip)) {
    in.register_b_transport(this, &router::b_transport);
    in.register_transport_dbg(this, &router::transport_dbg);
    for (const port_desc& p : topo.ports(chip)) {
        const std::string n = std::to_string(p.index);
        m_ports.push_back(std::make_unique<link_port>(std::string(this->name()) + "." + p.name,
                                                      topo.port_cfg(chip, p.index)));
        m_ports.back()->set_up(p.up);
        link_out.push_back(std::make_unique<out_socket>(("link_out_" + n).c_str()));
        link_in.push_back(std::make_unique<in_socket>(("link_in_" + n).c_str()));
        link_in.back()->register_b_transport(this, &router::link_b_transport, int(p.index));
        link_in.back()->register_transport_dbg(this, &router::link_transport_dbg, int(p.index));
    }
}

int router::route(unsigned dst) const {
    const int p = m_routes[dst];
    return p >= 0 && !m_ports[unsigned(p)]->up() ? route_none : p;
}

void router::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const chip_address a = decode_global(trans.get_address());
    if (a.kind == region::none) {
        ++m_stats.host;
        host->b_transport(trans, delay);
        return;
    }
    if (a.chip == m_chip) {
        ++m_stats.local;
        local->b_transport(trans, delay);
        return;
    }
    if (a.chip >= m_chips || (!trans.is_read() && !trans.is_write())) {
        ++m_stats.errors;
        trans.set_response_status(a.chip >= m_chips ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                                    : tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    const uint64_t now = to_ps(sc_core::sc_time_stamp());
    link_extension ext;
    ext.src = m_chip;
    // Writes carry their data; a read request is a header. All of it is here at issue time.
    const link_port& first = *m_ports.at(0);
    ext.req_payload = first.packetise(trans.is_write() ? trans.get_data_length() : 0);
    ext.req = all_at(ext.req_payload.size(), now + to_ps(delay));
    trans.set_extension(&ext);
    forward(trans, ext, a.chip, -1);
    trans.clear_extension(&ext);
    // A target may have waited: the delay is counted from simulated time as it is now.
    const uint64_t done = ext.resp.empty() ? ext.done : ext.resp.back().tail;
    delay = until(done, to_ps(sc_core::sc_time_stamp()));
}

void router::link_b_transport(int port, tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    link_extension* ext = trans.get_extension<link_extension>();
    const chip_address a = decode_global(trans.get_address());
    if (!ext || a.kind == region::none || a.chip >= m_chips) {
        // Not a router's transaction: nothing to time it by.
        ++m_stats.errors;
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    forward(trans, *ext, a.chip, port);
}

void router::forward(tlm::tlm_generic_payload& trans, link_extension& ext, unsigned dst,
                     int in_port) {
    const uint64_t now = to_ps(sc_core::sc_time_stamp());
    const int p = dst == m_chip ? route_local : route(dst);
    if (p == route_local) {
        deliver(trans, ext, in_port);
    } else if (p < 0) {
        // No way on: the header found out on arrival; a header-only error response goes back.
        ++m_stats.errors;
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        ext.drained.clear();
        for (const packet_time& t : ext.req)
            ext.drained.push_back(t.tail);
        ext.done = ext.req.front().head;
        ext.resp_payload.assign(1, 0);
        ext.resp = all_at(1, ext.done);
    } else {
        link_port& port = *m_ports[unsigned(p)];
        std::vector<uint64_t> sent_end;
        port.advance(now);
        const uint64_t seq = port.send(ext.req_payload, ext.req, &sent_end, true, flow_of(trans));
        record(unsigned(p), ext.req, trans.is_write() ? trans.get_data_length() : 0, false);
        ++ext.hops;
        ++(in_port < 0 ? m_stats.sent : m_stats.forwarded);
        sc_core::sc_time d = until(ext.req.back().tail, now);
        (*link_out[unsigned(p)])->b_transport(trans, d);
        // The neighbour says when it drained our packets: that is when their credits return.
        port.drained(seq, ext.drained);
        ext.drained = sent_end; // we drained the upstream's packets as we sent them on
    }
    if (in_port >= 0 && !ext.resp.empty()) {
        // Responses retrace the request's links, each in the other direction.
        link_port& back = *m_ports[unsigned(in_port)];
        back.advance(now);
        back.send(ext.resp_payload, ext.resp, nullptr, false, flow_of(trans));
        record(unsigned(in_port), ext.resp, trans.is_read() ? trans.get_data_length() : 0, true);
        ext.done = ext.resp.back().tail;
    }
}

void router::deliver(tlm::tlm_generic_payload& trans, link_extension& ext, int in_port) {
    const uint64_t now = to_ps(sc_core::sc_time_stamp());
    // The target takes the transaction when its last packet is here, and absorbs packets at
    // link rate (they leave the receive buffer on arrival).
    ext.drained.clear();
    for (const packet_time& t : ext.req)
        ext.drained.push_back(t.tail);
    sc_core::sc_time d = until(ext.req.back().tail, now);
    local->b_transport(trans, d);
    ++m_stats.delivered;
    ext.done = to_ps(sc_core::sc_time_stamp() + d);
    // Read data goes back; a write is done when the target is (posted: no acknowledgement).
    ext.resp_payload.clear();
    if (!trans.is_response_ok())
        ext.resp_payload.assign(1, 0);
    else if (trans.is_read())
        ext.resp_payload = m_ports.at(unsigned(in_port))->packetise(trans.get_data_length());
    ext.resp = all_at(ext.resp_payload.size(), ext.done);
}

unsigned router::transport_dbg(tlm::tlm_generic_payload& trans) {
    const chip_address a = decode_global(trans.get_address());
    if (a.kind == region::none) return host->transport_dbg(trans);
    if (a.chip == m_chip) return local->transport_dbg(trans);
    return dbg_forward(trans);
}

unsigned router::link_transport_dbg(int, tlm::tlm_generic_payload& trans) {
    const chip_address a = decode_global(trans.get_address());
    if (a.kind != region::none && a.chip == m_chip) return local->transport_dbg(trans);
    return dbg_forward(trans);
}

unsigned router::dbg_forward(tlm::tlm_generic_payload& trans) {
    const chip_address a = decode_global(trans.get_address());
    const int p = a.kind == region::none || a.chip >= m_chips ? route_none : route(a.chip);
    if (p < 0) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    return (*link_out[unsigned(p)])->transport_dbg(trans);
}

void router::attach_probes(const probes& p, const std::string& group) {
    m_probes = p;
    m_rows.clear();
    for (const auto& port : m_ports) {
        const std::string& n = port->name();
        const std::string scope = "link." + n.substr(n.rfind('.') + 1);
        if (p.trace) m_rows.push_back(p.trace->add_row(group, scope));
        if (!p.wave) continue;
        wave_writer* w = p.wave;
        const wave_writer::handle bytes = w->add_signal(group + "." + scope, "bytes_in_flight", 64);
        const wave_writer::handle busy = w->add_signal(group + "." + scope, "busy", 1);
        w->change(bytes, sc_core::SC_ZERO_TIME, 0);
        w->change(busy, sc_core::SC_ZERO_TIME, 0);
        port->observe([w, bytes, busy](uint64_t at, uint64_t in_flight, bool serialising) {
            w->change(bytes, from_ps(at), in_flight);
            w->change(busy, from_ps(at), serialising);
        });
    }
    // Credits come back after the kernel passed the send: the ports say when values are final.
    if (p.wave && !m_ports.empty())
        p.wave->add_source([this](sc_core::sc_time now) { return settle_wave(now); });
}

sc_core::sc_time router::settle_wave(sc_core::sc_time now) {
    if (now == sc_core::sc_max_time()) {
        // End of the run: provisional credits stay as they are.
        for (auto& port : m_ports)
            port->settle_all();
        return now;
    }
    const uint64_t now_ps = to_ps(now);
    uint64_t h = UINT64_MAX;
    for (auto& port : m_ports)
        h = std::min(h, port->settle(now_ps));
    return h >= now_ps ? now : from_ps(h);
}

void router::record(unsigned port, const std::vector<packet_time>& arrivals, uint64_t bytes,
                    bool response) {
    if (!m_probes.trace || arrivals.empty()) return;
    const uint64_t lat = m_ports[port]->latency_ps();
    m_probes.trace->slice(m_rows[port], response ? "response" : "request",
                          from_ps(arrivals.front().head - lat), from_ps(arrivals.back().tail - lat),
                          {{"bytes", bytes}, {"packets", arrivals.size()}});
}

void connect(const topology& topo, const std::vector<router*>& routers) {
    for (unsigned c = 0; c < topo.chips(); ++c)
        for (const port_desc& p : topo.ports(c))
            routers.at(c)->link_out.at(p.index)->bind(
                *routers.at(p.neighbour)->link_in.at(p.neighbour_port));
}

} // namespace rainier::link
