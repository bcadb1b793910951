// RISC-V semihosting (the Arm semihosting calls, RV64 parameter blocks): console I/O, exit,
// clock, errno, and host files. Host file access is off unless a root directory is given, and
// a path can never leave that directory.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "rv64_hart.h"

namespace rainier::rv64 {

class semihosting_host {
public:
    struct config {
        std::string file_root;    // empty: no host file access
        std::string command_line; // answered to SYS_GET_CMDLINE
    };
    std::function<void(const char* data, size_t len)> console_write;
    std::function<int()> console_read; // -1 when no input
    std::function<void(int code)> exit;
    std::function<uint64_t()> now_ns; // simulated time

    explicit semihosting_host(const config& cfg);
    ~semihosting_host();

    // Handles the call in a0/a1 of the hart; the result goes to a0.
    bool handle(hart& h);

private:
    struct handle_info {
        int host_fd = -1; // -1: console
        bool is_console = false;
        bool is_features = false;
        uint64_t features_pos = 0;
    };
    int64_t dispatch(hart& h, uint64_t op, uint64_t param);
    bool read_block(hart& h, uint64_t addr, uint64_t* words, unsigned n);
    bool read_string(hart& h, uint64_t addr, uint64_t len, std::string& out);
    bool resolve(const std::string& guest_path, std::string& host_path);
    int64_t open(hart& h, uint64_t name_addr, uint64_t mode, uint64_t len);

    config m_cfg;
    std::map<int64_t, handle_info> m_handles;
    int64_t m_next_handle = 1;
    int m_errno = 0;
};

} // namespace rainier::rv64
