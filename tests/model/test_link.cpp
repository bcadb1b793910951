// NeuronLink: one port's timing (serialisation, latency, sharing, credits), topologies and
// route tables, multi-hop timing, links down, determinism. Expected values are derived by hand
// from the port parameters; the comments show the arithmetic.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "global_address.h"
#include "link_port.h"
#include "rainier/hw/chip.h"
#include "router.h"
#include "topology.h"

using namespace rainier::link;

namespace {

// 256 GB/s is 3.90625 ps per byte: a 256 + 32 byte packet serialises in exactly 1125 ps.
constexpr uint64_t lat = 150000;   // ps, the default port latency
constexpr uint64_t pkt_ser = 1125; // ps, a full packet at 256 GB/s
constexpr uint64_t hdr_ser = 125;  // ps, a header-only packet (32 B)

uint64_t hbm(unsigned chip, uint64_t offset = 0) {
    return RAINIER_CHIP_APERTURE(chip) + offset;
}

// A chip's memory: any address of its aperture or register window, zero latency unless set;
// records when each transaction arrived.
struct memory_target : sc_core::sc_module {
    tlm_utils::simple_target_socket<memory_target> in{"in"};
    unsigned chip;
    uint64_t latency_ps = 0;
    bool sync = false; // waits out the annotated delay (a target that cannot run ahead)
    std::unordered_map<uint64_t, uint8_t> bytes;
    std::vector<uint64_t> arrivals;
    memory_target(sc_core::sc_module_name n, unsigned c) : sc_module(n), chip(c) {
        in.register_b_transport(this, &memory_target::b_transport);
        in.register_transport_dbg(this, &memory_target::transport_dbg);
    }
    bool mine(tlm::tlm_generic_payload& t) {
        const chip_address a = decode_global(t.get_address());
        if (a.kind == region::none || a.chip != chip) {
            t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return false;
        }
        return true;
    }
    void copy(tlm::tlm_generic_payload& t) {
        for (unsigned i = 0; i < t.get_data_length(); ++i) {
            const uint64_t a = t.get_address() + i;
            if (t.is_write())
                bytes[a] = t.get_data_ptr()[i];
            else
                t.get_data_ptr()[i] = bytes.count(a) ? bytes[a] : 0;
        }
        t.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d) {
        if (!mine(t)) return;
        arrivals.push_back(uint64_t((sc_core::sc_time_stamp() + d).value()));
        copy(t);
        d += sc_core::sc_time::from_value(latency_ps);
        if (sync) {
            wait(d);
            d = sc_core::SC_ZERO_TIME;
        }
    }
    unsigned transport_dbg(tlm::tlm_generic_payload& t) {
        if (!mine(t)) return 0;
        copy(t);
        return t.get_data_length();
    }
};

struct host_target : sc_core::sc_module {
    tlm_utils::simple_target_socket<host_target> in{"in"};
    unsigned calls = 0;
    explicit host_target(sc_core::sc_module_name n) : sc_module(n) {
        in.register_b_transport(this, &host_target::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time&) {
        ++calls;
        t.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

struct result {
    uint64_t done = 0; // ps, absolute
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
};

// Chips of a topology: a router, a memory and a host-side target each, and an initiator
// standing for the chip's DMA engines.
struct system_tb : sc_core::sc_module {
    topology topo;
    std::vector<std::unique_ptr<router>> routers;
    std::vector<std::unique_ptr<memory_target>> mems;
    std::vector<std::unique_ptr<host_target>> hosts;
    std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<system_tb>>> dma;

    system_tb(sc_core::sc_module_name n, const topology& t) : sc_module(n), topo(t) {
        std::vector<router*> raw;
        for (unsigned c = 0; c < topo.chips(); ++c) {
            const std::string s = std::to_string(c);
            routers.push_back(std::make_unique<router>(("router" + s).c_str(), c, topo));
            mems.push_back(std::make_unique<memory_target>(("mem" + s).c_str(), c));
            hosts.push_back(std::make_unique<host_target>(("host" + s).c_str()));
            dma.push_back(std::make_unique<tlm_utils::simple_initiator_socket<system_tb>>(
                ("dma" + s).c_str()));
            dma.back()->bind(routers.back()->in);
            routers.back()->local.bind(mems.back()->in);
            routers.back()->host.bind(hosts.back()->in);
            raw.push_back(routers.back().get());
        }
        connect(topo, raw);
    }

    result access(unsigned src, tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                  uint64_t issue_ps = 0) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(addr);
        t.set_data_ptr(static_cast<unsigned char*>(data));
        t.set_data_length(len);
        t.set_streaming_width(len);
        t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time d = sc_core::sc_time::from_value(issue_ps);
        (*dma[src])->b_transport(t, d);
        return {uint64_t((sc_core::sc_time_stamp() + d).value()), t.get_response_status()};
    }
    result write(unsigned src, unsigned dst, unsigned len, uint64_t issue_ps = 0) {
        std::vector<uint8_t> buf(len, 0xa5);
        return access(src, tlm::TLM_WRITE_COMMAND, hbm(dst), buf.data(), len, issue_ps);
    }
    result read(unsigned src, unsigned dst, unsigned len, uint64_t issue_ps = 0) {
        std::vector<uint8_t> buf(len);
        return access(src, tlm::TLM_READ_COMMAND, hbm(dst), buf.data(), len, issue_ps);
    }
};

topology with_port(const char* spec, const port_config& cfg) {
    topology t = topology::parse(spec);
    for (unsigned d = 0; d < t.dims().size(); ++d)
        t.set_port_config(d, cfg);
    return t;
}

unsigned ring_distance(unsigned a, unsigned b, unsigned n) {
    const unsigned f = (b + n - a) % n;
    return std::min(f, n - f);
}

} // namespace

// ---- global addresses ----

TEST(link, GlobalAddressDecodesChipAndRegion) {
    chip_address a = decode_global(RAINIER_CHIP_APERTURE(5) + 0x1234);
    EXPECT_EQ(a.kind, region::memory);
    EXPECT_EQ(a.chip, 5u);
    EXPECT_EQ(a.offset, 0x1234u);
    a = decode_global(RAINIER_CHIP_SRAM_BASE(63, 7));
    EXPECT_EQ(a.kind, region::memory);
    EXPECT_EQ(a.chip, 63u);
    a = decode_global(RAINIER_CHIP_MMIO_ADDR(9) + RAINIER_CHIP_SEM_OFFSET(1));
    EXPECT_EQ(a.kind, region::mmio);
    EXPECT_EQ(a.chip, 9u);
    EXPECT_EQ(a.offset, uint64_t(RAINIER_CHIP_SEM_OFFSET(1)));
    EXPECT_EQ(decode_global(RAINIER_DRAM_BASE).kind, region::none);
    EXPECT_EQ(decode_global(RAINIER_UART0_BASE).kind, region::none);
    EXPECT_EQ(decode_global(RAINIER_CHIP_APERTURE(RAINIER_MAX_CHIPS)).kind, region::none);
}

// ---- one port ----

TEST(link, PortTransferIsLatencyPlusSerialisationOfPayloadAndHeaders) {
    link_port p("p", port_config{});
    // 4096 B = 16 packets of 256 B; (4096 + 16 * 32) B at 3.90625 ps/B = 18000 ps.
    std::vector<unsigned> pk = p.packetise(4096);
    ASSERT_EQ(pk.size(), 16u);
    std::vector<packet_time> t(pk.size(), packet_time{0, 0});
    p.send(pk, t);
    EXPECT_EQ(t.back().tail, lat + 18000);
    EXPECT_EQ(t.front().head, lat);
    EXPECT_EQ(p.stats().busy_ps, 18000u);
    EXPECT_EQ(p.stats().wire_bytes, 4096u + 16 * 32);
    EXPECT_EQ(p.stats().payload_bytes, 4096u);
    EXPECT_EQ(p.free_at_ps(), 18000u);
    // 1000 B: 3 x 256 + 232; each packet rounds up to a whole ps: 3 * 1125 + ceil(264 *
    // 3.90625 = 1031.25) = 4407.
    pk = p.packetise(1000);
    ASSERT_EQ(pk.size(), 4u);
    EXPECT_EQ(pk.back(), 232u);
    t.assign(4, packet_time{100000, 100000});
    p.send(pk, t);
    EXPECT_EQ(t.back().tail, 100000 + lat + 4407);
}

TEST(link, APacketReadyEarlierTakesTheGapBeforeALaterBookingOfAnotherFlow) {
    link_port p("p", port_config{});
    std::vector<unsigned> pk = p.packetise(256); // one packet, 1125 ps
    std::vector<packet_time> t(1, packet_time{100000, 100000});
    p.send(pk, t, nullptr, false, 1); // flow 1 books 100000..101125 first
    EXPECT_EQ(t[0].head, 100000 + lat);
    t.assign(1, packet_time{0, 0});
    p.send(pk, t, nullptr, false, 2); // flow 2, ready at 0: the wire is free then
    EXPECT_EQ(t[0].head, lat);
    t.assign(1, packet_time{99500, 99500});
    p.send(pk, t, nullptr, false, 2); // 99500..100625 overlaps: after flow 1's packet
    EXPECT_EQ(t[0].head, 101125 + lat);
}

TEST(link, OneFlowsPacketsKeepTheirOrder) {
    // A semaphore increment must not overtake the data it announces: same flow, same order,
    // even where a gap would have let it go first.
    link_port p("p", port_config{});
    std::vector<unsigned> pk = p.packetise(256);
    std::vector<packet_time> t(1, packet_time{50000, 50000});
    p.send(pk, t, nullptr, false, 7);
    t.assign(1, packet_time{0, 0});
    p.send(pk, t, nullptr, false, 7);
    EXPECT_EQ(t[0].head, 50000 + pkt_ser + lat);
}

TEST(link, WriteOverOneLinkCompletesAtLatencyPlusSerialisation) {
    system_tb tb("tb", topology::parse("ring:2"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    const result r = tb.write(0, 1, 4096, 1000);
    EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(r.done, 1000 + lat + 18000);
    // The target saw it when its last packet arrived.
    ASSERT_EQ(tb.mems[1]->arrivals.size(), 1u);
    EXPECT_EQ(tb.mems[1]->arrivals[0], 1000 + lat + 18000);
    // Target latency adds on top (a write completes when its target does).
    tb.mems[1]->latency_ps = 5000;
    EXPECT_EQ(tb.write(0, 1, 256, 1000000).done, 1000000 + lat + pkt_ser + 5000);
}

TEST(link, ConcurrentTransfersShareTheBandwidthInCallOrder) {
    system_tb tb("tb", topology::parse("ring:2"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    // Both issued at 0: the second serialises after the first (18000 ps each).
    EXPECT_EQ(tb.write(0, 1, 4096).done, lat + 18000);
    EXPECT_EQ(tb.write(0, 1, 4096).done, lat + 2 * 18000);
    // The other direction is another port: not shared.
    EXPECT_EQ(tb.write(1, 0, 4096).done, lat + 18000);
    EXPECT_EQ(tb.routers[0]->port(0).stats().transfers, 2u);
    EXPECT_EQ(tb.routers[0]->port(0).stats().busy_ps, 36000u);
}

TEST(link, TransfersFromTwoChipsShareAnIntermediateLink) {
    system_tb tb("tb", topology::parse("ring:4"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    // 0 -> 2 (distance 2, a tie: "+", via chip 1) books 1.x+ from 150000 to 168000 (cut-through:
    // each packet starts on the second hop as its head arrives).
    EXPECT_EQ(tb.write(0, 2, 4096).done, 2 * lat + 18000);
    // 1 -> 2 issued at 150000 finds 1.x+ busy until 168000.
    EXPECT_EQ(tb.write(1, 2, 4096, lat).done, 168000 + 18000 + lat);
}

TEST(link, CreditsLimitThroughputToCreditsPacketsPerRoundTrip) {
    port_config cfg;
    cfg.credits = 4;
    system_tb tb("tb", with_port("ring:2", cfg));
    system_tb big("big", topology::parse("ring:2"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    // A credit returns one round trip after its packet started: 1125 + 2 * 150000 = 301125 ps.
    // 64 packets go in 16 groups of 4 back-to-back packets, one group per round trip; the last
    // starts at 15 * 301125 + 3 * 1125 and arrives 1125 + 150000 later.
    const uint64_t rtt = pkt_ser + 2 * lat;
    const result r = tb.write(0, 1, 64 * 256);
    EXPECT_EQ(r.done, 15 * rtt + 3 * pkt_ser + pkt_ser + lat);
    const link_port& p = tb.routers[0]->port(0);
    EXPECT_EQ(p.stats().peak_in_flight_bytes, 4u * 288);
    // Stalls: groups 1..15 each wait rtt - 4 * 1125 for their first credit.
    EXPECT_EQ(p.stats().credit_stall_ps, 15 * (rtt - 4 * pkt_ser));
    // Sustained rate: credits * payload / round trip, here 4 * 256 B / 301.125 ns = 3.4 GB/s.
    const result r2 = tb.write(0, 1, 1024 * 256, r.done);
    const double rate = 1024.0 * 256 / (double(r2.done - r.done) * 1e-12);
    EXPECT_NEAR(rate, 4 * 256 / (double(rtt) * 1e-12), 0.01 * 3.4e9);
    // Enough credits (the default 512 > 301125 / 1125): no stall, link rate.
    EXPECT_EQ(big.write(0, 1, 64 * 256).done, lat + 64 * pkt_ser);
    EXPECT_EQ(big.routers[0]->port(0).stats().credit_stall_ps, 0u);
}

TEST(link, BytesInFlightCountsUnacknowledgedPackets) {
    link_port p("p", port_config{});
    std::vector<unsigned> pk = p.packetise(1024); // 4 packets
    std::vector<packet_time> t(pk.size());
    p.send(pk, t);
    // Packet i starts at i * 1125; its credit is back at (i + 1) * 1125 + 300000.
    EXPECT_EQ(p.bytes_in_flight(0), 288u);
    EXPECT_EQ(p.bytes_in_flight(4000), 4u * 288);
    EXPECT_EQ(p.bytes_in_flight(301125), 3u * 288);
    EXPECT_EQ(p.bytes_in_flight(304500), 0u);
    EXPECT_EQ(p.stats().peak_in_flight_bytes, 4u * 288);
}

TEST(link, BadPortConfigIsRejected) {
    port_config c;
    c.bandwidth = 0;
    EXPECT_THROW(link_port("p", c), std::invalid_argument);
    c = {};
    c.credits = 0;
    try {
        topology::parse("ring:4").set_port_config(0, c);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("credits"), std::string::npos) << e.what();
    }
}

// ---- topologies and routes ----

TEST(link, TopologyStringsParse) {
    topology s = topology::parse("single");
    EXPECT_EQ(s.chips(), 1u);
    EXPECT_TRUE(s.ports(0).empty());
    EXPECT_EQ(s.route_table(0), std::vector<int>{route_local});
    topology r1 = topology::parse("ring:1");
    EXPECT_EQ(r1.chips(), 1u);
    EXPECT_TRUE(r1.ports(0).empty());
    topology r2 = topology::parse("ring:2");
    ASSERT_EQ(r2.ports(0).size(), 1u); // one link between the pair
    EXPECT_EQ(r2.ports(0)[0].neighbour, 1u);
    EXPECT_EQ(r2.ports(1)[0].neighbour, 0u);
    EXPECT_EQ(r2.ports(0)[0].name, "x");
    EXPECT_EQ(r2.hops(0, 1), 1);
    EXPECT_EQ(r2.hops(1, 0), 1);
    topology t = topology::parse("torus2d:4x4");
    EXPECT_EQ(t.chips(), 16u);
    ASSERT_EQ(t.ports(0).size(), 4u);
    EXPECT_EQ(t.ports(0)[0].name, "x+");
    EXPECT_EQ(t.ports(0)[1].neighbour, 3u);  // x- wraps
    EXPECT_EQ(t.ports(0)[3].neighbour, 12u); // y- wraps
    EXPECT_EQ(t.ports(0)[3].neighbour_port, 2u);
    double per_chip = 0;
    for (const auto& p : t.ports(5))
        per_chip += t.port_cfg(5, p.index).bandwidth;
    EXPECT_EQ(per_chip, 1024e9);
    topology u = topology::parse("ultra:4x4x4");
    EXPECT_EQ(u.chips(), 64u);
    ASSERT_EQ(u.ports(0).size(), 6u);
    EXPECT_EQ(u.ports(0)[4].name, "z+");
    EXPECT_EQ(u.ports(0)[4].neighbour, 16u);
    EXPECT_EQ(u.ports(0)[5].neighbour, 48u);
    EXPECT_EQ(u.port_cfg(0, 4).bandwidth + u.port_cfg(0, 5).bandwidth, 256e9);
}

TEST(link, BadTopologyStringsSayWhatAndWhere) {
    const std::pair<const char*, const char*> cases[] = {
        {"mesh:4", "unknown kind 'mesh'"},
        {"ring", "'ring' needs its size: ring:N"},
        {"ring:", "'ring' needs its size"},
        {"ring:0", "dimension x ('0') has no chips"},
        {"ring:-3", "dimension x ('-3') is not a number"},
        {"ring:65", "more than RAINIER_MAX_CHIPS"},
        {"torus2d:4", "expected torus2d:XxY, got 1 number(s) in '4'"},
        {"torus2d:4x", "dimension y ('') is not a number"},
        {"torus2d:4xq", "dimension y ('q') is not a number"},
        {"torus2d:8x16", "128 chips, more than RAINIER_MAX_CHIPS"},
        {"ultra:4x4", "expected ultra:XxYxZ"},
        {"single:2", "'single' takes no argument"},
    };
    for (const auto& [spec, msg] : cases) {
        try {
            topology::parse(spec);
            ADD_FAILURE() << spec << " parsed";
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(std::string("topology '") + spec + "'"), std::string::npos) << what;
            EXPECT_NE(what.find(msg), std::string::npos) << what;
        }
    }
    topology t = topology::parse("ring:4");
    EXPECT_THROW(t.mark_down(4, 0), std::invalid_argument);
    EXPECT_THROW(t.mark_down(0, 2), std::invalid_argument);
}

TEST(link, Ring8RoutesTheShortestWayTiesByParity) {
    const topology t = topology::parse("ring:8");
    for (unsigned a = 0; a < 8; ++a)
        for (unsigned b = 0; b < 8; ++b) {
            const unsigned fwd = (b + 8 - a) % 8;
            EXPECT_EQ(t.hops(a, b), int(std::min(fwd, 8 - fwd))) << a << "->" << b;
            const bool plus = fwd < 4 || (fwd == 4 && a % 2 == 0); // half way: + from even
            const int want = a == b ? route_local : plus ? 0 /* x+ */ : 1 /* x- */;
            EXPECT_EQ(t.route_table(a)[b], want) << a << "->" << b;
        }
}

// Every chip sending to every other (an all-to-all, the direct all-reduce's exchange) crosses
// each port equally often where ties can split evenly (half a ring even: 4, 8, the 4x4 torus).
TEST(link, AllToAllLoadsEveryPortAlike) {
    for (const char* spec : {"ring:4", "ring:8", "torus2d:4x4"}) {
        const topology t = topology::parse(spec);
        std::map<std::pair<unsigned, unsigned>, unsigned> uses;
        for (unsigned a = 0; a < t.chips(); ++a)
            for (unsigned b = 0; b < t.chips(); ++b) {
                std::vector<topology::hop> p;
                if (a == b) continue;
                ASSERT_TRUE(t.path(a, b, p));
                for (const topology::hop& h : p)
                    ++uses[{h.chip, h.port}];
            }
        const unsigned first = uses.begin()->second;
        EXPECT_EQ(uses.size(), t.chips() * t.ports(0).size()) << spec;
        for (const auto& u : uses)
            EXPECT_EQ(u.second, first)
                << spec << ": chip " << u.first.first << " port " << u.first.second;
    }
}

TEST(link, Torus4x4HopsAreWrappedManhattanDistanceXFirst) {
    const topology t = topology::parse("torus2d:4x4");
    for (unsigned a = 0; a < 16; ++a)
        for (unsigned b = 0; b < 16; ++b) {
            const unsigned ax = a % 4, ay = a / 4, bx = b % 4, by = b / 4;
            EXPECT_EQ(t.hops(a, b), int(ring_distance(ax, bx, 4) + ring_distance(ay, by, 4)));
            if (a == b) continue;
            const int port = t.route_table(a)[b];
            EXPECT_EQ(t.ports(a)[unsigned(port)].dim, ax != bx ? 0u : 1u) << a << "->" << b;
        }
    std::vector<topology::hop> p;
    ASSERT_TRUE(t.path(0, 10, p)); // (0,0) -> (2,2): x+ x+ y+ y+
    ASSERT_EQ(p.size(), 4u);
    EXPECT_EQ(p[0].chip, 0u);
    EXPECT_EQ(p[1].chip, 1u);
    EXPECT_EQ(p[2].chip, 2u);
    EXPECT_EQ(p[3].chip, 6u);
}

TEST(link, Ultra64HopsAreWrappedManhattanDistanceInThreeDimensions) {
    const topology t = topology::parse("ultra:4x4x4");
    unsigned longest = 0;
    for (unsigned a = 0; a < 64; ++a)
        for (unsigned b = 0; b < 64; ++b) {
            unsigned d = 0;
            for (unsigned k = 0, sa = a, sb = b; k < 3; ++k, sa /= 4, sb /= 4)
                d += ring_distance(sa % 4, sb % 4, 4);
            ASSERT_EQ(t.hops(a, b), int(d)) << a << "->" << b;
            longest = std::max(longest, d);
        }
    EXPECT_EQ(longest, 6u);
}

TEST(link, DownLinkOnARingRoutesTheOtherWayRound) {
    topology t = topology::parse("ring:8");
    t.mark_down(0, 0); // the link 0 - 1, both directions
    EXPECT_FALSE(t.ports(1)[1].up);
    // The ring becomes the line 1 - 2 - ... - 7 - 0: every route has the line's length.
    auto pos = [](unsigned c) { return (c + 7) % 8; };
    for (unsigned a = 0; a < 8; ++a)
        for (unsigned b = 0; b < 8; ++b)
            EXPECT_EQ(t.hops(a, b), std::abs(int(pos(a)) - int(pos(b)))) << a << "->" << b;
    EXPECT_EQ(t.route_table(0)[1], 1); // x-, the long way

    system_tb tb("tb", t);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    // 7 hops instead of 1, cut-through: 7 * 150000 + 18000.
    const result r = tb.write(0, 1, 4096);
    EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(r.done, 7 * lat + 18000);
    EXPECT_EQ(tb.routers[0]->port(0).stats().packets, 0u);
}

TEST(link, DownLinkOnATorusTakesAnotherShortestPath) {
    topology t = topology::parse("torus2d:4x4");
    t.mark_down(0, 0); // (0,0) - (1,0)
    // 0 -> 1 now needs 3 hops (e.g. y, x, y), 0 -> 5 still 2 (y first).
    EXPECT_EQ(t.hops(0, 1), 3);
    EXPECT_EQ(t.hops(0, 5), 2);
    EXPECT_EQ(t.ports(0)[unsigned(t.route_table(0)[5])].dim, 1u);
    // Routes elsewhere keep dimension order.
    EXPECT_EQ(t.hops(5, 10), 2);
    for (unsigned a = 0; a < 16; ++a)
        for (unsigned b = 0; b < 16; ++b)
            EXPECT_GE(t.hops(a, b), 0);
}

TEST(link, NoPathLeftMeansAQuickErrorNotAHang) {
    topology r2 = topology::parse("ring:2");
    r2.mark_down(0, 0);
    EXPECT_EQ(r2.hops(0, 1), -1);
    topology r8 = topology::parse("ring:8");
    r8.mark_down(0, 0);
    r8.mark_down(0, 1); // chip 0 cut off
    system_tb a("a", r2);
    system_tb b("b", r8);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    result r = a.write(0, 1, 4096, 777);
    EXPECT_EQ(r.status, tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(r.done, 777u); // known at the source
    r = b.read(3, 0, 64, 10);
    EXPECT_EQ(r.status, tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(r.done, 10u);
    EXPECT_EQ(b.write(5, 0, 64).status, tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(b.write(5, 1, 64).status, tlm::TLM_OK_RESPONSE); // the rest still works
    EXPECT_TRUE(b.mems[0]->arrivals.empty());
}

TEST(link, PortTakenDownAtRunTimeFailsWhereTheHeaderFindsIt) {
    system_tb tb("tb", topology::parse("ring:8"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    tb.routers[1]->port(1).set_up(false); // 1.x-: the route tables do not know
    // 3 -> 0 goes 3 -> 2 -> 1; the first header reaches chip 1 at 2 * 150000, and a 32-byte
    // error response goes back 1 -> 2 -> 3: 2 * 150000 + 125.
    const result r = tb.write(3, 0, 4096);
    EXPECT_EQ(r.status, tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(r.done, 2 * lat + 2 * lat + hdr_ser);
    EXPECT_EQ(tb.routers[1]->stats().errors, 1u);
}

// ---- multi-hop ----

TEST(link, MultiHopWriteIsHopsTimesLatencyPlusSerialisation) {
    system_tb tb("tb", topology::parse("ring:8"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    EXPECT_EQ(tb.write(0, 3, 4096).done, 3 * lat + 18000);
    for (unsigned c = 0; c < 3; ++c)
        EXPECT_EQ(tb.routers[c]->port(0).stats().packets, 16u);
    EXPECT_EQ(tb.routers[0]->stats().sent, 1u);
    EXPECT_EQ(tb.routers[1]->stats().forwarded, 1u);
    EXPECT_EQ(tb.routers[3]->stats().delivered, 1u);
}

TEST(link, MultiHopReadIsARequestThereAndDataBack) {
    system_tb tb("tb", topology::parse("ring:8"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    std::vector<uint8_t> data(4096), back(4096);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = uint8_t(i * 7);
    // Data written over the links is what is read back over them.
    tb.access(2, tlm::TLM_WRITE_COMMAND, hbm(3, 64), data.data(), 4096);
    // A 32-byte request: 3 * 150000 + 125 to chip 3; 16 data packets back: 3 * 150000 + 18000.
    const result r = tb.access(0, tlm::TLM_READ_COMMAND, hbm(3, 64), back.data(), 4096, 1000000);
    EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(r.done, 1000000 + 3 * lat + hdr_ser + 3 * lat + 18000);
    EXPECT_EQ(back, data);
    // The data came back over the x- ports of 3, 2, 1.
    for (unsigned c = 1; c <= 3; ++c)
        EXPECT_EQ(tb.routers[c]->port(1).stats().payload_bytes, 4096u);
}

TEST(link, MultiHopOverTorusAndSlowerRingHops) {
    system_tb t("t", topology::parse("torus2d:4x4"));
    system_tb u("u", topology::parse("ultra:4x4x4"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    EXPECT_EQ(t.write(0, 10, 4096).done, 4 * lat + 18000); // (0,0) -> (2,2)
    EXPECT_EQ(t.write(0, 15, 4096).done, 2 * lat + 18000); // (3,3): both wrap
    // z ports run at 128 GB/s: a packet takes 2250 ps.
    EXPECT_EQ(u.write(0, 16, 4096).done, lat + 16 * 2250);
    // x then z: the slower second hop sets the pace (cut-through): 2 * 150000 + 16 * 2250.
    EXPECT_EQ(u.write(0, 17, 4096).done, 2 * lat + 16 * 2250);
    // The farthest chip, 6 hops: (2,2,2); one packet: 6 * 150000 + the slowest hop's 2250.
    EXPECT_EQ(u.write(0, 42, 256, 1000000).done, 1000000 + 6 * lat + 2250);
}

TEST(link, LaterTransfersOnAPathArriveAfterEarlierOnes) {
    system_tb tb("tb", topology::parse("ring:8"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    // Data then a semaphore increment, issued at the same time: the port keeps their order.
    tb.write(0, 2, 4096);
    uint32_t one = 1;
    const uint64_t sem =
        RAINIER_CHIP_MMIO_ADDR(2) + RAINIER_CHIP_SEM_OFFSET(0) + RAINIER_SEM_INC(0);
    const result r = tb.access(0, tlm::TLM_WRITE_COMMAND, sem, &one, 4);
    EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(tb.mems[2]->arrivals.size(), 2u);
    EXPECT_LT(tb.mems[2]->arrivals[0], tb.mems[2]->arrivals[1]);
}

TEST(link, LocalAndHostAddressesBypassTheLinks) {
    system_tb tb("tb", topology::parse("ring:4"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    EXPECT_EQ(tb.write(1, 1, 4096, 50).done, 50u); // the memory has no latency
    uint64_t x = 0;
    result r = tb.access(1, tlm::TLM_WRITE_COMMAND, RAINIER_DRAM_BASE, &x, 8);
    EXPECT_EQ(r.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(tb.hosts[1]->calls, 1u);
    // A chip the system does not have.
    r = tb.access(1, tlm::TLM_WRITE_COMMAND, hbm(4), &x, 8);
    EXPECT_EQ(r.status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    for (unsigned p = 0; p < tb.routers[1]->ports(); ++p)
        EXPECT_EQ(tb.routers[1]->port(p).stats().packets, 0u);
    // Debug accesses follow the routes, untimed.
    std::vector<uint8_t> v(16, 3), w(16);
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_WRITE_COMMAND);
    t.set_address(hbm(3, 8));
    t.set_data_ptr(v.data());
    t.set_data_length(16);
    EXPECT_EQ((*tb.dma[1])->transport_dbg(t), 16u);
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_data_ptr(w.data());
    EXPECT_EQ((*tb.dma[0])->transport_dbg(t), 16u);
    EXPECT_EQ(v, w);
}

TEST(link, WorksFromAThreadWithATargetThatWaits) {
    system_tb tb("tb", topology::parse("ring:8"));
    tb.mems[3]->sync = true;
    result w, r;
    sc_core::sc_spawn([&] {
        w = tb.write(0, 3, 4096, 1000);
        r = tb.read(0, 3, 256);
    });
    sc_core::sc_start();
    EXPECT_EQ(w.status, tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(w.done, 1000 + 3 * lat + 18000);
    // Issued at the write's completion: a request there, one data packet back.
    EXPECT_EQ(r.done, w.done + 3 * lat + hdr_ser + 3 * lat + pkt_ser);
    EXPECT_EQ(sc_core::sc_time_stamp().value(), w.done + 3 * lat + hdr_ser);
}

// ---- determinism ----

namespace {
std::vector<uint64_t> random_traffic(system_tb& tb, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<uint64_t> out;
    uint64_t issue = 0;
    std::vector<uint8_t> buf(8192);
    for (int i = 0; i < 2000; ++i) {
        issue += rng() % 20000;
        const unsigned src = rng() % tb.topo.chips(), dst = rng() % tb.topo.chips();
        const unsigned len = 1 + rng() % 8192;
        for (auto& b : buf)
            b = uint8_t(rng());
        const auto cmd = rng() % 3 ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND;
        const result r = tb.access(src, cmd, hbm(dst, rng() % 65536), buf.data(), len, issue);
        out.push_back(r.done);
        out.push_back(r.status);
    }
    for (auto& r : tb.routers)
        for (unsigned p = 0; p < r->ports(); ++p) {
            const auto& s = r->port(p).stats();
            out.insert(out.end(), {s.packets, s.wire_bytes, s.busy_ps, s.credit_stall_ps,
                                   s.peak_in_flight_bytes, s.last_end_ps});
        }
    return out;
}
} // namespace

TEST(link, SameTrafficGivesTheSameTimesAndCounters) {
    port_config small;
    small.credits = 8; // so that back-pressure is exercised too
    topology t = with_port("torus2d:4x4", small);
    t.mark_down(5, 2);
    system_tb a("a", t), b("b", t);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    const std::vector<uint64_t> ra = random_traffic(a, 42), rb = random_traffic(b, 42);
    EXPECT_EQ(ra, rb);
    // Every transfer succeeded (a link is down, but there is always another way).
    for (size_t i = 1; i < 4000; i += 2)
        ASSERT_EQ(ra[i], uint64_t(tlm::TLM_OK_RESPONSE));
}

TEST(link, TimelineHasARowPerPortAndASlicePerTransfer) {
    const std::string path = testing::TempDir() + "link_timeline.json";
    {
        rainier::timeline tl(path);
        system_tb tb("tb", topology::parse("ring:3"));
        for (unsigned c = 0; c < 3; ++c)
            tb.routers[c]->attach_probes({nullptr, &tl}, "chip" + std::to_string(c));
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
        tb.write(0, 1, 4096);
        tb.read(0, 2, 512);
        tl.close();
    }
    std::ifstream f(path);
    const std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_NE(s.find("link.x+"), std::string::npos);
    EXPECT_NE(s.find("link.x-"), std::string::npos);
    EXPECT_NE(s.find("\"request\""), std::string::npos);
    EXPECT_NE(s.find("\"response\""), std::string::npos);
}
