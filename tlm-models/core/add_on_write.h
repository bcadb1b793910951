// A write that adds (RAINIER_DMA_FLAG_ADD): the memory combines each element of the payload
// with the element stored there and marks the extension `applied`. A target that does not
// know it ignores the extension (the initiator sees `applied` false).
#pragma once

#include <cstdint>

#include <tlm>

namespace rainier {

struct add_on_write : tlm::tlm_extension<add_on_write> {
    unsigned dtype = 0; // RAINIER_DT_FP32 or RAINIER_DT_BF16
    bool applied = false;

    tlm::tlm_extension_base* clone() const override { return new add_on_write(*this); }
    void copy_from(const tlm::tlm_extension_base& e) override {
        *this = static_cast<const add_on_write&>(e);
    }
};

// stored[i] = stored[i] + in[i] over len bytes of `dtype` elements, with the vector engine's
// FP32 addition (and RNE to BF16). False (nothing changed) for another dtype or a len that is
// not whole elements.
bool add_elements(uint8_t* stored, const uint8_t* in, unsigned len, unsigned dtype);

} // namespace rainier
