// Chrome trace-event JSON (opens in Perfetto and chrome://tracing): one process per block
// (host, chip n), one row per engine, queue or link, each operation a slice with arguments,
// and counters. Written as the run goes, so memory stays flat; close() completes the file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>
#include <systemc>

namespace rainier {

class timeline {
public:
    using row = uint32_t;

    explicit timeline(const std::string& path);
    ~timeline();
    timeline(const timeline&) = delete;
    timeline& operator=(const timeline&) = delete;

    // group: the process row ("host", "chip0"); name: the thread row ("cpu", "dma.q3").
    row add_row(const std::string& group, const std::string& name);
    void slice(row r, const std::string& name, sc_core::sc_time start, sc_core::sc_time end,
               const nlohmann::json& args = nlohmann::json::object());
    void instant(row r, const std::string& name, sc_core::sc_time t,
                 const nlohmann::json& args = nlohmann::json::object());
    void counter(const std::string& group, const std::string& name, sc_core::sc_time t,
                 double value);
    void close();

private:
    void write(const nlohmann::json& event);
    uint32_t group_id(const std::string& group);

    FILE* m_file = nullptr;
    bool m_first = true;
    std::vector<std::string> m_groups;
    uint32_t m_next_row = 1;
};

} // namespace rainier
