#include "console.h"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

namespace rainier {

console::console(const std::string& output, const std::string& input) {
    if (output == "stdout") {
        m_out = stdout;
    } else if (output == "stderr") {
        m_out = stderr;
    } else if (output != "none") {
        m_out = std::fopen(output.c_str(), "w");
        if (!m_out) throw std::runtime_error("cannot open UART output file '" + output + "'");
        m_owns_out = true;
    }
    m_line_flush = m_out != nullptr && isatty(fileno(m_out));
    m_input = input == "stdin" || (input == "auto" && isatty(STDIN_FILENO));
    if (m_input) {
        m_saved_flags = fcntl(STDIN_FILENO, F_GETFL);
        if (m_saved_flags >= 0 && fcntl(STDIN_FILENO, F_SETFL, m_saved_flags | O_NONBLOCK) == 0)
            m_restore_flags = true;
    }
}

console::~console() {
    flush();
    if (m_owns_out) std::fclose(m_out);
    if (m_restore_flags) fcntl(STDIN_FILENO, F_SETFL, m_saved_flags);
}

void console::write(const char* data, size_t len) {
    if (!m_out) return;
    std::fwrite(data, 1, len, m_out);
    if (m_line_flush) std::fflush(m_out);
}

void console::flush() {
    if (m_out) std::fflush(m_out);
}

int console::read_char() {
    if (!m_input) return -1;
    unsigned char c;
    const ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n == 1) return c;
    if (n == 0) m_input = false; // end of input
    return -1;
}

} // namespace rainier
