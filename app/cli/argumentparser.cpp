#include "argumentparser.h"

#include <cmath>
#include <iostream>
#include <sstream>

namespace earlybird::cli {

ArgumentParser::ArgumentParser(std::string usage, std::string summary)
    : m_usage(std::move(usage))
    , m_summary(std::move(summary))
{
}

void ArgumentParser::addOption(const std::string& name, const std::string& valueName, const std::string& help,
    std::optional<std::string> defaultValue)
{
    m_order.push_back(name);
    m_options[name] = Option { valueName, help, std::move(defaultValue) };
}

void ArgumentParser::addFlag(const std::string& name, const std::string& help)
{
    m_order.push_back(name);
    m_options[name] = Option { std::string(), help, std::nullopt };
}

void ArgumentParser::addPositional(const std::string& name, const std::string& help)
{
    m_positionals.emplace_back(name, help);
}

void ArgumentParser::parse(const std::vector<std::string>& tokens)
{
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::string& token = tokens[i];
        if (token == "--help" || token == "-h") {
            m_help = true;
            continue;
        }
        if (token.rfind("--", 0) != 0 || token.size() == 2) {
            m_positionalValues.push_back(token);
            continue;
        }
        std::string name = token.substr(2);
        std::optional<std::string> inlineValue;
        const std::size_t equals = name.find('=');
        if (equals != std::string::npos) {
            inlineValue = name.substr(equals + 1);
            name = name.substr(0, equals);
        }
        const auto option = m_options.find(name);
        if (option == m_options.end())
            throw UsageError("unknown option --" + name);
        if (option->second.valueName.empty()) {
            if (inlineValue)
                throw UsageError("--" + name + " takes no value");
            m_values[name] = "1";
            continue;
        }
        if (inlineValue) {
            m_values[name] = *inlineValue;
        } else if (i + 1 < tokens.size()) {
            m_values[name] = tokens[++i];
        } else {
            throw UsageError("--" + name + " needs a value (" + option->second.valueName + ")");
        }
    }
    if (m_help)
        return;
    if (m_positionalValues.size() != m_positionals.size()) {
        std::string expected;
        for (const auto& positional : m_positionals)
            expected += " " + positional.first;
        throw UsageError(
            m_positionals.empty() ? "unexpected argument '" + m_positionalValues.front() + "'" : "expected" + expected);
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
    std::ostringstream out;
    out << "usage: " << m_usage << "\n\n" << m_summary << "\n";
    if (!m_positionals.empty()) {
        out << "\narguments:\n";
        for (const auto& [name, help] : m_positionals)
            out << "  " << name << std::string(name.size() < 26 ? 26 - name.size() : 1, ' ') << help << "\n";
    }
    out << "\noptions:\n";
    for (const std::string& name : m_order) {
        const Option& option = m_options.at(name);
        std::string left = "--" + name + (option.valueName.empty() ? "" : " " + option.valueName);
        out << "  " << left << std::string(left.size() < 26 ? 26 - left.size() : 1, ' ') << option.help;
        if (option.defaultValue)
            out << " (default: " << *option.defaultValue << ")";
        out << "\n";
    }
    out << "  --help                    show this help\n";
    return out.str();
}

bool ArgumentParser::isSet(const std::string& name) const
{
    return m_values.count(name) != 0;
}

std::optional<std::string> ArgumentParser::value(const std::string& name) const
{
    const auto found = m_values.find(name);
    if (found != m_values.end())
        return found->second;
    const auto option = m_options.find(name);
    if (option != m_options.end())
        return option->second.defaultValue;
    return std::nullopt;
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
