// gtest inside sc_main: SystemC warnings and errors throw, so they fail the test that caused
// them. ctest runs each TEST in its own process (gtest_discover_tests): one elaboration each.
#include <gtest/gtest.h>
#include <systemc>

int sc_main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    using namespace sc_core;
    sc_report_handler::set_actions(SC_WARNING, SC_DISPLAY | SC_THROW);
    sc_report_handler::set_actions(SC_ERROR, SC_DISPLAY | SC_THROW);
    sc_report_handler::set_actions(SC_FATAL, SC_DISPLAY | SC_THROW);
    sc_report_handler::set_actions("/OSCI/SystemC", SC_INFO, SC_DO_NOTHING);
    return RUN_ALL_TESTS();
}
