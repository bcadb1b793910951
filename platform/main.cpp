// rainier-vp: command line, configuration, elaboration, run, summary, exit code.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

#include <boost/program_options.hpp>
#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "address_map.h"
#include "config.h"
#include "console.h"
#include "device_tree.h"
#include "elf_loader.h"
#include "exit_codes.h"
#include "gdb_server.h"
#include "host_system.h"

namespace po = boost::program_options;
using namespace rainier;

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void on_sigint(int) {
    g_interrupted = 1;
}

struct options {
    std::string config_file;
    std::vector<std::string> sets;
    std::optional<double> max_time;
    uint64_t max_instructions = 0;
    std::string elf;    // the boot firmware (positional, or --bios)
    std::string kernel; // a second image, e.g. the S-mode payload OpenSBI jumps to
    bool quiet = false;
    bool dump_config = false;
    std::string stats_file;
    bool progress = false;
    std::string wave_file, wave_window, timeline_file;
    int gdb_port = 0; // 0: no GDB server
    bool gdb_wait = false;
};

class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

const char* usage_line =
    "usage: rainier-vp [--config FILE] [--set key=value]... [--max-time T] "
    "[--max-instructions N] [--tensor-engine rtl|fast] [--stats FILE] [--quiet] "
    "(ELF | --bios ELF [--kernel ELF])";

std::optional<options> parse_command_line(int argc, char** argv) {
    options opt;
    std::string max_time;
    po::options_description visible("options");
    visible.add_options()("help,h", "show this help and exit")(
        "config,c", po::value(&opt.config_file), "platform config (JSON); default: the lite chip")(
        "set,s", po::value(&opt.sets)->composing(),
        "override one config key, e.g. --set memory.dram_size=512MiB (repeatable)")(
        "bios", po::value<std::string>(), "boot firmware ELF (same as the positional ELF)")(
        "kernel", po::value(&opt.kernel),
        "a second ELF loaded beside the firmware, e.g. the payload of OpenSBI's fw_jump")(
        "tensor-engine", po::value<std::string>(),
        "rtl (the Verilated core) or fast (the C++ model): same as --set "
        "neuroncore.tensor_engine=...")("max-time", po::value(&max_time),
                                        "stop after this much simulated time, e.g. 10ms")(
        "max-instructions", po::value(&opt.max_instructions),
        "stop after this many host CPU instructions")("quiet,q", po::bool_switch(&opt.quiet),
                                                      "no summary at exit")(
        "progress", po::bool_switch(&opt.progress),
        "a progress line on stderr (default when stderr is a terminal)")(
        "stats", po::value(&opt.stats_file), "write run statistics as JSON to this file")(
        "wave", po::value(&opt.wave_file), "write an FST waveform (open with scripts/view-waves)")(
        "wave-window", po::value(&opt.wave_window),
        "only record the waveform between two simulated times, e.g. 1ms:2ms")(
        "timeline", po::value(&opt.timeline_file),
        "write a Chrome trace-event timeline (JSON; opens in Perfetto)")(
        "gdb", po::value(&opt.gdb_port), "serve GDB's remote protocol on 127.0.0.1:PORT")(
        "gdb-wait", po::bool_switch(&opt.gdb_wait),
        "with --gdb: wait for GDB to connect before the first instruction")(
        "dump-config", po::bool_switch(&opt.dump_config),
        "print the effective configuration as JSON and exit")(
        "list-config-keys", "list every config key with its default and exit");
    po::options_description hidden;
    hidden.add_options()("elf", po::value(&opt.elf), "firmware ELF");
    po::options_description all;
    all.add(visible).add(hidden);
    po::positional_options_description pos;
    pos.add("elf", 1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw usage_error(e.what());
    }
    if (vm.count("help")) {
        std::cout << usage_line << "\n\n"
                  << "Runs a RISC-V firmware ELF on the rainier-vp virtual platform.\n"
                  << "Exit code: the firmware's (0 = pass); " << exit_code::bad_input
                  << " bad input, " << exit_code::limit_reached << " limit reached, "
                  << exit_code::firmware_crash << " firmware crash, " << exit_code::internal_error
                  << " internal error, " << exit_code::interrupted << " interrupted.\n\n"
                  << visible << "\n";
        return std::nullopt;
    }
    if (vm.count("list-config-keys")) {
        for (const config_key& k : platform_config::schema())
            std::cout << k.path << " = " << k.default_value.dump() << "\n    " << k.help << "\n";
        return std::nullopt;
    }
    if (!max_time.empty()) opt.max_time = parse_time_seconds(max_time, "--max-time");
    if (vm.count("tensor-engine")) {
        const std::string mode = vm["tensor-engine"].as<std::string>();
        if (mode != "rtl" && mode != "fast")
            throw usage_error("--tensor-engine: expected rtl or fast, got '" + mode + "'");
        opt.sets.push_back("neuroncore.tensor_engine=" + mode); // last, so it wins
    }
    if (!opt.wave_window.empty() && opt.wave_file.empty())
        throw usage_error("--wave-window needs --wave FILE");
    if (!opt.wave_window.empty() && opt.wave_window.find(':') == std::string::npos)
        throw usage_error("--wave-window: expected START:END, e.g. 1ms:2ms");
    if (opt.gdb_wait && opt.gdb_port == 0) throw usage_error("--gdb-wait needs --gdb PORT");
    if (opt.gdb_port < 0 || opt.gdb_port > 65535)
        throw usage_error("--gdb: port " + std::to_string(opt.gdb_port) + " is not in 1-65535");
    if (vm.count("bios")) {
        if (!opt.elf.empty())
            throw usage_error("give the firmware either as --bios or as ELF, not both");
        opt.elf = vm["bios"].as<std::string>();
    }
    if (opt.elf.empty() && !opt.dump_config) throw usage_error("no firmware ELF given");
    return opt;
}

// No two images, and not the device tree, may share a byte.
void check_disjoint(const std::vector<elf_image>& images, uint64_t dtb_addr, uint64_t dtb_size) {
    struct span {
        uint64_t first, last;
        std::string what;
    };
    std::vector<span> spans;
    for (const elf_image& image : images)
        for (const elf_segment& seg : image.segments)
            spans.push_back(
                {seg.addr, seg.addr + seg.mem_size - 1, "a segment of '" + image.path + "'"});
    spans.push_back({dtb_addr, dtb_addr + dtb_size - 1, "the device tree"});
    for (size_t i = 0; i < spans.size(); ++i)
        for (size_t j = i + 1; j < spans.size(); ++j)
            if (spans[i].first <= spans[j].last && spans[j].first <= spans[i].last) {
                std::ostringstream msg;
                msg << std::hex << spans[i].what << " [0x" << spans[i].first << ", 0x"
                    << spans[i].last << "] overlaps " << spans[j].what << " [0x" << spans[j].first
                    << ", 0x" << spans[j].last << "]";
                throw elf_error(msg.str());
            }
}

std::string format_time(double seconds) {
    char buf[64];
    if (seconds >= 1)
        std::snprintf(buf, sizeof(buf), "%.6f s", seconds);
    else if (seconds >= 1e-3)
        std::snprintf(buf, sizeof(buf), "%.6f ms", seconds * 1e3);
    else
        std::snprintf(buf, sizeof(buf), "%.3f us", seconds * 1e6);
    return buf;
}

int run(const options& opt) {
    platform_config cfg;
    if (!opt.config_file.empty()) cfg.load_file(opt.config_file);
    for (const std::string& s : opt.sets)
        cfg.set(s);
    cfg.validate();
    const std::vector<region> regions = host_regions(cfg);
    check_overlaps(regions);
    if (opt.dump_config) {
        std::cout << cfg.to_json().dump(2) << "\n";
        return 0;
    }
    std::vector<elf_image> images;
    images.push_back(read_elf(opt.elf));
    if (!opt.kernel.empty()) images.push_back(read_elf(opt.kernel));
    for (const elf_image& image : images)
        check_placement(image, regions);
    const std::vector<uint8_t> dtb = build_device_tree(cfg);
    const uint64_t dtb_addr = device_tree_address(cfg, dtb.size());
    check_disjoint(images, dtb_addr, dtb.size());

    tlm_utils::tlm_quantumkeeper::set_global_quantum(
        sc_core::sc_time::from_seconds(cfg.get_time("cpu.quantum")));
    console con(cfg.get_string("uart.output"), cfg.get_string("uart.input"));
    run_control control;
    std::unique_ptr<host_system> sys_owner;
    try {
        sys_owner = std::make_unique<host_system>("host", cfg, control, con, opt.max_instructions);
    } catch (const std::invalid_argument& e) {
        // A model refused its configuration (e.g. an RTL tensor engine size that is not built).
        throw config_error(e.what());
    }
    host_system& sys = *sys_owner;
    for (const elf_image& image : images)
        sys.load(image);
    sys.load_blob(dtb_addr, dtb, "device tree");
    sys.set_boot(images.front().entry, dtb_addr);
    std::unique_ptr<wave_writer> wave;
    std::unique_ptr<timeline> trace;
    if (!opt.wave_file.empty()) {
        sc_core::sc_time start = sc_core::SC_ZERO_TIME, end = sc_core::sc_max_time();
        if (!opt.wave_window.empty()) {
            const size_t colon = opt.wave_window.find(':');
            start = sc_core::sc_time::from_seconds(
                parse_time_seconds(opt.wave_window.substr(0, colon), "--wave-window start"));
            end = sc_core::sc_time::from_seconds(
                parse_time_seconds(opt.wave_window.substr(colon + 1), "--wave-window end"));
            if (end <= start) throw usage_error("--wave-window: the end must come after the start");
        }
        wave = std::make_unique<wave_writer>(opt.wave_file, start, end);
    }
    if (!opt.timeline_file.empty()) trace = std::make_unique<timeline>(opt.timeline_file);
    sys.attach_probes(probes{wave.get(), trace.get()});
    std::unique_ptr<gdb_server> gdb;
    if (opt.gdb_port != 0) {
        gdb = std::make_unique<gdb_server>(sys.cpu(), control, static_cast<uint16_t>(opt.gdb_port),
                                           opt.gdb_wait);
        try {
            gdb->start();
        } catch (const std::runtime_error& e) {
            throw usage_error(e.what()); // e.g. the port is taken: bad input, exit 2
        }
    }

    std::signal(SIGINT, on_sigint);
    const auto wall_start = std::chrono::steady_clock::now();
    const sc_core::sc_time slice(1, sc_core::SC_MS);
    const sc_core::sc_time limit =
        opt.max_time ? sc_core::sc_time::from_seconds(*opt.max_time) : sc_core::sc_max_time();
    // sc_stop() is how a run ends; it is not news.
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);
    bool started = false;
    const bool show_progress = opt.progress || isatty(STDERR_FILENO);
    bool progress_shown = false;
    auto last_progress = wall_start;
    while (!control.stopping()) {
        if (g_interrupted) {
            control.request_stop(run_outcome::interrupted, 0, "interrupted (SIGINT)",
                                 sc_core::sc_time_stamp());
            break;
        }
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        if (now >= limit) {
            control.request_stop(run_outcome::limit_reached, 0,
                                 "simulated time limit (--max-time) reached", now);
            break;
        }
        if (started && !sc_core::sc_pending_activity()) {
            std::ostringstream msg;
            msg << std::hex << "nothing left to simulate: the hart waits for an interrupt that "
                << "no device will raise (WFI at pc 0x" << sys.cpu().core().pc() << ")";
            control.request_stop(run_outcome::firmware_crash, 0, msg.str(), now);
            break;
        }
        sc_core::sc_start(std::min(slice, limit - now));
        started = true;
        if (wave) wave->flush_until(sc_core::sc_time_stamp());
        if (show_progress) {
            const auto t = std::chrono::steady_clock::now();
            if (t - last_progress >= std::chrono::seconds(1)) {
                last_progress = t;
                const double w = std::chrono::duration<double>(t - wall_start).count();
                const uint64_t n = sys.cpu().core().instret();
                std::fprintf(stderr, "\rrainier-vp: %s simulated, %.1f s wall, %.1f MIPS   ",
                             format_time(sc_core::sc_time_stamp().to_seconds()).c_str(), w,
                             static_cast<double>(n) / w / 1e6);
                progress_shown = true;
            }
        }
    }
    if (progress_shown) std::fputc('\n', stderr);
    std::signal(SIGINT, SIG_DFL);
    if (sc_core::sc_get_status() != sc_core::SC_STOPPED) sc_core::sc_stop();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    con.flush();
    // Complete files whatever ended the run (exit, limit, Ctrl-C, crash).
    if (wave) wave->close();
    if (trace) trace->close();

    int code = 0;
    switch (control.outcome()) {
    case run_outcome::firmware_exit:
        code = control.code();
        if (code != 0 && (code & 0xff) == 0) code = 1; // an exit status keeps 8 bits
        code &= 0xff;
        break;
    case run_outcome::limit_reached: code = exit_code::limit_reached; break;
    case run_outcome::firmware_crash: code = exit_code::firmware_crash; break;
    case run_outcome::interrupted: code = exit_code::interrupted; break;
    default: code = exit_code::internal_error; break;
    }
    if (gdb) gdb->notify_exit(code);
    const bool failed = control.outcome() != run_outcome::firmware_exit || control.code() != 0;
    if (failed && opt.quiet) std::cerr << "rainier-vp: " << control.message() << "\n";
    const uint64_t instret = sys.cpu().core().instret();
    const double sim_s = control.stop_time().to_seconds();
    // Per chip: HBM traffic and timing, DMA bytes.
    nlohmann::json chips = nlohmann::json::array();
    uint64_t hbm_bytes = 0, te_instructions = 0;
    double te_util = 0; // the busiest core's
    for (unsigned n = 0; n < sys.num_chips(); ++n) {
        chip& c = sys.chip_at(n);
        std::ostringstream hbm_json;
        c.hbm().print_stats(hbm_json);
        uint64_t dma_bytes = 0;
        for (unsigned e = 0; e < c.num_dma(); ++e)
            dma_bytes += c.dma(e).bytes();
        const auto& hs = c.hbm().stats();
        hbm_bytes += hs.bytes_read + hs.bytes_written;
        nlohmann::json cores = nlohmann::json::array();
        for (unsigned k = 0; k < c.cfg().cores; ++k) {
            neuroncore& nc = c.core(k);
            const tensor_engine& te = nc.te();
            const double active = te.active_cycles() * te.period().to_seconds();
            const double peak = double(te.cfg().rows) * te.cfg().cols * te.active_cycles();
            const double util = peak > 0 ? static_cast<double>(te.macs()) / peak : 0.0;
            te_util = std::max(te_util, util);
            te_instructions += te.instructions();
            cores.push_back({{"te",
                              {{"mode", te_mode_name(te.cfg().mode)},
                               {"rows", te.cfg().rows},
                               {"cols", te.cfg().cols},
                               {"instructions", te.instructions()},
                               {"macs", te.macs()},
                               {"moving_beats", te.moving_beats()},
                               {"period_ps", te.period().value()},
                               {"busy_cycles", te.busy_cycles()},
                               {"active_s", active},
                               {"active_wall_s", te.active_wall_s()},
                               {"utilisation", util},
                               {"errors", nc.queue(RAINIER_NC_ENGINE_TENSOR).errors()}}},
                             {"ve",
                              {{"instructions", nc.ve().instructions()},
                               {"elements", nc.ve().elements()},
                               {"errors", nc.queue(RAINIER_NC_ENGINE_VECTOR).errors()}}}});
        }
        // NeuronLink: this chip's router and its ports (one direction each: what it sent).
        const link::router& r = sys.router_at(n);
        nlohmann::json ports = nlohmann::json::array();
        for (unsigned p = 0; p < r.ports(); ++p) {
            const link::link_port& lp = r.port(p);
            const auto& ls = lp.stats();
            const std::string& pn = lp.name();
            ports.push_back({{"port", pn.substr(pn.rfind('.') + 1)},
                             {"up", lp.up()},
                             {"transfers", ls.transfers},
                             {"packets", ls.packets},
                             {"payload_bytes", ls.payload_bytes},
                             {"wire_bytes", ls.wire_bytes},
                             {"busy_s", double(ls.busy_ps) * 1e-12},
                             {"credit_stall_s", double(ls.credit_stall_ps) * 1e-12},
                             {"peak_in_flight_bytes", ls.peak_in_flight_bytes}});
        }
        const auto& rs = r.stats();
        chips.push_back({{"hbm", nlohmann::json::parse(hbm_json.str())},
                         {"dma", {{"bytes", dma_bytes}, {"engines", c.num_dma()}}},
                         {"cores", cores},
                         {"link",
                          {{"local", rs.local},
                           {"host", rs.host},
                           {"sent", rs.sent},
                           {"forwarded", rs.forwarded},
                           {"delivered", rs.delivered},
                           {"errors", rs.errors},
                           {"ports", ports}}}});
    }
    if (!opt.stats_file.empty()) {
        nlohmann::json stats = {
            {"chips", chips},
            {"topology", sys.topology().spec()},
            {"outcome", control.message()},
            {"exit_code", code},
            {"simulated_time_s", sim_s},
            {"wall_time_s", wall},
            {"host_cpu",
             {{"instructions", instret},
              {"cycles", sys.cpu().core().cycles()},
              {"mips", wall > 0 ? static_cast<double>(instret) / wall / 1e6 : 0.0}}},
        };
        std::ofstream out(opt.stats_file);
        out << stats.dump(2) << "\n";
        if (!out) std::cerr << "rainier-vp: cannot write stats to '" << opt.stats_file << "'\n";
    }
    if (!opt.quiet) {
        std::fprintf(stderr,
                     "rainier-vp: %s\n"
                     "  simulated time   %s\n"
                     "  instructions     %llu\n"
                     "  wall time        %.3f s\n"
                     "  speed            %.1f MIPS\n"
                     "  HBM traffic      %llu bytes\n",
                     control.message().c_str(), format_time(sim_s).c_str(),
                     static_cast<unsigned long long>(instret), wall,
                     wall > 0 ? static_cast<double>(instret) / wall / 1e6 : 0.0,
                     static_cast<unsigned long long>(hbm_bytes));
        if (te_instructions > 0)
            std::fprintf(stderr,
                         "  tensor engine    %llu instructions, %.1f %% of peak from its first "
                         "to its last\n",
                         static_cast<unsigned long long>(te_instructions), 100.0 * te_util);
        std::fprintf(stderr, "  exit code        %d\n", code);
    }
    return code;
}

} // namespace

int sc_main(int argc, char** argv) {
    try {
        const std::optional<options> opt = parse_command_line(argc, argv);
        if (!opt) return 0;
        return run(*opt);
    } catch (const usage_error& e) {
        std::cerr << "rainier-vp: " << e.what() << "\n" << usage_line << "\n";
        return exit_code::bad_input;
    } catch (const config_error& e) {
        std::cerr << "rainier-vp: " << e.what() << "\n";
        return exit_code::bad_input;
    } catch (const elf_error& e) {
        std::cerr << "rainier-vp: " << e.what() << "\n";
        return exit_code::bad_input;
    } catch (const std::exception& e) {
        std::cerr << "rainier-vp: internal error: " << e.what() << "\n";
        return exit_code::internal_error;
    }
}

// Our own entry point: the console belongs to the firmware, so the kernel's banner (printed
// before sc_main) must be switched off first.
int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return sc_core::sc_elab_and_sim(argc, argv);
}
