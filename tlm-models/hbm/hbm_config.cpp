#include "hbm_config.h"

#include <cmath>
#include <stdexcept>

namespace rainier::hbm {

namespace {
bool pow2(uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}
void require(bool ok, const char* field, const char* why) {
    if (!ok) throw std::invalid_argument(std::string(field) + ": " + why);
}
} // namespace

mapping_kind parse_mapping(const std::string& name) {
    if (name == "bg_interleave") return mapping_kind::bg_interleave;
    if (name == "channel_interleave") return mapping_kind::channel_interleave;
    if (name == "row_bank_channel") return mapping_kind::row_bank_channel;
    throw std::invalid_argument("address_mapping: unknown mapping '" + name + "'");
}

const char* mapping_name(mapping_kind k) {
    switch (k) {
    case mapping_kind::bg_interleave: return "bg_interleave";
    case mapping_kind::channel_interleave: return "channel_interleave";
    case mapping_kind::row_bank_channel: return "row_bank_channel";
    }
    return "?";
}

void config::validate() const {
    require(geo.stacks >= 1, "stacks", "must be at least 1");
    require(pow2(geo.channels), "channels", "must be a power of two");
    require(pow2(geo.pseudo_channels), "pseudo_channels", "must be a power of two");
    require(pow2(geo.bank_groups) && geo.bank_groups <= 8, "bank_groups",
            "must be a power of two, at most 8");
    require(pow2(geo.banks), "banks", "must be a power of two");
    require(geo.burst_length == 4 || geo.burst_length == 8, "burst_length", "must be 4 or 8");
    require(pow2(geo.page_bytes) && geo.page_bytes >= geo.burst_bytes() * geo.bank_groups,
            "page_bytes", "must be a power of two holding a burst per bank group");
    const uint64_t row_unit =
        uint64_t(geo.channels) * geo.pseudo_channels * geo.banks_per_pc() * geo.page_bytes;
    require(geo.stack_bytes >= row_unit && geo.stack_bytes % row_unit == 0, "stack_bytes",
            "must be a non-zero multiple of channels x pseudo-channels x banks x page size");
    require(pow2(interleave_bytes) && interleave_bytes >= geo.burst_bytes() * geo.bank_groups &&
                interleave_bytes <= geo.page_bytes,
            "interleave_bytes",
            "must be a power of two between one burst per bank group and the page size");
    require(cycles.data_rate_gbps > 0 && cycles.data_rate_gbps <= 20, "data_rate",
            "must be in (0, 20] Gb/s per pin");
    require(cycles.tREFI_s > cycles.tRFC_s, "tREFI", "must be longer than tRFC");
    require(cycles.tCCD_S >= 1 && cycles.tCCD_L >= 1, "tCCD", "must be at least 1");
}

timing config::resolve() const {
    // tCK covers 4 UI (HBM3: WDQS runs at twice CK, double data rate); a burst is BL UI.
    const double tck_ps = 4.0 * 1000.0 / cycles.data_rate_gbps;
    auto ck = [&](unsigned n) { return static_cast<uint64_t>(std::llround(n * tck_ps)); };
    auto sec = [](double s) { return static_cast<uint64_t>(std::llround(s * 1e12)); };
    timing t{};
    t.tCK = ck(1);
    t.tBURST =
        static_cast<uint64_t>(std::llround(geo.burst_length * 1000.0 / cycles.data_rate_gbps));
    t.CL = ck(cycles.CL);
    t.WL = ck(cycles.WL);
    t.tRCD_RD = ck(cycles.tRCD_RD);
    t.tRCD_WR = ck(cycles.tRCD_WR);
    t.tRP = ck(cycles.tRP);
    t.tRAS = ck(cycles.tRAS);
    t.tRC = ck(cycles.tRC);
    t.tCCD_S = ck(cycles.tCCD_S);
    t.tCCD_L = ck(cycles.tCCD_L);
    t.tRRD_S = ck(cycles.tRRD_S);
    t.tRRD_L = ck(cycles.tRRD_L);
    t.tFAW = ck(cycles.tFAW);
    t.tWTR_S = ck(cycles.tWTR_S);
    t.tWTR_L = ck(cycles.tWTR_L);
    t.tRTW = ck(cycles.tRTW);
    t.tRTP = ck(cycles.tRTP);
    t.tWR = ck(cycles.tWR);
    t.tREFI = sec(cycles.tREFI_s);
    t.tRFC = sec(cycles.tRFC_s);
    t.controller_latency = sec(cycles.controller_latency_s);
    t.refresh = cycles.refresh;
    return t;
}

double config::peak_bandwidth() const {
    return double(geo.total_pcs()) * geo.dq_bits * cycles.data_rate_gbps * 1e9 / 8.0;
}

} // namespace rainier::hbm
