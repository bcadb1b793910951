// How a simulation run ends: any model may ask to stop it (firmware exit, a limit, a crash).
// The first request wins; later ones are ignored. The owner (sc_main) reads the outcome.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <systemc>

namespace rainier {

enum class run_outcome {
    running,
    firmware_exit,  // sim-control finisher or semihosting exit: code is the firmware's
    limit_reached,  // --max-time, --max-instructions
    firmware_crash, // a trap with no usable handler
    interrupted,    // SIGINT
    internal_error,
};

class run_control {
public:
    // when: the requester's local time (sc_time_stamp() plus its temporal-decoupling offset).
    void request_stop(run_outcome outcome, int code, std::string message, sc_core::sc_time when);

    bool stopping() const { return m_outcome != run_outcome::running; }
    run_outcome outcome() const { return m_outcome; }
    int code() const { return m_code; }
    const std::string& message() const { return m_message; }
    sc_core::sc_time stop_time() const { return m_when; }

    // Run at the first stop request, e.g. to halt CPUs at once.
    void on_stop(std::function<void()> hook) { m_hooks.push_back(std::move(hook)); }

private:
    run_outcome m_outcome = run_outcome::running;
    int m_code = 0;
    std::string m_message;
    sc_core::sc_time m_when;
    std::vector<std::function<void()>> m_hooks;
};

} // namespace rainier
