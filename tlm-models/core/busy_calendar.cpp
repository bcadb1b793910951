#include "busy_calendar.h"

#include <algorithm>

namespace rainier {

namespace {
// The first interval that may overlap [ready, ...): the one starting at or before ready if it
// reaches past it, else the next. Then past every interval the booking would overlap.
template <typename Map, typename It>
uint64_t fit(Map& busy, uint64_t ready, uint64_t duration, It& it) {
    it = busy.upper_bound(ready);
    if (it != busy.begin() && std::prev(it)->second > ready) --it;
    uint64_t start = ready;
    while (it != busy.end() && it->first < start + duration) {
        start = std::max(start, it->second);
        ++it;
    }
    return start;
}
} // namespace

uint64_t busy_calendar::first_fit(uint64_t ready, uint64_t duration) const {
    if (duration == 0) return ready;
    std::map<uint64_t, uint64_t>::const_iterator it;
    return fit(m_busy, ready, duration, it);
}

uint64_t busy_calendar::book(uint64_t ready, uint64_t duration) {
    if (duration == 0) return ready;
    std::map<uint64_t, uint64_t>::iterator it;
    const uint64_t start = fit(m_busy, ready, duration, it);
    const uint64_t end = start + duration;
    // Merge with the interval ending exactly at start and the one starting exactly at end.
    uint64_t from = start, to = end;
    if (it != m_busy.end() && it->first == end) {
        to = it->second;
        it = m_busy.erase(it);
    }
    if (it != m_busy.begin()) {
        auto before = std::prev(it);
        if (before->second == start) {
            from = before->first;
            m_busy.erase(before);
        }
    }
    m_busy.emplace(from, to);
    return start;
}

void busy_calendar::forget_before(uint64_t t) {
    while (!m_busy.empty() && m_busy.begin()->second <= t) {
        m_forgotten_end = std::max(m_forgotten_end, m_busy.begin()->second);
        m_busy.erase(m_busy.begin());
    }
}

} // namespace rainier
