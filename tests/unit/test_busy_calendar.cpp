// busy_calendar against a brute-force reference: a bitmap of time units.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "core/busy_calendar.h"

using rainier::busy_calendar;

TEST(busy_calendar, ABookingReadyEarlierTakesTheGapBeforeALaterOne) {
    busy_calendar c;
    EXPECT_EQ(c.book(100, 10), 100u); // booked first, for the future
    EXPECT_EQ(c.book(0, 10), 0u);     // booked second, ready earlier: not behind it
    EXPECT_EQ(c.book(95, 10), 110u);  // [95, 105) overlaps [100, 110)
    EXPECT_EQ(c.book(10, 90), 10u);   // fills [10, 100) exactly
    EXPECT_EQ(c.intervals(), 1u);     // all touching: one interval [0, 120)
    EXPECT_EQ(c.last_end(), 120u);
    EXPECT_EQ(c.first_fit(0, 1), 120u);
    EXPECT_EQ(c.book(50, 0), 50u); // nothing to book
}

TEST(busy_calendar, ForgettingThePastKeepsTheFuture) {
    busy_calendar c;
    c.book(0, 10);
    c.book(20, 10);
    c.book(40, 10);
    c.forget_before(30);
    EXPECT_EQ(c.intervals(), 1u);
    EXPECT_EQ(c.book(30, 15), 50u); // [40, 50) is still busy
    EXPECT_EQ(c.last_end(), 65u);
}

TEST(busy_calendar, MatchesABruteForceReferenceOnRandomBookings) {
    std::mt19937 rng(7);
    for (int round = 0; round < 50; ++round) {
        busy_calendar c;
        std::vector<bool> busy(16384, false); // > 3000 + 200 * 40
        for (int i = 0; i < 200; ++i) {
            const uint64_t ready = rng() % 3000, dur = 1 + rng() % 40;
            uint64_t want = ready;
            for (;; ++want) {
                bool free = true;
                for (uint64_t t = want; t < want + dur && free; ++t)
                    free = !busy[t];
                if (free) break;
            }
            ASSERT_EQ(c.first_fit(ready, dur), want);
            ASSERT_EQ(c.book(ready, dur), want) << "round " << round << " booking " << i;
            for (uint64_t t = want; t < want + dur; ++t)
                busy[t] = true;
        }
    }
}
