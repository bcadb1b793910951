// One direction of a NeuronLink link, as a timing resource (no SystemC, times in ps): packets
// of at most `max_payload` bytes plus a header, serialised at `bandwidth`, then `latency` on
// the wire. Transfers from several initiators share the wire in time order: each packet takes
// the first gap at or after it is ready (core/busy_calendar.h; callers book ahead of simulated
// time by different amounts), and the packets of one flow (one initiator) keep their order.
// Credit-based back-pressure: the receiver buffers `credits` packets; packet k may start only
// once the credit of packet k - credits is back (the receiver drained that packet into its
// next hop or its target, plus `latency` for the credit to return). Virtual cut-through: a
// packet may start before its tail has arrived here, as long as it does not finish before.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/busy_calendar.h"

namespace rainier::link {

struct port_config {
    double bandwidth = 256e9;   // bytes/s, this direction
    double latency_s = 150e-9;  // one hop: SerDes, wire, receiver pipeline
    unsigned max_payload = 256; // bytes per packet
    unsigned header_bytes = 32; // per packet, on the wire
    unsigned credits = 512;     // receiver buffer, in packets
};
// Throws std::invalid_argument naming `who` and the field.
void validate(const port_config& cfg, const std::string& who);

// When a packet's first and last byte are available at some point of its way (ps).
struct packet_time {
    uint64_t head = 0;
    uint64_t tail = 0;
};

class link_port {
public:
    struct statistics {
        uint64_t transfers = 0, packets = 0;
        uint64_t payload_bytes = 0, wire_bytes = 0;
        uint64_t busy_ps = 0;         // serialising
        uint64_t credit_stall_ps = 0; // packets ready and the wire free, but no credit
        uint64_t peak_in_flight_bytes = 0;
        uint64_t first_start_ps = UINT64_MAX, last_end_ps = 0;
    };

    link_port(std::string name, const port_config& cfg);

    const std::string& name() const { return m_name; }
    const port_config& cfg() const { return m_cfg; }
    uint64_t latency_ps() const { return m_latency; }
    uint64_t serialisation_ps(uint64_t wire_bytes) const;
    // Packets a transfer of `bytes` is split into (at least one: a read request has none).
    std::vector<unsigned> packetise(uint64_t bytes) const;

    bool up() const { return m_up; }
    void set_up(bool up) { m_up = up; }

    // Books one transfer's packets in call order. t[i]: in, when packet i is available at this
    // sender; out, when it arrives at the receiver. sent_end (optional): when each packet's
    // tail left this sender. drain_follows: the caller will report drained() for these
    // packets, so their credit times are provisional until then. Returns the sequence number
    // of the first packet, for drained().
    // flow: packets of one flow start in call order (an initiator's writes and the semaphore
    // increment that announces them).
    uint64_t send(const std::vector<unsigned>& payload, std::vector<packet_time>& t,
                  std::vector<uint64_t>* sent_end = nullptr, bool drain_follows = false,
                  uint64_t flow = 0);
    // No packet sent from now on is ready before now_ps: lets the port forget its past.
    void advance(uint64_t now_ps);
    // The receiver drained packets first_seq.. at these times (later than assumed by send(),
    // which takes "drained on arrival"); their credits return `latency` after.
    void drained(uint64_t first_seq, const std::vector<uint64_t>& when);

    uint64_t free_at_ps() const { return m_wire.last_end(); } // end of the latest booking
    // Wire bytes sent and not yet acknowledged by a credit at time `at`.
    uint64_t bytes_in_flight(uint64_t at_ps) const;
    // peak_in_flight_bytes covers every packet sent so far, credits as currently known.
    const statistics& stats() const;

    // History for a waveform: `observer` gets each change of bytes in flight and of busy
    // (serialising), in time order, once it is final. Packets are booked ahead of simulated
    // time and credits come back later still, so changes become final late: settle(now)
    // reports those before the returned time (at least min(now, the earliest provisional
    // credit)); settle_all() reports the rest, provisional credits as they stand (end of run).
    using observer = std::function<void(uint64_t at_ps, uint64_t bytes_in_flight, bool busy)>;
    void observe(observer o) { m_observer = std::move(o); }
    uint64_t settle(uint64_t now_ps);
    void settle_all();

private:
    struct in_flight {
        uint64_t seq, start, credit_back, bytes;
    };
    std::string m_name;
    port_config m_cfg;
    double m_ps_per_byte;
    uint64_t m_latency;
    bool m_up = true;
    busy_calendar m_wire;
    std::unordered_map<uint64_t, uint64_t> m_flow_end; // flow -> end of its last packet
    uint64_t m_now = 0;
    uint64_t m_seq = 0;                // next packet's sequence number
    std::vector<uint64_t> m_credit;    // slot seq % credits: when its credit is back
    std::deque<in_flight> m_in_flight; // at most `credits` packets, in sequence order
    statistics m_stats;
    mutable statistics m_stats_view; // m_stats with the peak of the unsettled changes

    // Bytes in flight and busy as a step function: changes by time (+bytes at a packet's
    // start, -bytes when its credit is back; busy +1/-1 around serialisation, only when
    // observed). Changes before m_settled are folded into the levels and the peak: packets
    // start at or after m_now (advance()), and only provisional credits move, and only later.
    struct step {
        int64_t bytes = 0;
        int busy = 0;
    };
    void add_step(uint64_t at, int64_t bytes, int busy);
    void fold(uint64_t before);
    std::map<uint64_t, step> m_steps;
    std::map<uint64_t, uint64_t> m_provisional; // first seq awaiting drained() -> its credit
    uint64_t m_settled = 0;
    uint64_t m_level_bytes = 0;
    int m_level_busy = 0;
    observer m_observer;
};

} // namespace rainier::link
