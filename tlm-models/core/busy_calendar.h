// The busy intervals of a shared timing resource (a memory port, a link) whose users book it
// out of time order: loosely-timed initiators run ahead of simulated time by different
// amounts, so a request booked later may want an earlier time. A booking takes the earliest
// gap at or after its ready time that fits; a single "free at" time would instead queue every
// request behind the latest booking so far, however far in the future that is.
// Times are integers (ps, or any unit the owner picks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

namespace rainier {

class busy_calendar {
public:
    // Books `duration` at the earliest start >= ready with the resource free throughout;
    // returns that start. A zero duration books nothing and returns `ready`.
    uint64_t book(uint64_t ready, uint64_t duration);
    // Where book() would place it, booking nothing.
    uint64_t first_fit(uint64_t ready, uint64_t duration) const;
    // Forgets intervals that end at or before `t`: no booking will be ready before it.
    void forget_before(uint64_t t);
    // The end of the latest booking (0 if none).
    uint64_t last_end() const { return m_busy.empty() ? m_forgotten_end : m_busy.rbegin()->second; }
    size_t intervals() const { return m_busy.size(); }

private:
    std::map<uint64_t, uint64_t> m_busy; // start -> end; disjoint, touching ones merged
    uint64_t m_forgotten_end = 0;
};

} // namespace rainier
