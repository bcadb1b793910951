#include "gdb_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "rv64_csr.h"

namespace rainier {

namespace {

// GDB's RISC-V register numbers: x0-x31, pc, (f registers 33-64), CSRs from 65, then priv.
constexpr unsigned regnum_pc = 32;
constexpr unsigned regnum_first_csr = 65;
constexpr unsigned regnum_priv = regnum_first_csr + 4096;

struct csr_name {
    uint16_t num;
    const char* name;
};
const std::vector<csr_name>& debug_csrs() {
    namespace c = rv64::csr;
    static const std::vector<csr_name> list = [] {
        std::vector<csr_name> v = {{c::sstatus, "sstatus"},
                                   {c::sie, "sie"},
                                   {c::stvec, "stvec"},
                                   {c::scounteren, "scounteren"},
                                   {c::senvcfg, "senvcfg"},
                                   {c::sscratch, "sscratch"},
                                   {c::sepc, "sepc"},
                                   {c::scause, "scause"},
                                   {c::stval, "stval"},
                                   {c::sip, "sip"},
                                   {c::satp, "satp"},
                                   {c::mstatus, "mstatus"},
                                   {c::misa, "misa"},
                                   {c::medeleg, "medeleg"},
                                   {c::mideleg, "mideleg"},
                                   {c::mie, "mie"},
                                   {c::mtvec, "mtvec"},
                                   {c::mcounteren, "mcounteren"},
                                   {c::menvcfg, "menvcfg"},
                                   {c::mcountinhibit, "mcountinhibit"},
                                   {c::mscratch, "mscratch"},
                                   {c::mepc, "mepc"},
                                   {c::mcause, "mcause"},
                                   {c::mtval, "mtval"},
                                   {c::mip, "mip"},
                                   {c::pmpcfg0, "pmpcfg0"},
                                   {c::pmpcfg0 + 2, "pmpcfg2"},
                                   {c::mcycle, "mcycle"},
                                   {c::minstret, "minstret"},
                                   {c::cycle, "cycle"},
                                   {c::time, "time"},
                                   {c::instret, "instret"},
                                   {c::mvendorid, "mvendorid"},
                                   {c::marchid, "marchid"},
                                   {c::mimpid, "mimpid"},
                                   {c::mhartid, "mhartid"}};
        static std::vector<std::string> pmp_names;
        for (unsigned i = 0; i < rv64::pmp::num_entries; ++i)
            pmp_names.push_back("pmpaddr" + std::to_string(i));
        for (unsigned i = 0; i < rv64::pmp::num_entries; ++i)
            v.push_back({static_cast<uint16_t>(c::pmpaddr0 + i), pmp_names[i].c_str()});
        return v;
    }();
    return list;
}

const char* const gpr_names[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                   "fp",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                   "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                   "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

std::string hex_bytes(const void* data, size_t len) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    const uint8_t* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < len; ++i) {
        out.push_back(digits[p[i] >> 4]);
        out.push_back(digits[p[i] & 15]);
    }
    return out;
}

std::string hex_u64_le(uint64_t v) {
    return hex_bytes(&v, 8);
}

bool parse_hex(const std::string& s, uint64_t& v) {
    if (s.empty() || s.size() > 16) return false;
    v = 0;
    for (char c : s) {
        unsigned d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = (v << 4) | d;
    }
    return true;
}

bool unhex_bytes(const std::string& s, std::string& out) {
    if (s.size() % 2) return false;
    out.clear();
    for (size_t i = 0; i < s.size(); i += 2) {
        uint64_t b;
        if (!parse_hex(s.substr(i, 2), b)) return false;
        out.push_back(static_cast<char>(b));
    }
    return true;
}

uint64_t le_u64(const std::string& bytes) {
    uint64_t v = 0;
    std::memcpy(&v, bytes.data(), std::min<size_t>(8, bytes.size()));
    return v;
}

} // namespace

gdb_server::gdb_server(rv64_cpu& cpu, run_control& run, uint16_t port, bool wait_for_client)
    : m_cpu(cpu), m_run(run), m_port(port), m_wait(wait_for_client) {}

gdb_server::~gdb_server() {
    close_client();
    if (m_listen_fd >= 0) ::close(m_listen_fd);
}

void gdb_server::start() {
    m_listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_listen_fd < 0) throw std::runtime_error("--gdb: cannot create a socket");
    const int one = 1;
    setsockopt(m_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(m_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // never reachable from another machine
    if (::bind(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(m_listen_fd, 1) != 0)
        throw std::runtime_error("--gdb: cannot listen on 127.0.0.1:" + std::to_string(m_port) +
                                 " (" + std::strerror(errno) + ")");
    std::fprintf(stderr, "rainier-vp: GDB server listening on 127.0.0.1:%u%s\n", m_port,
                 m_wait ? ", waiting for a connection" : "");
    m_cpu.attach_debugger(this);
    if (m_wait) {
        accept_client(true);
        m_state = state::halted;
        m_stop_signal = 5;
        m_stop_extra.clear();
    }
}

bool gdb_server::accept_client(bool blocking) {
    if (!blocking) {
        pollfd p{m_listen_fd, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) return false;
    }
    m_client_fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (m_client_fd < 0) return false;
    const int one = 1;
    setsockopt(m_client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    m_no_ack = false;
    std::fprintf(stderr, "rainier-vp: GDB connected\n");
    return true;
}

void gdb_server::close_client() {
    if (m_client_fd >= 0) ::close(m_client_fd);
    m_client_fd = -1;
}

void gdb_server::poll_while_running() {
    // A system call per quantum would cost more than it is worth: check every 16th.
    if (m_poll_countdown-- != 0) return;
    m_poll_countdown = 16;
    if (m_client_fd < 0) {
        if (accept_client(false)) { // a newcomer finds the target halted
            m_state = state::halted;
            m_stop_signal = 5;
            m_stop_extra.clear();
        }
        return;
    }
    pollfd p{m_client_fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return;
    char c;
    const ssize_t n = ::recv(m_client_fd, &c, 1, 0);
    if (n <= 0) {
        close_client(); // GDB went away: keep running
        m_cpu.core().clear_debug_points();
        return;
    }
    if (c == 0x03) { // Ctrl-C
        m_state = state::halted;
        m_stop_signal = 2; // SIGINT
        m_stop_extra.clear();
        send_packet(stop_reply());
    }
}

void gdb_server::before_run() {
    if (m_run.stopping()) return;
    if (m_state == state::running) poll_while_running();
    if (m_state == state::halted && m_client_fd >= 0) serve();
}

uint64_t gdb_server::step_limit() {
    return m_state == state::stepping ? 1 : ~uint64_t(0);
}

void gdb_server::after_run(rv64::hart::stop_reason why) {
    using reason = rv64::hart::stop_reason;
    if (m_client_fd < 0) return;
    if (why == reason::breakpoint) {
        m_stop_signal = 5;
        m_stop_extra = "swbreak:;";
    } else if (why == reason::watchpoint) {
        const auto kind = m_cpu.core().watch_hit_kind();
        const char* name = kind == rv64::hart::watch_kind::write  ? "watch"
                           : kind == rv64::hart::watch_kind::read ? "rwatch"
                                                                  : "awatch";
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%s:%llx;", name,
                      static_cast<unsigned long long>(m_cpu.core().watch_hit_address()));
        m_stop_signal = 5;
        m_stop_extra = buf;
    } else if (m_state == state::stepping && why != reason::halt) {
        m_stop_signal = 5;
        m_stop_extra.clear();
    } else {
        return;
    }
    m_state = state::halted;
    send_packet(stop_reply());
}

void gdb_server::notify_exit(int code) {
    if (m_client_fd < 0) return;
    char buf[16];
    std::snprintf(buf, sizeof(buf), "W%02x", code & 0xff);
    send_packet(buf);
    close_client();
}

std::string gdb_server::stop_reply() const {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "T%02x", m_stop_signal);
    return std::string(buf) + m_stop_extra + "thread:1;";
}

void gdb_server::serve() {
    std::string packet;
    while (m_client_fd >= 0 && m_state == state::halted) {
        if (!read_packet(packet)) {
            close_client();
            m_cpu.core().clear_debug_points();
            m_state = state::running;
            return;
        }
        if (!handle(packet)) return;
    }
}

bool gdb_server::read_packet(std::string& packet) {
    // $payload#xx; a bare Ctrl-C while halted is ignored.
    char c;
    for (;;) {
        if (::recv(m_client_fd, &c, 1, 0) != 1) return false;
        if (c == '$') break;
    }
    packet.clear();
    for (;;) {
        if (::recv(m_client_fd, &c, 1, 0) != 1) return false;
        if (c == '#') break;
        packet.push_back(c);
    }
    char sum[2];
    if (::recv(m_client_fd, sum, 2, MSG_WAITALL) != 2) return false;
    if (!m_no_ack) ::send(m_client_fd, "+", 1, MSG_NOSIGNAL);
    return true;
}

void gdb_server::send_packet(const std::string& payload) {
    uint8_t sum = 0;
    for (char c : payload)
        sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
    char tail[4];
    std::snprintf(tail, sizeof(tail), "#%02x", sum);
    const std::string frame = "$" + payload + tail;
    ::send(m_client_fd, frame.data(), frame.size(), MSG_NOSIGNAL);
    if (!m_no_ack) {
        char ack;
        ::recv(m_client_fd, &ack, 1, 0); // '+' (a '-' would ask for a resend; TCP is reliable)
    }
}

bool gdb_server::read_register(unsigned regnum, uint64_t& value) {
    rv64::hart& h = m_cpu.core();
    if (regnum < 32)
        value = h.reg(regnum);
    else if (regnum == regnum_pc)
        value = h.pc();
    else if (regnum == regnum_priv)
        value = static_cast<uint64_t>(h.priv());
    else if (regnum >= regnum_first_csr && regnum < regnum_priv)
        return h.peek_csr(static_cast<uint16_t>(regnum - regnum_first_csr), value);
    else
        return false;
    return true;
}

bool gdb_server::write_register(unsigned regnum, uint64_t value) {
    rv64::hart& h = m_cpu.core();
    if (regnum < 32)
        h.set_reg(regnum, value);
    else if (regnum == regnum_pc)
        h.set_pc(value);
    else if (regnum >= regnum_first_csr && regnum < regnum_priv)
        return h.poke_csr(static_cast<uint16_t>(regnum - regnum_first_csr), value);
    else
        return false;
    return true;
}

std::string gdb_server::read_registers() {
    std::string out;
    for (unsigned r = 0; r <= regnum_pc; ++r) {
        uint64_t v = 0;
        read_register(r, v);
        out += hex_u64_le(v);
    }
    return out;
}

std::string gdb_server::read_memory(uint64_t addr, uint64_t len) {
    std::string out;
    std::vector<uint8_t> buf;
    for (uint64_t done = 0; done < len;) {
        uint64_t pa;
        if (!m_cpu.core().debug_translate(addr + done, pa)) break;
        // Page by page, since consecutive virtual pages need not be contiguous.
        const uint64_t chunk = std::min<uint64_t>(len - done, 4096 - ((addr + done) & 4095));
        buf.resize(chunk);
        if (!m_cpu.debug_access(false, pa, buf.data(), static_cast<unsigned>(chunk))) {
            // A device may only answer accesses of its register width: retry byte-wise.
            uint64_t i = 0;
            for (; i < chunk; ++i)
                if (!m_cpu.debug_access(false, pa + i, &buf[i], 1)) break;
            out += hex_bytes(buf.data(), i);
            if (i < chunk) break;
        } else {
            out += hex_bytes(buf.data(), chunk);
        }
        done += chunk;
    }
    return out.empty() && len > 0 ? "E14" : out;
}

bool gdb_server::write_memory(uint64_t addr, const std::string& bytes) {
    for (uint64_t done = 0; done < bytes.size();) {
        uint64_t pa;
        if (!m_cpu.core().debug_translate(addr + done, pa)) return false;
        const uint64_t chunk =
            std::min<uint64_t>(bytes.size() - done, 4096 - ((addr + done) & 4095));
        std::string piece = bytes.substr(done, chunk);
        if (!m_cpu.debug_access(true, pa, piece.data(), static_cast<unsigned>(chunk))) return false;
        done += chunk;
    }
    return true;
}

std::string gdb_server::target_xml() const {
    std::string x = "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
                    "<target version=\"1.0\"><architecture>riscv:rv64</architecture>"
                    "<feature name=\"org.gnu.gdb.riscv.cpu\">";
    for (unsigned i = 0; i < 32; ++i) {
        x += "<reg name=\"" + std::string(gpr_names[i]) + "\" bitsize=\"64\" regnum=\"" +
             std::to_string(i) + "\" type=\"" +
             (i == 1               ? "code_ptr"
              : (i == 2 || i == 8) ? "data_ptr"
                                   : "int") +
             "\"/>";
    }
    x += "<reg name=\"pc\" bitsize=\"64\" regnum=\"32\" type=\"code_ptr\"/></feature>";
    x += "<feature name=\"org.gnu.gdb.riscv.csr\">";
    for (const csr_name& c : debug_csrs())
        x += "<reg name=\"" + std::string(c.name) + "\" bitsize=\"64\" regnum=\"" +
             std::to_string(regnum_first_csr + c.num) + "\" group=\"csr\"/>";
    x += "</feature><feature name=\"org.gnu.gdb.riscv.virtual\">"
         "<reg name=\"priv\" bitsize=\"64\" regnum=\"" +
         std::to_string(regnum_priv) + "\" group=\"general\"/></feature></target>";
    return x;
}

bool gdb_server::handle(const std::string& p) {
    rv64::hart& h = m_cpu.core();
    auto split = [](const std::string& s, char sep, std::string& a, std::string& b) {
        const size_t i = s.find(sep);
        if (i == std::string::npos) return false;
        a = s.substr(0, i);
        b = s.substr(i + 1);
        return true;
    };
    if (p.empty()) {
        send_packet("");
        return true;
    }
    switch (p[0]) {
    case '?': send_packet(stop_reply()); return true;
    case 'g': send_packet(read_registers()); return true;
    case 'G': {
        std::string bytes;
        if (!unhex_bytes(p.substr(1), bytes) || bytes.size() < 33 * 8) {
            send_packet("E01");
            return true;
        }
        for (unsigned r = 0; r <= regnum_pc; ++r)
            write_register(r, le_u64(bytes.substr(r * 8, 8)));
        send_packet("OK");
        return true;
    }
    case 'p': {
        uint64_t r, v;
        if (!parse_hex(p.substr(1), r) || !read_register(static_cast<unsigned>(r), v)) {
            send_packet("E01");
            return true;
        }
        send_packet(hex_u64_le(v));
        return true;
    }
    case 'P': {
        std::string reg, val, bytes;
        uint64_t r;
        if (!split(p.substr(1), '=', reg, val) || !parse_hex(reg, r) || !unhex_bytes(val, bytes) ||
            !write_register(static_cast<unsigned>(r), le_u64(bytes))) {
            send_packet("E01");
            return true;
        }
        send_packet("OK");
        return true;
    }
    case 'm': {
        std::string a, l;
        uint64_t addr, len;
        if (!split(p.substr(1), ',', a, l) || !parse_hex(a, addr) || !parse_hex(l, len) ||
            len > 0x10000) {
            send_packet("E01");
            return true;
        }
        send_packet(read_memory(addr, len));
        return true;
    }
    case 'M':
    case 'X': {
        std::string head, data, a, l;
        uint64_t addr, len;
        if (!split(p.substr(1), ':', head, data) || !split(head, ',', a, l) ||
            !parse_hex(a, addr) || !parse_hex(l, len)) {
            send_packet("E01");
            return true;
        }
        std::string bytes;
        if (p[0] == 'M') {
            if (!unhex_bytes(data, bytes)) {
                send_packet("E01");
                return true;
            }
        } else { // binary, with } escapes
            for (size_t i = 0; i < data.size(); ++i)
                bytes.push_back(data[i] == '}' && i + 1 < data.size() ? (data[++i] ^ 0x20)
                                                                      : data[i]);
        }
        if (bytes.size() != len) {
            send_packet("E01");
            return true;
        }
        send_packet(write_memory(addr, bytes) ? "OK" : "E14");
        return true;
    }
    case 'c':
    case 's': {
        uint64_t addr;
        if (p.size() > 1 && parse_hex(p.substr(1), addr)) h.set_pc(addr);
        h.step_over_breakpoint();
        m_state = p[0] == 'c' ? state::running : state::stepping;
        return false;
    }
    case 'Z':
    case 'z': {
        std::string type, rest, a, k;
        uint64_t addr, kind;
        if (!split(p.substr(1), ',', type, rest) || !split(rest, ',', a, k) ||
            !parse_hex(a, addr) || !parse_hex(k.substr(0, k.find(';')), kind)) {
            send_packet("E01");
            return true;
        }
        const bool add = p[0] == 'Z';
        if (type == "0" || type == "1") {
            if (add)
                h.add_breakpoint(addr);
            else
                h.remove_breakpoint(addr);
        } else if (type == "2" || type == "3" || type == "4") {
            const auto wk = static_cast<rv64::hart::watch_kind>(type[0] - '0');
            if (add)
                h.add_watchpoint(addr, kind, wk);
            else
                h.remove_watchpoint(addr, kind, wk);
        } else {
            send_packet("");
            return true;
        }
        send_packet("OK");
        return true;
    }
    case 'k':
        close_client();
        m_run.request_stop(run_outcome::interrupted, 0, "killed from GDB", m_cpu.local_time());
        m_state = state::running;
        return false;
    case 'D':
        send_packet("OK");
        close_client();
        h.clear_debug_points();
        m_state = state::running;
        return false;
    case 'H':
    case 'T': send_packet("OK"); return true;
    case 'v':
        if (p == "vCont?") {
            send_packet("vCont;c;C;s;S");
        } else if (p.rfind("vCont;", 0) == 0) {
            const char action = p[6];
            h.step_over_breakpoint();
            m_state = (action == 's' || action == 'S') ? state::stepping : state::running;
            return false;
        } else {
            send_packet(""); // vMustReplyEmpty and everything else
        }
        return true;
    case 'q':
    case 'Q':
        if (p.rfind("qSupported", 0) == 0) {
            send_packet("PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;"
                        "QStartNoAckMode+;vContSupported+");
        } else if (p == "QStartNoAckMode") {
            send_packet("OK");
            m_no_ack = true;
        } else if (p.rfind("qXfer:features:read:target.xml:", 0) == 0) {
            std::string off, len;
            uint64_t o, l;
            split(p.substr(31), ',', off, len);
            if (!parse_hex(off, o) || !parse_hex(len, l)) {
                send_packet("E01");
                return true;
            }
            const std::string xml = target_xml();
            if (o >= xml.size())
                send_packet("l");
            else
                send_packet((o + l >= xml.size() ? "l" : "m") + xml.substr(o, l));
        } else if (p == "qAttached") {
            send_packet("1");
        } else if (p == "qC") {
            send_packet("QC1");
        } else if (p == "qfThreadInfo") {
            send_packet("m1");
        } else if (p == "qsThreadInfo") {
            send_packet("l");
        } else if (p.rfind("qSymbol", 0) == 0) {
            send_packet("OK");
        } else {
            send_packet("");
        }
        return true;
    default: send_packet(""); return true;
    }
}

} // namespace rainier
