// GDB remote serial protocol server for the host CPU, on 127.0.0.1 only: registers (with a
// target description naming every CSR), memory (device registers through transport_dbg, so
// reads have no side effects), software and hardware breakpoints, watchpoints, step, continue,
// Ctrl-C, detach and kill. It runs inside the CPU's thread: while the target is halted the
// simulation, and so simulated time, stands still.
#pragma once

#include <cstdint>
#include <string>

#include "core/run_control.h"
#include "rv64_cpu.h"

namespace rainier {

class gdb_server : public cpu_debugger {
public:
    gdb_server(rv64_cpu& cpu, run_control& run, uint16_t port, bool wait_for_client);
    ~gdb_server() override;
    gdb_server(const gdb_server&) = delete;
    gdb_server& operator=(const gdb_server&) = delete;

    // Listens; with wait_for_client, blocks until GDB connects (the target starts halted).
    void start();
    // The run has ended: tell a connected GDB the exit code.
    void notify_exit(int code);

    void before_run() override;
    uint64_t step_limit() override;
    void after_run(rv64::hart::stop_reason why) override;

private:
    enum class state { running, halted, stepping };

    bool accept_client(bool blocking);
    void close_client();
    void poll_while_running();
    void serve(); // handles packets until the target resumes or GDB leaves
    bool read_packet(std::string& packet);
    void send_packet(const std::string& payload);
    bool handle(const std::string& packet); // false: resume
    std::string stop_reply() const;
    std::string read_registers();
    bool read_register(unsigned regnum, uint64_t& value);
    bool write_register(unsigned regnum, uint64_t value);
    std::string read_memory(uint64_t addr, uint64_t len);
    bool write_memory(uint64_t addr, const std::string& bytes);
    std::string target_xml() const;

    rv64_cpu& m_cpu;
    run_control& m_run;
    uint16_t m_port;
    bool m_wait;
    int m_listen_fd = -1;
    int m_client_fd = -1;
    bool m_no_ack = false;
    state m_state = state::running;
    int m_stop_signal = 5;    // SIGTRAP
    std::string m_stop_extra; // e.g. "swbreak:;" or "watch:addr;"
    unsigned m_poll_countdown = 0;
};

} // namespace rainier
