// SBUF: the NeuronCore's state buffer, a partitioned SRAM (Trn2: 128 x 224 KiB). Partition p
// starts at p * RAINIER_SBUF_PARTITION_STRIDE in its window.
#pragma once

#include "partitioned_sram.h"

namespace rainier {

class sbuf : public partitioned_sram {
public:
    sbuf(sc_core::sc_module_name name, const sram_config& cfg) : partitioned_sram(name, cfg) {}
};

} // namespace rainier
