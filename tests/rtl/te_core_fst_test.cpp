// The traced core writes an FST; GTKWave's fst2vcd reads it back and the expected
// signals and transitions are there.
#include "te_core_harness.h"

#include "Vte_core_8x8_trace.h"

#include <verilated_fst_c.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

using namespace rainier;
using golden::te_op;
using golden::te_op_kind;
using numerics::dtype;

struct vcd_signal {
    std::string code;
    int rises = 0;
    int falls = 0;
    int changes = 0;
    std::string value = "x";
};

TEST(te_core_fst, waveform_readable_by_gtkwave_tools) {
    const std::string fst = std::string(FST_DIR) + "/te_core_8x8.fst";
    const std::string vcd = std::string(FST_DIR) + "/te_core_8x8.vcd";
    std::remove(fst.c_str());
    std::remove(vcd.c_str());
    {
        te_test::te_core_harness<Vte_core_8x8_trace> h(8, 8);
        VerilatedFstC tfp;
        h.open_trace(&tfp, fst);
        std::vector<te_op> program{{te_op_kind::load_stationary, dtype::bf16, 8, 8, 0, false,
                                    std::vector<uint16_t>(64, 0x3f80)},
                                   {te_op_kind::multiply_moving, dtype::bf16, 0, 0, 5, true,
                                    std::vector<uint16_t>(8 * 5, 0x4000)}};
        auto res = h.run(program);
        ASSERT_EQ(res.outputs.size(), 5u);
        EXPECT_EQ(res.outputs[0].data[0], 0x41800000u); // 8 * (1 * 2) = 16
        h.close_trace();
    }
    const std::string cmd = std::string(FST2VCD) + " -f " + fst + " -o " + vcd;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

    std::ifstream in(vcd);
    ASSERT_TRUE(in.good());
    std::map<std::string, vcd_signal> by_name; // last path element -> signal (first seen)
    std::map<std::string, std::vector<std::string>> names_of;
    std::map<std::string, std::string> value_of; // code -> last value
    std::map<std::string, int> changes_of_any;   // name -> changes of any signal so named
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        if (header) {
            std::string tok, type, width, code, name;
            ls >> tok;
            if (tok == "$var") {
                ls >> type >> width >> code >> name;
                if (!by_name.count(name)) by_name[name].code = code;
                names_of[code].push_back(name);
            } else if (tok == "$enddefinitions") {
                header = false;
            }
            continue;
        }
        if (line.empty() || line[0] == '#' || line[0] == '$') continue;
        std::string value, code;
        if (line[0] == 'b' || line[0] == 'r') {
            ls >> value >> code;
            value = value.substr(1);
        } else {
            value = line.substr(0, 1);
            code = line.substr(1);
        }
        const std::string last = value_of.count(code) ? value_of[code] : "x";
        value_of[code] = value;
        for (const std::string& name : names_of[code]) {
            if (last != "x" && last != value) ++changes_of_any[name];
            vcd_signal& s = by_name[name];
            if (s.code != code) continue;
            if (s.value == "0" && value == "1") ++s.rises;
            if (s.value == "1" && value == "0") ++s.falls;
            if (s.value != "x") ++s.changes;
            s.value = value;
        }
    }
    for (const char* name :
         {"clk_i", "rst_ni", "ld_valid_i", "mm_valid_i", "mm_ready_o", "out_valid_o", "out_data_o",
          "busy_o", "w_act_q", "w_sh_q", "psum_q", "x_q", "swap_q"})
        EXPECT_TRUE(by_name.count(name)) << name << " missing from the FST";
    EXPECT_GT(by_name["clk_i"].rises, 20);
    EXPECT_EQ(by_name["out_valid_o"].rises, 1); // one burst of 5 output vectors
    EXPECT_EQ(by_name["out_valid_o"].falls, 1);
    EXPECT_EQ(by_name["swap_q"].rises, 1);    // the token passes PE(0,0) once
    EXPECT_GE(by_name["w_act_q"].changes, 1); // weights swapped in
    EXPECT_GE(changes_of_any["psum_q"], 1);   // PE(0,0)'s is the constant -0 from above
}

} // namespace
