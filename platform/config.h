// Platform configuration: a typed schema of every key, loaded from a JSON file, overridden by
// `--set path.to.key=value`, and validated before anything is built. Every error names the key.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rainier {

class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class value_kind {
    boolean,
    integer,   // unsigned, decimal or 0x-prefixed hex string
    size,      // bytes: integer or "256MiB", "16KiB", "1GiB"
    frequency, // Hz: integer or "1GHz", "800MHz"
    time,      // seconds: "10us", "1ms", "5ns", "100ps"
    text,
    choice, // one of a fixed set of strings
};

struct config_key {
    std::string path;
    value_kind kind;
    nlohmann::json default_value;
    std::string help;
    std::vector<std::string> choices; // for value_kind::choice
};

// Parsers shared with the command line; they throw config_error naming `what`.
uint64_t parse_size(const nlohmann::json& v, const std::string& what);
double parse_frequency(const nlohmann::json& v, const std::string& what);
double parse_time_seconds(const nlohmann::json& v, const std::string& what);
uint64_t parse_integer(const nlohmann::json& v, const std::string& what);

class platform_config {
public:
    platform_config();

    static const std::vector<config_key>& schema();

    void load_file(const std::string& path);
    void set(const std::string& assignment); // "path.to.key=value"
    void validate() const;

    bool get_bool(const std::string& path) const;
    uint64_t get_integer(const std::string& path) const;
    uint64_t get_size(const std::string& path) const;
    double get_frequency(const std::string& path) const;
    double get_time(const std::string& path) const; // seconds
    std::string get_string(const std::string& path) const;

    // The effective configuration, as JSON (for --dump-config and stats).
    nlohmann::json to_json() const;

private:
    const config_key& key(const std::string& path) const;
    void assign(const std::string& path, const nlohmann::json& value, const std::string& origin);
    void walk(const nlohmann::json& node, const std::string& prefix, const std::string& origin);
    void validate_chip_keys(
        const std::function<void(const std::string&, const std::string&)>& fail) const;

    std::map<std::string, nlohmann::json> m_values;
};

} // namespace rainier
