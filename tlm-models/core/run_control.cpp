#include "run_control.h"

namespace rainier {

void run_control::request_stop(run_outcome outcome, int code, std::string message,
                               sc_core::sc_time when) {
    if (stopping()) return;
    m_outcome = outcome;
    m_code = code;
    m_message = std::move(message);
    m_when = when;
    for (auto& hook : m_hooks)
        hook();
    sc_core::sc_stop();
}

} // namespace rainier
