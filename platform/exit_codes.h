// Exit codes of the rainier-vp binary besides the firmware's own (0 = pass).
#pragma once

namespace rainier::exit_code {
constexpr int bad_input = 2;        // command line, config, ELF: nothing was simulated
constexpr int limit_reached = 124;  // --max-time or --max-instructions (like timeout(1))
constexpr int firmware_crash = 125; // trap with no usable handler, or a hart asleep forever
constexpr int internal_error = 126; // a defect of the simulator; please report it
constexpr int interrupted = 130;    // SIGINT (128 + 2, as shells do)
} // namespace rainier::exit_code
