#include "add_on_write.h"

#include "rainier/hw/neuroncore.h"
#include "vector_ops.h"

namespace rainier {

bool add_elements(uint8_t* stored, const uint8_t* in, unsigned len, unsigned dtype) {
    if (dtype != RAINIER_DT_FP32 && dtype != RAINIER_DT_BF16) return false;
    const unsigned es = RAINIER_DT_SIZE(dtype);
    if (len % es) return false;
    numerics::lfsr32 unused(1); // RNE takes no random bits
    for (unsigned i = 0; i < len; i += es) {
        const uint32_t sum = vector_ops::alu(RAINIER_ALU_ADD, vector_ops::load(dtype, stored + i),
                                             vector_ops::load(dtype, in + i));
        vector_ops::store(dtype, stored + i, sum, numerics::rounding::rne, unused);
    }
    return true;
}

} // namespace rainier
