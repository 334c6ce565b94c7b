#pragma once

// The names of an enum's values as files and the command line spell them, one table per enum, and one error format
// for a name that is not in it. Beside each enum E its header declares
//     const EnumNames<E>& enumNames(E);
// (found by argument-dependent lookup) and its .cpp defines the table; then nameOf(value), fromName<E>(name, where)
// and namesOf<E>() work for it.

#include <string>
#include <utility>
#include <vector>

namespace earlybird {

template <typename E>
struct EnumNames {
    const char* what; // what a value is, as an error names it: "data set", "cost model"
    // Every value with its name, in the order help texts list them. A value may appear again with an alias that
    // fromName() accepts; nameOf() and namesOf() give the first name only.
    std::vector<std::pair<E, const char*>> entries;
};

// Throws ConfigError: "<where>: unknown <what> '<name>' (one of: a, b, c)"; without "<where>: " when it is empty.
[[noreturn]] void throwUnknownName(
    const std::string& where, const char* what, const std::string& name, const std::vector<std::string>& known);

template <typename E>
std::string nameOf(E value)
{
    for (const auto& [entry, name] : enumNames(E {}).entries) {
        if (entry == value)
            return name;
    }
    return "unknown";
}

template <typename E>
std::vector<std::string> namesOf()
{
    std::vector<std::string> names;
    std::vector<E> listed;
    for (const auto& [entry, name] : enumNames(E {}).entries) {
        bool alias = false;
        for (const E seen : listed)
            alias = alias || seen == entry;
        if (!alias) {
            listed.push_back(entry);
            names.emplace_back(name);
        }
    }
    return names;
}

// The value named `name`; `where` (a file, an option) starts the error message.
template <typename E>
E fromName(const std::string& name, const std::string& where = {})
{
    const EnumNames<E>& table = enumNames(E {});
    for (const auto& [entry, entryName] : table.entries) {
        if (name == entryName)
            return entry;
    }
    throwUnknownName(where, table.what, name, namesOf<E>());
}

} // namespace earlybird
