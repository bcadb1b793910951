// The host side of UART0 and of semihosting console calls: output to stdout, stderr, a file or
// nowhere; input from stdin (non-blocking) when asked or when stdin is a terminal.
#pragma once

#include <cstdio>
#include <string>

namespace rainier {

class console {
public:
    // output: "stdout", "stderr", "none" or a file path; input: "auto", "stdin", "none".
    console(const std::string& output, const std::string& input);
    ~console();
    console(const console&) = delete;
    console& operator=(const console&) = delete;

    void write(const char* data, size_t len);
    void put(char c) { write(&c, 1); }
    void flush();

    bool input_enabled() const { return m_input; }
    int read_char(); // -1 when nothing is waiting

private:
    FILE* m_out = nullptr;
    bool m_owns_out = false;
    bool m_line_flush = false;
    bool m_input = false;
    bool m_restore_flags = false;
    int m_saved_flags = 0;
};

} // namespace rainier
