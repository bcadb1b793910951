#include "wave_writer.h"

#include <algorithm>
#include <map>
#include <stdexcept>

extern "C" {
#include "fstapi.h"
}

namespace rainier {

wave_writer::wave_writer(const std::string& path, sc_core::sc_time start, sc_core::sc_time end)
    : m_start(start), m_end(end) {
    m_ctx = fstWriterCreate(path.c_str(), 1);
    if (!m_ctx) throw std::runtime_error("cannot create waveform file '" + path + "'");
    fstWriterSetTimescale(m_ctx, -12); // 1 ps, SystemC's default resolution
    fstWriterSetPackType(m_ctx, FST_WR_PT_LZ4);
    fstWriterSetVersion(m_ctx, "rainier-vp");
}

wave_writer::~wave_writer() {
    close();
}

wave_writer::handle wave_writer::add_signal(const std::string& scope, const std::string& name,
                                            unsigned width) {
    if (m_header_done)
        throw std::logic_error("wave_writer: signal " + scope + "." + name +
                               " added after the first change was written");
    m_signals.push_back({scope, name, std::clamp(width, 1u, 64u)});
    return static_cast<handle>(m_signals.size() - 1);
}

void wave_writer::change(handle h, sc_core::sc_time t, uint64_t value) {
    if (!m_ctx || t > m_end) return;
    m_pending.push_back({t.value(), m_seq++, h, value});
}

void wave_writer::declare_all() {
    // Scopes as a tree, signals sorted into them, so GTKWave shows one branch per block.
    std::map<std::string, std::vector<size_t>> by_scope;
    for (size_t i = 0; i < m_signals.size(); ++i)
        by_scope[m_signals[i].scope].push_back(i);
    std::vector<std::string> open;
    for (const auto& [scope, members] : by_scope) {
        std::vector<std::string> parts;
        for (size_t pos = 0; pos <= scope.size();) {
            size_t dot = scope.find('.', pos);
            if (dot == std::string::npos) dot = scope.size();
            parts.push_back(scope.substr(pos, dot - pos));
            pos = dot + 1;
        }
        size_t common = 0;
        while (common < open.size() && common < parts.size() && open[common] == parts[common])
            ++common;
        while (open.size() > common) {
            fstWriterSetUpscope(m_ctx);
            open.pop_back();
        }
        for (size_t i = common; i < parts.size(); ++i) {
            fstWriterSetScope(m_ctx, FST_ST_VCD_MODULE, parts[i].c_str(), nullptr);
            open.push_back(parts[i]);
        }
        for (size_t i : members) {
            signal& s = m_signals[i];
            s.fst = fstWriterCreateVar(m_ctx, s.width == 1 ? FST_VT_VCD_WIRE : FST_VT_VCD_REG,
                                       FST_VD_IMPLICIT, s.width, s.name.c_str(), 0);
            s.declared = true;
        }
    }
    while (!open.empty()) {
        fstWriterSetUpscope(m_ctx);
        open.pop_back();
    }
    m_header_done = true;
}

void wave_writer::emit(const event& e) {
    signal& s = m_signals[e.h];
    if (e.ps < m_start.value()) {
        // Before the window only the latest value matters: it becomes the value at the start.
        s.before = e.value;
        return;
    }
    emit_before_window();
    if (s.last == e.value) return;
    const uint64_t t = e.ps;
    if (t > m_last_time) {
        fstWriterEmitTimeChange(m_ctx, t);
        m_last_time = t;
    }
    char bits[65];
    for (unsigned i = 0; i < s.width; ++i)
        bits[i] = ((e.value >> (s.width - 1 - i)) & 1) ? '1' : '0';
    bits[s.width] = '\0';
    fstWriterEmitValueChange(m_ctx, s.fst, bits);
    s.last = e.value;
}

void wave_writer::emit_before_window() {
    if (m_window_open) return;
    m_window_open = true;
    for (signal& s : m_signals) {
        if (s.before == ~uint64_t(0) || s.before == s.last) continue;
        char bits[65];
        for (unsigned i = 0; i < s.width; ++i)
            bits[i] = ((s.before >> (s.width - 1 - i)) & 1) ? '1' : '0';
        bits[s.width] = '\0';
        fstWriterEmitValueChange(m_ctx, s.fst, bits);
        s.last = s.before;
    }
}

void wave_writer::flush_until(sc_core::sc_time t) {
    if (!m_ctx) return;
    const sc_core::sc_time now = t;
    for (const source& s : m_sources)
        t = std::min(t, s(now));
    if (!m_header_done) {
        declare_all();
        fstWriterEmitTimeChange(m_ctx, m_start.value());
        m_last_time = m_start.value();
    }
    std::stable_sort(m_pending.begin(), m_pending.end(), [](const event& a, const event& b) {
        return a.ps != b.ps ? a.ps < b.ps : a.seq < b.seq;
    });
    size_t n = 0;
    while (n < m_pending.size() && m_pending[n].ps < t.value())
        emit(m_pending[n++]);
    m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<long>(n));
    if (t > m_start) emit_before_window(); // the window has begun, even with no change in it
}

void wave_writer::close() {
    if (!m_ctx) return;
    flush_until(sc_core::sc_max_time());
    const uint64_t end = std::min(sc_core::sc_time_stamp(), m_end).value();
    fstWriterEmitTimeChange(m_ctx, std::max<uint64_t>(m_last_time, end));
    fstWriterClose(m_ctx);
    m_ctx = nullptr;
}

} // namespace rainier
