#include "argumentparser.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <sstream>

namespace earlybird::cli {

namespace detail {
struct ParserApp {
    CLI::App app;
    std::map<std::string, CLI::Option*> options; // by name, without the dashes
    std::set<std::string> flags; // the options that take no value
    std::vector<CLI::Option*> positionals;
};
} // namespace detail

namespace {

// CLI11's help with the usage line this command is known by.
class Formatter : public CLI::Formatter {
public:
    explicit Formatter(std::string usage)
        : m_usage(std::move(usage))
    {
        column_width(28);
    }
    // The usage line first, then what the command does (CLI11 puts the description first).
    std::string make_description(const CLI::App*) const override { return {}; }
    std::string make_usage(const CLI::App* app, std::string) const override
    {
        return "usage: " + m_usage + "\n\n" + app->get_description() + "\n";
    }

private:
    std::string m_usage;
};

} // namespace

ArgumentParser::ArgumentParser(std::string usage, std::string summary)
    : m_app(std::make_unique<detail::ParserApp>())
{
    CLI::App& app = m_app->app;
    app.description(std::move(summary));
    app.formatter(std::make_shared<Formatter>(std::move(usage)));
    app.set_help_flag("-h,--help", "show this help");
    // Options may be given in any order, positionals among them; a later value of an option replaces an earlier one.
    app.positionals_at_end(false);
    app.allow_windows_style_options(false);
}

ArgumentParser::~ArgumentParser() = default;

void ArgumentParser::addOption(const std::string& name, const std::string& valueName, const std::string& help,
    std::optional<std::string> defaultValue)
{
    CLI::Option* option = m_app->app.add_option("--" + name, help);
    option->type_name(valueName)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    // The default is shown in --help, and value() gives it while the option is not set (no default is empty).
    if (defaultValue)
        option->default_str(*defaultValue);
    m_app->options[name] = option;
}

void ArgumentParser::addFlag(const std::string& name, const std::string& help)
{
    CLI::Option* option = m_app->app.add_flag("--" + name, help);
    option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    m_app->options[name] = option;
    m_app->flags.insert(name);
}

void ArgumentParser::addPositional(const std::string& name, const std::string& help)
{
    m_app->positionals.push_back(m_app->app.add_option(name, help)->required()->type_name(""));
}

void ArgumentParser::allowConfigFile(const std::string& help)
{
    m_app->app.set_config("--config", "", help)->type_name("FILE");
    m_app->app.allow_config_extras(false);
}

void ArgumentParser::parse(const std::vector<std::string>& tokens)
{
    CLI::App& app = m_app->app;
    std::vector<std::string> reversed(tokens.rbegin(), tokens.rend()); // CLI11 takes arguments last first
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        m_help = true;
        return;
    } catch (const CLI::ExtrasError&) {
        const std::vector<std::string> extras = app.remaining();
        const std::string first = extras.empty() ? std::string() : extras.front();
        if (first.rfind("--", 0) == 0)
            throw UsageError("unknown option " + first.substr(0, first.find('=')));
        throw UsageError("unexpected argument '" + first + "'");
    } catch (const CLI::RequiredError& error) {
        std::string expected;
        for (const CLI::Option* positional : m_app->positionals)
            expected += " " + positional->get_name();
        throw UsageError(expected.empty() ? std::string(error.what()) : "expected" + expected);
    } catch (const CLI::ArgumentMismatch& error) {
        // "--population: 1 required P missing": the option named before the colon lacks its value.
        const std::string message = error.what();
        const std::string name = message.substr(0, message.find(':'));
        const auto option = m_app->options.find(name.rfind("--", 0) == 0 ? name.substr(2) : name);
        if (option != m_app->options.end() && option->second->get_type_size() > 0)
            throw UsageError(name + " needs a value (" + option->second->get_type_name() + ")");
        throw UsageError(message);
    } catch (const CLI::ConfigError& error) {
        // CLI11 says "INI was not able to parse colour" for a name that is no option, TOML or INI alike.
        const std::string message = error.what();
        const std::string marker = "not able to parse ";
        const std::size_t at = message.find(marker);
        const std::string file = app.get_config_ptr() ? app.get_config_ptr()->as<std::string>() : std::string();
        if (at != std::string::npos)
            throw UsageError(
                "--config " + file + ": '" + message.substr(at + marker.size()) + "' is not an option of this command");
        throw UsageError("--config " + file + ": " + message);
    } catch (const CLI::FileError& error) {
        throw UsageError(std::string("--config: ") + error.what());
    } catch (const CLI::ParseError& error) {
        throw UsageError(error.what());
    }
    m_positionalValues.clear();
    for (CLI::Option* positional : m_app->positionals)
        m_positionalValues.push_back(positional->results().empty() ? std::string() : positional->results().back());
}

void ArgumentParser::parseConfigText(const std::string& text)
{
    std::istringstream in(text);
    try {
        m_app->app.parse_from_stream(in);
    } catch (const CLI::ParseError& error) {
        throw UsageError(std::string("config: ") + error.what());
    }
}

bool ArgumentParser::parseCommand(const std::vector<std::string>& tokens)
{
    parse(tokens);
    if (!m_help)
        return true;
    std::cout << helpText();
    return false;
}

std::string ArgumentParser::helpText() const
{
    return m_app->app.help();
}

bool ArgumentParser::isSet(const std::string& name) const
{
    const auto option = m_app->options.find(name);
    if (option == m_app->options.end() || option->second->count() == 0)
        return false;
    if (!m_app->flags.count(name))
        return true;
    // A flag from a config file may say "false", which CLI11 counts as given all the same: its last value decides.
    // (Asking CLI11 whether the option takes a value does not tell a flag here: it says 1 for both.)
    const std::vector<std::string>& results = option->second->results();
    if (results.empty())
        return true;
    std::string last = results.back();
    std::transform(last.begin(), last.end(), last.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return !(last == "false" || last == "0" || last == "-1" || last == "off" || last == "no");
}

std::optional<std::string> ArgumentParser::value(const std::string& name) const
{
    const auto option = m_app->options.find(name);
    if (option == m_app->options.end())
        return std::nullopt;
    if (option->second->count() > 0) {
        const std::vector<std::string>& results = option->second->results();
        return results.empty() ? std::string("1") : results.back();
    }
    const std::string fallback = option->second->get_default_str();
    return fallback.empty() ? std::nullopt : std::optional<std::string>(fallback);
}
std::string ArgumentParser::required(const std::string& name) const
{
    const std::optional<std::string> found = value(name);
    if (!found)
        throw UsageError("--" + name + " is required");
    return *found;
}

int ArgumentParser::intValue(const std::string& name, int fallback) const
{
    const std::optional<std::string> text = value(name);
    if (!text)
        return fallback;
    try {
        std::size_t used = 0;
        const int parsed = std::stoi(*text, &used);
        if (used == text->size())
            return parsed;
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " needs a whole number, not '" + *text + "'");
}

double ArgumentParser::doubleValue(const std::string& name, double fallback) const
{
    const std::optional<std::string> text = value(name);
    if (!text)
        return fallback;
    try {
        std::size_t used = 0;
        const double parsed = std::stod(*text, &used);
        if (used == text->size())
            return parsed;
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " needs a number, not '" + *text + "'");
}

double parseMacsAmount(const std::string& text, double backboneMacs, const std::string& option)
{
    double multiplier = 1;
    std::string number = text;
    const char unit = number.empty() ? '\0' : number.back();
    if (unit == 'k' || unit == 'K')
        multiplier = 1e3;
    else if (unit == 'M' || unit == 'm')
        multiplier = 1e6;
    else if (unit == 'G' || unit == 'g')
        multiplier = 1e9;
    else if (unit == 'x' || unit == 'X')
        multiplier = backboneMacs;
    if (multiplier != 1)
        number.pop_back();
    try {
        std::size_t used = 0;
        const double value = std::stod(number, &used);
        if (used == number.size() && value > 0)
            return value * multiplier;
    } catch (const std::exception&) {
    }
    throw UsageError(option
        + " takes a positive number of MACs (2500000, 2.5M, 800k) or a fraction of the backbone's "
          "(0.6x), not '"
        + text + "'");
}

CostAmount parseCostAmount(const std::string& text, CostModel model, const std::string& option)
{
    const auto number = [](const std::string& digits, double* value) {
        try {
            std::size_t used = 0;
            *value = std::stod(digits, &used);
            return used == digits.size() && *value > 0 && std::isfinite(*value);
        } catch (const std::exception&) {
            return false;
        }
    };
    double value = 0;
    if (text.size() > 1 && (text.back() == 'x' || text.back() == 'X')) {
        if (number(text.substr(0, text.size() - 1), &value))
            return { value, true };
    } else if (model == CostModel::Latency) {
        const std::pair<const char*, double> units[] = { { "us", 1.0 }, { "ms", 1e3 }, { "s", 1e6 } };
        for (const auto& [suffix, scale] : units) {
            const std::string unit = suffix;
            if (text.size() > unit.size() && text.compare(text.size() - unit.size(), unit.size(), unit) == 0) {
                if (number(text.substr(0, text.size() - unit.size()), &value))
                    return { value * scale, false };
                break;
            }
        }
        if (number(text, &value))
            return { value, false };
    } else {
        try {
            return { parseMacsAmount(text, 1.0, option), false };
        } catch (const UsageError&) {
        }
    }
    if (model == CostModel::Latency)
        throw UsageError(option
            + " takes a latency per sample (800us, 1.5ms) or a fraction of the backbone's (0.6x), not '" + text + "'");
    throw UsageError(option + " takes a positive number of " + costModelUnit(model)
        + " (2500000, 2.5M, 800k) or a fraction of the backbone's (0.6x), not '" + text + "'");
}

} // namespace earlybird::cli
