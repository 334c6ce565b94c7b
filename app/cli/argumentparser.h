#pragma once

#include "model/costmodel.h"

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace earlybird::cli {

// A mistake in how the command was called; the CLI prints it with the command's usage and exits with code 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {
struct ParserApp;
}

// Options of one command, declared up front so that --help is generated from them and anything undeclared is an
// error rather than silently ignored. Parsing is CLI11's: `--name value` and `--name=value`, and `--config FILE`, a
// TOML or INI file of `name = value` lines (the options' long names) that sets options as if given before the
// command line's own.
class ArgumentParser {
public:
    ArgumentParser(std::string usage, std::string summary);
    ~ArgumentParser();
    ArgumentParser(const ArgumentParser&) = delete;
    ArgumentParser& operator=(const ArgumentParser&) = delete;

    void addOption(const std::string& name, const std::string& valueName, const std::string& help,
        std::optional<std::string> defaultValue = std::nullopt);
    void addFlag(const std::string& name, const std::string& help);
    void addPositional(const std::string& name, const std::string& help);
    // Accepts --config FILE (off by default: only commands whose options describe a run take one).
    void allowConfigFile(const std::string& help);

    // Throws UsageError for an unknown option, a missing value or a wrong number of positional arguments.
    void parse(const std::vector<std::string>& tokens);
    // Reads options from the text of a config file (TOML or INI), as --config FILE would. Throws UsageError.
    void parseConfigText(const std::string& text);
    // parse(), then print the help on stdout if it was asked for. True when the command should go on running.
    bool parseCommand(const std::vector<std::string>& tokens);

    bool helpRequested() const { return m_help; }
    std::string helpText() const;

    bool isSet(const std::string& name) const;
    std::optional<std::string> value(const std::string& name) const;
    std::string required(const std::string& name) const;
    int intValue(const std::string& name, int fallback) const;
    double doubleValue(const std::string& name, double fallback) const;
    const std::vector<std::string>& positionals() const { return m_positionalValues; }

private:
    std::unique_ptr<detail::ParserApp> m_app;
    std::vector<std::string> m_positionalValues; // of the last parse, for positionals()
    bool m_help = false;
};

// An amount of MACs as written on the command line: "2500000", "2.5M", "800k", "1.2G", or "0.6x" (a fraction of
// `backboneMacs`). Throws UsageError naming `option` for anything else.
double parseMacsAmount(const std::string& text, double backboneMacs, const std::string& option);

// A target cost as written on the command line, in the unit of `model`: a fraction of the backbone's cost ("0.6x"),
// or an amount: MACs and parameters as for parseMacsAmount ("2.5M", "800k"), latency in "us", "ms" or "s" ("800us",
// "1.5ms"; a bare number is microseconds). Throws UsageError naming `option` for anything else.
struct CostAmount {
    double value = 0;
    bool isFraction = false; // of the backbone's cost
};
CostAmount parseCostAmount(const std::string& text, CostModel model, const std::string& option);

} // namespace earlybird::cli
