#include "base/error.h"

namespace earlybird {

DataError::DataError(std::string file, std::string problem)
    : Error(file + ": " + problem)
    , m_file(std::move(file))
    , m_problem(std::move(problem))
{
}

} // namespace earlybird
