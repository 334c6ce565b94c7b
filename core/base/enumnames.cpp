#include "base/enumnames.h"

#include "base/error.h"

namespace earlybird {

void throwUnknownName(
    const std::string& where, const char* what, const std::string& name, const std::vector<std::string>& known)
{
    std::string list;
    for (const std::string& entry : known)
        list += (list.empty() ? "" : ", ") + entry;
    throw ConfigError(
        (where.empty() ? std::string() : where + ": ") + "unknown " + what + " '" + name + "' (one of: " + list + ")");
}

} // namespace earlybird
