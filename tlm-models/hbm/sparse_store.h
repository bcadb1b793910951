// Sparse backing store: a table of 1 MiB pages allocated on the first write (or DMI request);
// reads of a page never written return zeros without touching host memory. A page is
// calloc'ed, so the host kernel backs only the 4 KiB parts actually written.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

namespace rainier::hbm {

class sparse_store {
public:
    static constexpr unsigned page_bits = 20;
    static constexpr uint64_t page_size = uint64_t(1) << page_bits;

    explicit sparse_store(uint64_t size)
        : m_size(size), m_pages((size + page_size - 1) >> page_bits) {}
    ~sparse_store() {
        for (uint8_t* p : m_pages)
            std::free(p);
    }
    sparse_store(const sparse_store&) = delete;
    sparse_store& operator=(const sparse_store&) = delete;

    uint64_t size() const { return m_size; }
    uint64_t pages_touched() const { return m_touched; }

    uint8_t* page(uint64_t index) {
        uint8_t*& p = m_pages[index];
        if (p == nullptr) {
            p = static_cast<uint8_t*>(std::calloc(1, page_size));
            if (p == nullptr) throw std::bad_alloc();
            ++m_touched;
        }
        return p;
    }

    void write(uint64_t addr, const uint8_t* src, uint64_t len) {
        while (len) {
            const uint64_t off = addr & (page_size - 1);
            const uint64_t n = std::min(len, page_size - off);
            std::memcpy(page(addr >> page_bits) + off, src, n);
            addr += n, src += n, len -= n;
        }
    }
    void read(uint64_t addr, uint8_t* dst, uint64_t len) const {
        while (len) {
            const uint64_t off = addr & (page_size - 1);
            const uint64_t n = std::min(len, page_size - off);
            const uint8_t* p = m_pages[addr >> page_bits];
            if (p)
                std::memcpy(dst, p + off, n);
            else
                std::memset(dst, 0, n);
            addr += n, dst += n, len -= n;
        }
    }

private:
    uint64_t m_size;
    std::vector<uint8_t*> m_pages;
    uint64_t m_touched = 0;
};

} // namespace rainier::hbm
