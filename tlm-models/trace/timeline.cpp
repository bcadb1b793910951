#include "timeline.h"

#include <stdexcept>

namespace rainier {

namespace {
double us(sc_core::sc_time t) {
    return t.to_seconds() * 1e6;
}
} // namespace

timeline::timeline(const std::string& path) {
    m_file = std::fopen(path.c_str(), "w");
    if (!m_file) throw std::runtime_error("cannot create timeline file '" + path + "'");
    std::fputs("{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n", m_file);
}

timeline::~timeline() {
    close();
}

void timeline::write(const nlohmann::json& event) {
    if (!m_file) return;
    if (!m_first) std::fputs(",\n", m_file);
    m_first = false;
    const std::string text = event.dump();
    std::fwrite(text.data(), 1, text.size(), m_file);
}

uint32_t timeline::group_id(const std::string& group) {
    for (uint32_t i = 0; i < m_groups.size(); ++i)
        if (m_groups[i] == group) return i + 1;
    m_groups.push_back(group);
    const uint32_t pid = static_cast<uint32_t>(m_groups.size());
    write({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"args", {{"name", group}}}});
    write({{"ph", "M"},
           {"name", "process_sort_index"},
           {"pid", pid},
           {"args", {{"sort_index", pid}}}});
    return pid;
}

timeline::row timeline::add_row(const std::string& group, const std::string& name) {
    const uint32_t pid = group_id(group);
    const row tid = m_next_row++;
    write({{"ph", "M"},
           {"name", "thread_name"},
           {"pid", pid},
           {"tid", tid},
           {"args", {{"name", name}}}});
    write({{"ph", "M"},
           {"name", "thread_sort_index"},
           {"pid", pid},
           {"tid", tid},
           {"args", {{"sort_index", tid}}}});
    // Rows are global: remember their process in the high bits.
    return tid | (pid << 20);
}

void timeline::slice(row r, const std::string& name, sc_core::sc_time start, sc_core::sc_time end,
                     const nlohmann::json& args) {
    write({{"ph", "X"},
           {"name", name},
           {"pid", r >> 20},
           {"tid", r & 0xfffff},
           {"ts", us(start)},
           {"dur", us(end) - us(start)},
           {"args", args}});
}

void timeline::instant(row r, const std::string& name, sc_core::sc_time t,
                       const nlohmann::json& args) {
    write({{"ph", "i"},
           {"s", "t"},
           {"name", name},
           {"pid", r >> 20},
           {"tid", r & 0xfffff},
           {"ts", us(t)},
           {"args", args}});
}

void timeline::counter(const std::string& group, const std::string& name, sc_core::sc_time t,
                       double value) {
    write({{"ph", "C"},
           {"name", name},
           {"pid", group_id(group)},
           {"ts", us(t)},
           {"args", {{name, value}}}});
}

void timeline::close() {
    if (!m_file) return;
    std::fputs("\n]}\n", m_file);
    std::fclose(m_file);
    m_file = nullptr;
}

} // namespace rainier
