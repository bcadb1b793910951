#include "dma_engine.h"

#include <cstdio>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>

#include "link/global_address.h"
#include "rainier/hw/chip.h"
#include "rainier/hw/neuroncore.h"

namespace rainier {

namespace {
constexpr uint64_t stage_bytes = 256 * 1024; // staging ring between reads and writes
constexpr unsigned qregs_per_queue = 0x40 / 4;
} // namespace

dma_engine::dma_engine(sc_core::sc_module_name name, const dma_engine_config& cfg)
    : sc_module(name), regs("regs"), out("out"), m_cfg(cfg), m_regs(this->name()),
      m_queues(cfg.queues), m_stage(stage_bytes) {
    if (cfg.queues == 0 || cfg.queues > RAINIER_DMA_MAX_QUEUES)
        throw std::invalid_argument(std::string(this->name()) + ": queues must be 1..16");
    if (!(cfg.bandwidth > 0) || cfg.outstanding == 0 || cfg.request_bytes == 0)
        throw std::invalid_argument(std::string(this->name()) + ": bandwidth/outstanding/request");
    regs.register_b_transport(this, &dma_engine::b_transport);
    regs.register_transport_dbg(this, &dma_engine::transport_dbg);

    m_regs.add(reg_def("ID", RAINIER_DMA_ID, 4, reg_access::read_only).reset_to(cfg.id));
    m_regs.add(reg_def("NUM_QUEUES", RAINIER_DMA_NUM_QUEUES, 4, reg_access::read_only)
                   .reset_to(cfg.queues));
    m_regs.add(reg_def("STATUS", RAINIER_DMA_STATUS, 4, reg_access::read_only));
    m_regs.add(reg_def("IRQ_STATUS", RAINIER_DMA_IRQ_STATUS, 4).writes([this](uint64_t v) {
        // Write one to clear: the bank stored v, so rebuild from the value before.
        *m_irq_status = m_irq_shadow & ~v;
        m_irq_shadow = *m_irq_status;
        update_irq();
    }));
    m_regs.add(reg_def("IRQ_ENABLE", RAINIER_DMA_IRQ_ENABLE, 4).writes([this](uint64_t v) {
        *m_irq_enable = v & 0xffffffffu;
        update_irq();
    }));
    m_qregs.assign(size_t(cfg.queues) * qregs_per_queue, nullptr);
    for (unsigned q = 0; q < cfg.queues; ++q) {
        const std::string p = "Q" + std::to_string(q) + "_";
        const uint64_t b = RAINIER_DMA_QUEUE(q);
        m_regs.add(reg_def(p + "BASE", b + RAINIER_DMA_Q_BASE, 8));
        m_regs.add(reg_def(p + "SIZE", b + RAINIER_DMA_Q_SIZE, 4));
        m_regs.add(reg_def(p + "CTRL", b + RAINIER_DMA_Q_CTRL, 4).writes([this](uint64_t) {
            m_doorbell.notify(sc_core::SC_ZERO_TIME);
        }));
        m_regs.add(reg_def(p + "HEAD", b + RAINIER_DMA_Q_HEAD, 4, reg_access::read_only));
        m_regs.add(reg_def(p + "TAIL", b + RAINIER_DMA_Q_TAIL, 4));
        m_regs.add(reg_def(p + "DOORBELL", b + RAINIER_DMA_Q_DOORBELL, 4, reg_access::write_only)
                       .writes([this, q](uint64_t) { doorbell(q); }));
        m_regs.add(reg_def(p + "COMPLETED", b + RAINIER_DMA_Q_COMPLETED, 4, reg_access::read_only));
        m_regs.add(reg_def(p + "ERROR", b + RAINIER_DMA_Q_ERROR, 4));
        m_regs.add(
            reg_def(p + "ERROR_INDEX", b + RAINIER_DMA_Q_ERROR_INDEX, 4, reg_access::read_only));
        m_regs.add(
            reg_def(p + "ERROR_COUNT", b + RAINIER_DMA_Q_ERROR_COUNT, 4, reg_access::read_only));
        m_regs.add(reg_def(p + "LAST_TAG", b + RAINIER_DMA_Q_LAST_TAG, 4, reg_access::read_only));
        for (const char* r : {"BASE", "SIZE", "CTRL", "HEAD", "TAIL", "COMPLETED", "ERROR",
                              "ERROR_INDEX", "ERROR_COUNT", "LAST_TAG"}) {
            static const std::pair<const char*, unsigned> offs[] = {
                {"BASE", RAINIER_DMA_Q_BASE},
                {"SIZE", RAINIER_DMA_Q_SIZE},
                {"CTRL", RAINIER_DMA_Q_CTRL},
                {"HEAD", RAINIER_DMA_Q_HEAD},
                {"TAIL", RAINIER_DMA_Q_TAIL},
                {"COMPLETED", RAINIER_DMA_Q_COMPLETED},
                {"ERROR", RAINIER_DMA_Q_ERROR},
                {"ERROR_INDEX", RAINIER_DMA_Q_ERROR_INDEX},
                {"ERROR_COUNT", RAINIER_DMA_Q_ERROR_COUNT},
                {"LAST_TAG", RAINIER_DMA_Q_LAST_TAG}};
            for (const auto& [n, o] : offs)
                if (std::strcmp(n, r) == 0)
                    m_qregs[q * qregs_per_queue + o / 4] = &m_regs.value(p + r);
        }
    }
    m_irq_status = &m_regs.value("IRQ_STATUS");
    m_irq_enable = &m_regs.value("IRQ_ENABLE");
    m_status = &m_regs.value("STATUS");
    m_ps_per_byte = 1e12 / cfg.bandwidth;
    m_rslots.assign(cfg.outstanding, sc_core::SC_ZERO_TIME);
    m_wslots.assign(cfg.outstanding, sc_core::SC_ZERO_TIME);
    m_setup = sc_core::sc_time::from_seconds(cfg.setup_s);
    m_lookahead = sc_core::sc_time::from_seconds(cfg.lookahead_s);
    m_trans.set_streaming_width(0);
    SC_HAS_PROCESS(dma_engine);
    SC_THREAD(run);
    SC_THREAD(retire);
}

uint64_t& dma_engine::qreg(unsigned q, unsigned offset) {
    return *m_qregs[q * qregs_per_queue + offset / 4];
}

void dma_engine::update_irq() {
    irq.write((*m_irq_status & *m_irq_enable) != 0);
}

void dma_engine::raise(uint32_t bits) {
    m_irq_shadow |= bits;
    *m_irq_status = m_irq_shadow;
    update_irq();
}

void dma_engine::doorbell(unsigned q) {
    const uint32_t head = static_cast<uint32_t>(qreg(q, RAINIER_DMA_Q_HEAD));
    const uint32_t tail = static_cast<uint32_t>(qreg(q, RAINIER_DMA_Q_TAIL));
    const uint32_t size = static_cast<uint32_t>(qreg(q, RAINIER_DMA_Q_SIZE));
    if (uint32_t(tail - head) > size) {
        qreg(q, RAINIER_DMA_Q_TAIL) = m_queues[q].accepted_tail;
        qreg(q, RAINIER_DMA_Q_ERROR) = RAINIER_DMA_ERR_RING_OVERRUN;
        qreg(q, RAINIER_DMA_Q_ERROR_INDEX) = tail;
        qreg(q, RAINIER_DMA_Q_ERROR_COUNT) = (qreg(q, RAINIER_DMA_Q_ERROR_COUNT) + 1) & 0xffffffffu;
        raise(RAINIER_DMA_IRQ_ERROR(q));
        return;
    }
    m_queues[q].accepted_tail = tail;
    m_doorbell.notify(m_access_delay);
}

void dma_engine::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    m_access_delay = delay;
    m_regs.transport(trans, false);
}

unsigned dma_engine::transport_dbg(tlm::tlm_generic_payload& trans) {
    return m_regs.transport_dbg(trans);
}

uint32_t dma_engine::next_index(unsigned q) {
    return static_cast<uint32_t>(qreg(q, RAINIER_DMA_Q_HEAD)) + m_queues[q].in_flight;
}

void dma_engine::fetch_head(unsigned q) {
    queue& s = m_queues[q];
    if (s.fetched) return;
    const uint32_t head = next_index(q);
    const uint32_t size = static_cast<uint32_t>(qreg(q, RAINIER_DMA_Q_SIZE));
    const uint64_t at = qreg(q, RAINIER_DMA_Q_BASE) + uint64_t(head % size) * RAINIER_DMA_DESC_SIZE;
    s.desc = rainier_dma_desc{};
    sc_core::sc_time done;
    unsigned err = RAINIER_DMA_ERR_NONE;
    s.fetch_error = !request(tlm::TLM_READ_COMMAND, at, reinterpret_cast<uint8_t*>(&s.desc),
                             sizeof s.desc, sc_core::sc_time_stamp(), done, err);
    s.fetch_done = done;
    s.fetched = true;
}

bool dma_engine::waits(const queue& s) const {
    const rainier_dma_desc& d = s.desc;
    return !s.fetch_error && m_sems && (d.flags & RAINIER_DMA_FLAG_WAIT) &&
           d.wait_sem < RAINIER_SEM_COUNT && m_sems->value(d.wait_sem) < d.wait_value;
}

int dma_engine::pick_queue() {
    // Round-robin over queues with work whose head descriptor may start now; a descriptor
    // waiting on a semaphore holds back only its own queue.
    const unsigned n = m_cfg.queues;
    for (unsigned i = 0; i < n; ++i) {
        const unsigned q = (m_rr + i) % n;
        if (!(qreg(q, RAINIER_DMA_Q_CTRL) & RAINIER_DMA_Q_CTRL_ENABLE)) continue;
        if (qreg(q, RAINIER_DMA_Q_SIZE) == 0) continue;
        if (next_index(q) == m_queues[q].accepted_tail) continue;
        fetch_head(q);
        if (waits(m_queues[q])) continue;
        m_rr = (q + 1) % n;
        return static_cast<int>(q);
    }
    return -1;
}

void dma_engine::run() {
    for (;;) {
        const int q = pick_queue();
        if (q < 0) {
            if (m_sems)
                wait(m_doorbell | m_sems->changed());
            else
                wait(m_doorbell);
            continue;
        }
        process(static_cast<unsigned>(q));
    }
}

bool dma_engine::request(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                         const sc_core::sc_time& issue, sc_core::sc_time& done, unsigned& err,
                         tlm::tlm_generic_payload* trans) {
    // Times are absolute; the bus sees the issue time as an annotated delay.
    tlm::tlm_generic_payload& tr = trans ? *trans : m_trans;
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    tr.set_command(cmd);
    tr.set_address(addr);
    tr.set_data_ptr(data);
    tr.set_data_length(len);
    tr.set_streaming_width(len);
    tr.set_byte_enable_ptr(nullptr);
    tr.set_dmi_allowed(false);
    tr.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = issue > now ? issue - now : sc_core::SC_ZERO_TIME;
    out->b_transport(tr, delay);
    ++m_requests;
    if (!tr.is_response_ok()) {
        err = tr.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE ? RAINIER_DMA_ERR_ADDRESS
                                                                          : RAINIER_DMA_ERR_BUS;
        return false;
    }
    done = sc_core::sc_time_stamp() + delay; // a target may have waited (a remote register)
    return true;
}

void dma_engine::catch_up(const sc_core::sc_time& issue) {
    // Run at most `lookahead` ahead of simulated time, so that requests of all engines reach
    // the memories roughly in time order.
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (issue > now + m_lookahead) wait(issue - now);
}

unsigned dma_engine::validate(const rainier_dma_desc& d) const {
    const unsigned e = d.elem_size;
    if (e != 1 && e != 2 && e != 4) return RAINIER_DMA_ERR_ELEM_SIZE;
    if ((d.flags & ~RAINIER_DMA_FLAGS_ALL) ||
        ((d.flags & RAINIER_DMA_FLAG_SEM) && d.sem_id >= RAINIER_SEM_COUNT) ||
        ((d.flags & RAINIER_DMA_FLAG_WAIT) && d.wait_sem >= RAINIER_SEM_COUNT))
        return RAINIER_DMA_ERR_FLAGS;
    uint64_t ns = 1, nd = 1;
    for (int i = 0; i < RAINIER_DMA_DIMS; ++i) {
        if (d.src_count[i] == 0 || d.dst_count[i] == 0) return RAINIER_DMA_ERR_ZERO_SIZE;
        ns *= d.src_count[i];
        nd *= d.dst_count[i];
    }
    if (ns != nd) return RAINIER_DMA_ERR_COUNT_MISMATCH;
    if ((d.flags & RAINIER_DMA_FLAG_ADD) && e == 1) return RAINIER_DMA_ERR_ADD;
    if (d.src % e || d.dst % e) return RAINIER_DMA_ERR_MISALIGNED;
    for (int i = 0; i < RAINIER_DMA_DIMS; ++i)
        if (d.src_stride[i] % int32_t(e) || d.dst_stride[i] % int32_t(e))
            return RAINIER_DMA_ERR_MISALIGNED;
    return RAINIER_DMA_ERR_NONE;
}

unsigned dma_engine::transfer(const rainier_dma_desc& d, sc_core::sc_time& t,
                              sc_core::sc_time& issued) {
    // Reads fill a staging ring, writes drain it; both directions are paced at the engine's
    // bandwidth and bounded to `outstanding` requests, a write waits for the reads holding its
    // bytes, and requests go out in time order (the earlier of the next read and next write).
    access_pattern src(d.src, d.src_stride, d.src_count, d.elem_size);
    access_pattern dst(d.dst, d.dst_stride, d.dst_count, d.elem_size);
    const uint64_t total = src.total_bytes();
    const uint64_t cap = m_stage.size();
    const uint64_t req = m_cfg.request_bytes;
    // Request slots still hold the previous descriptors' requests (pipelined): outstanding
    // counts across descriptors, and a request takes the slot that frees first (min-heaps of
    // completion times). A fixed slot order would make requests wait for one slow request,
    // say a remote semaphore increment's whole round trip, with other slots free.
    sc_core::sc_time read_issue = t, write_issue = t, finish = t, ready = t;
    issued = t;
    m_reads.clear();
    unsigned err = RAINIER_DMA_ERR_NONE;
    const auto take_slot = [](std::vector<sc_core::sc_time>& slots, sc_core::sc_time done) {
        std::pop_heap(slots.begin(), slots.end(), std::greater<>());
        slots.back() = done;
        std::push_heap(slots.begin(), slots.end(), std::greater<>());
    };
    const bool add = d.flags & RAINIER_DMA_FLAG_ADD;
    m_add.dtype = d.elem_size == 4 ? RAINIER_DT_FP32 : RAINIER_DT_BF16;
    uint64_t got = 0, put = 0, waddr = 0, wlen = 0;
    bool have_write = false;
    while (put < total) {
        if (!have_write) {
            dst.next(std::min(req, cap - put % cap), waddr, wlen);
            have_write = true;
        }
        const bool write_ready = got >= put + wlen;
        sc_core::sc_time wt;
        if (write_ready) {
            while (m_reads.front().first < put + wlen)
                m_reads.pop_front();
            wt = std::max({write_issue, m_wslots.front(), m_reads.front().second});
        }
        const uint64_t room = std::min({req, cap - got % cap, cap - (got - put), total - got});
        const sc_core::sc_time rt = std::max(read_issue, m_rslots.front());
        if (write_ready && (room == 0 || wt <= rt)) {
            catch_up(wt);
            sc_core::sc_time done;
            // An addition only where a memory adds (a plain write elsewhere would overwrite).
            if (add && link::decode_global(waddr).kind != link::region::memory)
                return RAINIER_DMA_ERR_ADD;
            if (add) {
                m_add.applied = false;
                m_trans.set_extension(&m_add);
            }
            const bool ok = request(tlm::TLM_WRITE_COMMAND, waddr, m_stage.data() + put % cap,
                                    static_cast<unsigned>(wlen), wt, done, err);
            if (add) {
                m_trans.clear_extension(&m_add);
                if (!ok && m_trans.get_response_status() != tlm::TLM_ADDRESS_ERROR_RESPONSE)
                    err = RAINIER_DMA_ERR_ADD; // the memory refused (the PSUM alias)
                if (ok && !m_add.applied) err = RAINIER_DMA_ERR_ADD;
                if (err != RAINIER_DMA_ERR_NONE) return err;
            }
            if (!ok) return err;
            take_slot(m_wslots, done);
            issued = std::max(issued, wt);
            write_issue = wt + pace(wlen);
            finish = std::max(finish, done);
            put += wlen;
            m_bytes += wlen;
            have_write = false;
        } else {
            uint64_t addr = 0, len = 0;
            src.next(room, addr, len);
            catch_up(rt);
            sc_core::sc_time done;
            if (!request(tlm::TLM_READ_COMMAND, addr, m_stage.data() + got % cap,
                         static_cast<unsigned>(len), rt, done, err))
                return err;
            take_slot(m_rslots, done);
            issued = std::max(issued, rt);
            read_issue = rt + pace(len);
            ready = std::max(ready, done);
            got += len;
            m_reads.emplace_back(got, ready);
        }
    }
    t = finish;
    return err;
}

void dma_engine::attach_probes(const probes& p, const std::string& group,
                               const std::string& scope) {
    m_probes = p;
    if (p.trace)
        for (unsigned q = 0; q < m_cfg.queues; ++q)
            m_rows.push_back(p.trace->add_row(group, scope + ".q" + std::to_string(q)));
    m_row_end.assign(m_cfg.queues, sc_core::SC_ZERO_TIME);
    if (p.wave) {
        m_wave_busy = p.wave->add_signal(group + "." + scope, "busy", 1);
        m_wave_queue = p.wave->add_signal(group + "." + scope, "queue", 4);
        p.wave->change(m_wave_busy, sc_core::SC_ZERO_TIME, 0);
        p.wave->change(m_wave_queue, sc_core::SC_ZERO_TIME, 0);
    }
}

void dma_engine::process(unsigned q) {
    m_processing = true;
    *m_status = RAINIER_DMA_STATUS_BUSY;
    started st;
    st.q = q;
    st.start = sc_core::sc_time_stamp();
    st.index = next_index(q);
    st.desc = m_queues[q].desc;
    const uint64_t bytes_before = m_bytes;
    if (m_probes.wave) {
        m_probes.wave->change(m_wave_busy, st.start, 1);
        m_probes.wave->change(m_wave_queue, st.start, q);
    }
    const bool fetch_error = m_queues[q].fetch_error;
    m_queues[q].fetched = false; // the next descriptor is fetched next time
    ++m_queues[q].in_flight;
    st.err = RAINIER_DMA_ERR_NONE;
    sc_core::sc_time t = sc_core::sc_time_stamp(), issued = t;
    if (fetch_error) {
        st.err = RAINIER_DMA_ERR_FETCH;
    } else {
        t = std::max(t, m_queues[q].fetch_done) + m_setup;
        issued = t;
        st.err = validate(st.desc);
        if (st.err == RAINIER_DMA_ERR_NONE) st.err = transfer(st.desc, t, issued);
        if (st.err != RAINIER_DMA_ERR_NONE) issued = t;
    }
    st.done = t;
    st.bytes = m_bytes - bytes_before;
    m_started.push_back(st);
    m_started_event.notify(sc_core::SC_ZERO_TIME);
    // The next descriptor may start once this one's requests are out (or it completed).
    const sc_core::sc_time next = m_cfg.pipeline ? issued : t;
    if (next > sc_core::sc_time_stamp()) wait(next - sc_core::sc_time_stamp());
    m_processing = false;
    if (!m_cfg.pipeline)
        while (m_queues[q].in_flight) // completion happens in retire(): wait for it
            wait(m_started_event);
}

void dma_engine::retire() {
    for (;;) {
        while (m_started.empty())
            wait(m_started_event);
        started st = m_started.front();
        if (st.done > sc_core::sc_time_stamp()) wait(st.done - sc_core::sc_time_stamp());
        // The core's semaphore after the data (its writes have completed).
        if (st.err == RAINIER_DMA_ERR_NONE && (st.desc.flags & RAINIER_DMA_FLAG_SEM)) {
            uint32_t inc = st.desc.sem_inc;
            sc_core::sc_time done;
            if (request(tlm::TLM_WRITE_COMMAND, m_cfg.sem_base + RAINIER_SEM_INC(st.desc.sem_id),
                        reinterpret_cast<uint8_t*>(&inc), 4, sc_core::sc_time_stamp(), done, st.err,
                        &m_retire_trans)) {
                if (done > sc_core::sc_time_stamp()) wait(done - sc_core::sc_time_stamp());
            } else {
                st.err = RAINIER_DMA_ERR_BUS;
            }
        }
        m_started.pop_front();
        complete(st);
        m_started_event.notify(sc_core::SC_ZERO_TIME);
        m_doorbell.notify(sc_core::SC_ZERO_TIME); // ring space; the next may start
    }
}

void dma_engine::complete(const started& st) {
    const unsigned q = st.q;
    --m_queues[q].in_flight;
    qreg(q, RAINIER_DMA_Q_HEAD) = uint32_t(st.index + 1);
    qreg(q, RAINIER_DMA_Q_COMPLETED) = (qreg(q, RAINIER_DMA_Q_COMPLETED) + 1) & 0xffffffffu;
    ++m_descriptors;
    const bool idle = m_started.empty() && !m_processing;
    if (idle) *m_status = 0;
    if (m_probes.wave && idle) m_probes.wave->change(m_wave_busy, sc_core::sc_time_stamp(), 0);
    if (m_probes.trace) {
        char src[24], dst[24];
        std::snprintf(src, sizeof(src), "0x%llx", static_cast<unsigned long long>(st.desc.src));
        std::snprintf(dst, sizeof(dst), "0x%llx", static_cast<unsigned long long>(st.desc.dst));
        // Slices of one row must not overlap: a pipelined descriptor's starts at the previous
        // one's end.
        const sc_core::sc_time from = std::max(st.start, m_row_end[q]);
        m_row_end[q] = sc_core::sc_time_stamp();
        nlohmann::json args = {{"index", st.index},
                               {"src", src},
                               {"dst", dst},
                               {"bytes", st.bytes},
                               {"tag", st.desc.tag},
                               {"error", st.err},
                               {"start_ns", st.start.to_seconds() * 1e9}};
        // What it waited for (the slice shows only when the queue moved on).
        if (st.desc.flags & RAINIER_DMA_FLAG_WAIT)
            args["wait"] = "sem " + std::to_string(st.desc.wait_sem) +
                           " >= " + std::to_string(st.desc.wait_value);
        m_probes.trace->slice(m_rows[q], st.err == RAINIER_DMA_ERR_NONE ? "copy" : "error", from,
                              sc_core::sc_time_stamp(), args);
    }
    if (st.err != RAINIER_DMA_ERR_NONE) {
        qreg(q, RAINIER_DMA_Q_ERROR) = st.err;
        qreg(q, RAINIER_DMA_Q_ERROR_INDEX) = st.index;
        qreg(q, RAINIER_DMA_Q_ERROR_COUNT) = (qreg(q, RAINIER_DMA_Q_ERROR_COUNT) + 1) & 0xffffffffu;
        raise(RAINIER_DMA_IRQ_ERROR(q));
    } else {
        qreg(q, RAINIER_DMA_Q_LAST_TAG) = st.desc.tag;
        if (st.desc.flags & RAINIER_DMA_FLAG_IRQ) raise(RAINIER_DMA_IRQ_DONE(q));
    }
}

} // namespace rainier
