// Interrupt wires between models: an irq_out drives any number of bound irq_in, which call
// back into their owner. Level-sensitive and synchronous (no delta cycle), so temporally
// decoupled initiators see a line change at once.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace rainier {

class irq_in {
public:
    using handler = std::function<void(bool level)>;

    irq_in() = default;
    explicit irq_in(handler on_change) : m_on_change(std::move(on_change)) {}
    void set_handler(handler on_change) { m_on_change = std::move(on_change); }

    void drive(bool level) {
        if (level == m_level) return;
        m_level = level;
        if (m_on_change) m_on_change(level);
    }
    bool level() const { return m_level; }

private:
    handler m_on_change;
    bool m_level = false;
};

class irq_out {
public:
    void bind(irq_in& in) {
        m_targets.push_back(&in);
        in.drive(m_level);
    }
    void write(bool level) {
        if (level == m_level) return;
        m_level = level;
        for (irq_in* t : m_targets)
            t->drive(level);
    }
    bool read() const { return m_level; }
    bool bound() const { return !m_targets.empty(); }

private:
    std::vector<irq_in*> m_targets;
    bool m_level = false;
};

} // namespace rainier
