#pragma once

#include "base/error.h"

#include <string>

namespace earlybird::fixtures {

// The message of the earlybird::Error that `action` throws, or "" when it throws none. Tests then check that the
// message names the file and the problem, which is what a user sees.
template <typename Action>
std::string errorMessage(Action&& action)
{
    try {
        action();
    } catch (const Error& error) {
        return error.what();
    }
    return std::string();
}

inline bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace earlybird::fixtures
