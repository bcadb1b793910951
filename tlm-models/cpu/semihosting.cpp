#include "semihosting.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace rainier::rv64 {

namespace {

enum : uint64_t {
    sys_open = 0x01,
    sys_close = 0x02,
    sys_writec = 0x03,
    sys_write0 = 0x04,
    sys_write = 0x05,
    sys_read = 0x06,
    sys_readc = 0x07,
    sys_iserror = 0x08,
    sys_istty = 0x09,
    sys_seek = 0x0a,
    sys_flen = 0x0c,
    sys_tmpnam = 0x0d,
    sys_remove = 0x0e,
    sys_rename = 0x0f,
    sys_clock = 0x10,
    sys_time = 0x11,
    sys_system = 0x12,
    sys_errno = 0x13,
    sys_get_cmdline = 0x15,
    sys_heapinfo = 0x16,
    sys_exit = 0x18,
    sys_exit_extended = 0x20,
    sys_elapsed = 0x30,
    sys_tickfreq = 0x31,
};
constexpr uint64_t adp_stopped_application_exit = 0x20026;
// ":semihosting-features" contents: magic then one byte (exit-extended, stdout/stderr).
constexpr uint8_t features_file[] = {'S', 'H', 'F', 'B', 0x03};
constexpr uint64_t ticks_per_second = 1000000000; // SYS_ELAPSED counts nanoseconds

} // namespace

semihosting_host::semihosting_host(const config& cfg) : m_cfg(cfg) {}

semihosting_host::~semihosting_host() {
    for (auto& [id, info] : m_handles)
        if (info.host_fd >= 0) ::close(info.host_fd);
}

bool semihosting_host::handle(hart& h) {
    const int64_t result = dispatch(h, h.reg(10), h.reg(11));
    h.set_reg(10, static_cast<uint64_t>(result));
    return true;
}

bool semihosting_host::read_block(hart& h, uint64_t addr, uint64_t* words, unsigned n) {
    return h.read_memory(addr, words, n * 8);
}

bool semihosting_host::read_string(hart& h, uint64_t addr, uint64_t len, std::string& out) {
    if (len > 4096) return false;
    out.resize(len);
    return len == 0 || h.read_memory(addr, out.data(), static_cast<unsigned>(len));
}

bool semihosting_host::resolve(const std::string& guest_path, std::string& host_path) {
    if (m_cfg.file_root.empty()) return false;
    // Relative paths only, no `..` component: the file stays inside the root.
    if (guest_path.empty() || guest_path[0] == '/') return false;
    size_t start = 0;
    while (start <= guest_path.size()) {
        size_t end = guest_path.find('/', start);
        if (end == std::string::npos) end = guest_path.size();
        if (guest_path.compare(start, end - start, "..") == 0) return false;
        start = end + 1;
    }
    host_path = m_cfg.file_root + "/" + guest_path;
    // A symbolic link inside the root could still point out of it.
    char real_root[PATH_MAX], real_dir[PATH_MAX];
    if (!realpath(m_cfg.file_root.c_str(), real_root)) return false;
    std::string dir = host_path.substr(0, host_path.rfind('/'));
    if (!realpath(dir.c_str(), real_dir)) return false;
    const size_t n = std::strlen(real_root);
    if (std::strncmp(real_dir, real_root, n) != 0 || (real_dir[n] != '\0' && real_dir[n] != '/'))
        return false;
    struct stat st;
    if (lstat(host_path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        char real_file[PATH_MAX];
        if (!realpath(host_path.c_str(), real_file)) return false;
        if (std::strncmp(real_file, real_root, n) != 0 || real_file[n] != '/') return false;
    }
    return true;
}

int64_t semihosting_host::open(hart& h, uint64_t name_addr, uint64_t mode, uint64_t len) {
    std::string name;
    if (!read_string(h, name_addr, len, name)) {
        m_errno = EFAULT;
        return -1;
    }
    handle_info info;
    if (name == ":tt") {
        info.is_console = true;
    } else if (name == ":semihosting-features") {
        info.is_features = true;
    } else {
        std::string path;
        if (!resolve(name, path)) {
            m_errno = EACCES;
            return -1;
        }
        // Modes: r, rb, r+, r+b, w, wb, w+, w+b, a, ab, a+, a+b (index 0..11).
        static const int flags[] = {O_RDONLY,
                                    O_RDONLY,
                                    O_RDWR,
                                    O_RDWR,
                                    O_WRONLY | O_CREAT | O_TRUNC,
                                    O_WRONLY | O_CREAT | O_TRUNC,
                                    O_RDWR | O_CREAT | O_TRUNC,
                                    O_RDWR | O_CREAT | O_TRUNC,
                                    O_WRONLY | O_CREAT | O_APPEND,
                                    O_WRONLY | O_CREAT | O_APPEND,
                                    O_RDWR | O_CREAT | O_APPEND,
                                    O_RDWR | O_CREAT | O_APPEND};
        if (mode > 11) {
            m_errno = EINVAL;
            return -1;
        }
        info.host_fd = ::open(path.c_str(), flags[mode] | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (info.host_fd < 0) {
            m_errno = errno;
            return -1;
        }
    }
    const int64_t id = m_next_handle++;
    m_handles[id] = info;
    return id;
}

int64_t semihosting_host::dispatch(hart& h, uint64_t op, uint64_t param) {
    uint64_t p[4] = {};
    auto params = [&](unsigned n) {
        if (!read_block(h, param, p, n)) {
            m_errno = EFAULT;
            return false;
        }
        return true;
    };
    auto find = [&](uint64_t id) -> handle_info* {
        auto it = m_handles.find(static_cast<int64_t>(id));
        if (it == m_handles.end()) {
            m_errno = EBADF;
            return nullptr;
        }
        return &it->second;
    };

    switch (op) {
    case sys_open:
        if (!params(3)) return -1;
        return open(h, p[0], p[1], p[2]);
    case sys_close: {
        if (!params(1)) return -1;
        handle_info* info = find(p[0]);
        if (!info) return -1;
        if (info->host_fd >= 0) ::close(info->host_fd);
        m_handles.erase(static_cast<int64_t>(p[0]));
        return 0;
    }
    case sys_writec: {
        char c;
        if (!h.read_memory(param, &c, 1)) return -1;
        if (console_write) console_write(&c, 1);
        return 0;
    }
    case sys_write0: {
        std::string s;
        char c;
        while (s.size() < (1u << 20) && h.read_memory(param + s.size(), &c, 1) && c != '\0')
            s.push_back(c);
        if (console_write) console_write(s.data(), s.size());
        return 0;
    }
    case sys_write: {
        if (!params(3)) return -1;
        handle_info* info = find(p[0]);
        if (!info || info->is_features) return static_cast<int64_t>(p[2]);
        std::vector<char> buf(p[2]);
        if (!buf.empty() && !h.read_memory(p[1], buf.data(), static_cast<unsigned>(buf.size()))) {
            m_errno = EFAULT;
            return static_cast<int64_t>(p[2]);
        }
        if (info->is_console) {
            if (console_write) console_write(buf.data(), buf.size());
            return 0;
        }
        const ssize_t n = ::write(info->host_fd, buf.data(), buf.size());
        if (n < 0) {
            m_errno = errno;
            return static_cast<int64_t>(p[2]);
        }
        return static_cast<int64_t>(p[2] - static_cast<uint64_t>(n));
    }
    case sys_read: {
        if (!params(3)) return -1;
        handle_info* info = find(p[0]);
        if (!info) return static_cast<int64_t>(p[2]);
        std::vector<char> buf(p[2]);
        size_t got = 0;
        if (info->is_features) {
            while (got < buf.size() && info->features_pos < sizeof(features_file))
                buf[got++] = static_cast<char>(features_file[info->features_pos++]);
        } else if (info->is_console) {
            while (got < buf.size()) {
                const int c = console_read ? console_read() : -1;
                if (c < 0) break;
                buf[got++] = static_cast<char>(c);
                if (c == '\n') break;
            }
        } else {
            const ssize_t n = ::read(info->host_fd, buf.data(), buf.size());
            if (n < 0) {
                m_errno = errno;
                return static_cast<int64_t>(p[2]);
            }
            got = static_cast<size_t>(n);
        }
        if (got > 0 && !h.write_memory(p[1], buf.data(), static_cast<unsigned>(got))) {
            m_errno = EFAULT;
            return static_cast<int64_t>(p[2]);
        }
        return static_cast<int64_t>(p[2] - got);
    }
    case sys_readc: return console_read ? console_read() : -1;
    case sys_iserror:
        if (!params(1)) return -1;
        return static_cast<int64_t>(p[0]) < 0 ? 1 : 0;
    case sys_istty: {
        if (!params(1)) return -1;
        handle_info* info = find(p[0]);
        return info && info->is_console ? 1 : 0;
    }
    case sys_seek: {
        if (!params(2)) return -1;
        handle_info* info = find(p[0]);
        if (!info) return -1;
        if (info->is_features) {
            info->features_pos = p[1];
            return 0;
        }
        if (info->host_fd < 0 || ::lseek(info->host_fd, static_cast<off_t>(p[1]), SEEK_SET) < 0) {
            m_errno = info->host_fd < 0 ? ESPIPE : errno;
            return -1;
        }
        return 0;
    }
    case sys_flen: {
        if (!params(1)) return -1;
        handle_info* info = find(p[0]);
        if (!info) return -1;
        if (info->is_features) return sizeof(features_file);
        struct stat st;
        if (info->host_fd < 0 || fstat(info->host_fd, &st) != 0) {
            m_errno = EBADF;
            return -1;
        }
        return st.st_size;
    }
    case sys_remove: {
        if (!params(2)) return -1;
        std::string name, path;
        if (!read_string(h, p[0], p[1], name) || !resolve(name, path)) {
            m_errno = EACCES;
            return -1;
        }
        if (::unlink(path.c_str()) != 0) {
            m_errno = errno;
            return -1;
        }
        return 0;
    }
    case sys_rename: {
        if (!params(4)) return -1;
        std::string from, to, from_path, to_path;
        if (!read_string(h, p[0], p[1], from) || !read_string(h, p[2], p[3], to) ||
            !resolve(from, from_path) || !resolve(to, to_path)) {
            m_errno = EACCES;
            return -1;
        }
        if (::rename(from_path.c_str(), to_path.c_str()) != 0) {
            m_errno = errno;
            return -1;
        }
        return 0;
    }
    case sys_clock: return static_cast<int64_t>((now_ns ? now_ns() : 0) / 10000000);
    // Simulated seconds, not the host's wall clock: runs must repeat exactly.
    case sys_time: return static_cast<int64_t>((now_ns ? now_ns() : 0) / 1000000000);
    case sys_errno: return m_errno;
    case sys_get_cmdline: {
        if (!params(2)) return -1;
        const std::string& cmd = m_cfg.command_line;
        if (cmd.size() + 1 > p[1]) return -1;
        if (!h.write_memory(p[0], cmd.c_str(), static_cast<unsigned>(cmd.size() + 1))) return -1;
        const uint64_t len = cmd.size();
        h.write_memory(param + 8, &len, 8);
        return 0;
    }
    case sys_heapinfo: {
        if (!params(1)) return -1;
        const uint64_t zero[4] = {}; // let the C library use its own linker-script heap
        return h.write_memory(p[0], zero, sizeof(zero)) ? 0 : -1;
    }
    case sys_exit:
    case sys_exit_extended: {
        if (!params(2)) return -1;
        const int code = p[0] == adp_stopped_application_exit ? static_cast<int>(p[1]) : 1;
        if (exit) exit(code);
        h.request_halt();
        return 0;
    }
    case sys_elapsed: {
        const uint64_t t = now_ns ? now_ns() : 0;
        return h.write_memory(param, &t, 8) ? 0 : -1;
    }
    case sys_tickfreq: return ticks_per_second;
    case sys_tmpnam:
    case sys_system:
    default: m_errno = ENOSYS; return -1;
    }
}

} // namespace rainier::rv64
