// Walks one side of a DMA descriptor's 3-D access pattern as contiguous byte runs.
#pragma once

#include <cstdint>

namespace rainier {

class access_pattern {
public:
    access_pattern(uint64_t base, const int32_t stride[3], const uint16_t count[3], unsigned elem)
        : m_base(base), m_elem(elem) {
        for (int d = 0; d < 3; ++d) {
            m_stride[d] = stride[d];
            m_count[d] = count[d];
        }
        // Dimension 0 is one run when its elements are adjacent.
        m_run = (m_stride[0] == int64_t(elem)) ? uint64_t(m_count[0]) * elem : elem;
        m_runs_in_dim0 = (m_stride[0] == int64_t(elem)) ? 1 : m_count[0];
    }

    uint64_t total_bytes() const { return uint64_t(m_count[0]) * m_count[1] * m_count[2] * m_elem; }
    bool done() const { return m_i2 >= m_count[2]; }

    // The next contiguous chunk of at most max_bytes; false when the pattern is exhausted.
    bool next(uint64_t max_bytes, uint64_t& addr, uint64_t& len) {
        if (done()) return false;
        const uint64_t start =
            m_base + uint64_t(int64_t(m_i0) * m_stride[0] + int64_t(m_i1) * m_stride[1] +
                              int64_t(m_i2) * m_stride[2]);
        addr = start + m_offset;
        len = m_run - m_offset;
        if (len > max_bytes) len = max_bytes;
        m_offset += len;
        if (m_offset == m_run) {
            m_offset = 0;
            if (++m_i0 >= m_runs_in_dim0) {
                m_i0 = 0;
                if (++m_i1 >= m_count[1]) {
                    m_i1 = 0;
                    ++m_i2;
                }
            }
        }
        return true;
    }

private:
    uint64_t m_base;
    unsigned m_elem;
    int64_t m_stride[3];
    uint32_t m_count[3];
    uint64_t m_run;
    uint32_t m_runs_in_dim0;
    uint32_t m_i0 = 0, m_i1 = 0, m_i2 = 0;
    uint64_t m_offset = 0;
};

} // namespace rainier
