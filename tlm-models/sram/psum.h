// PSUM: the partial-sum buffer (Trn2: 128 partitions x 16 KiB = 8 banks x 512 FP32). `in` is
// the plain window; `acc` is the accumulate alias (RAINIER_PSUM_ACC_OFFSET): a write there adds
// its FP32 values to the stored ones (round-to-nearest-even, subnormals flushed to zero, NaN
// canonical), must be 4-byte aligned and whole words; a read there is a plain read.
#pragma once

#include "partitioned_sram.h"

namespace rainier {

class psum : public partitioned_sram {
public:
    tlm_utils::simple_target_socket<psum> acc;

    psum(sc_core::sc_module_name name, const sram_config& cfg);

    static float accumulate(float stored, float in); // the combining rule, for tests too

private:
    void acc_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned acc_transport_dbg(tlm::tlm_generic_payload& trans);
    bool acc_access(tlm::tlm_generic_payload& trans);
};

} // namespace rainier
