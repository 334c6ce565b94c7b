#pragma once

#include <stdexcept>
#include <string>

namespace earlybird {

// Base of every error that core reports to a person. The message is complete on its own (it names the file or
// setting at fault and what is wrong), so the CLI prints it as is and the GUI shows it in a dialog.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A data set file or folder that cannot be read as the chosen format.
class DataError : public Error {
public:
    DataError(std::string file, std::string problem);

    const std::string& file() const { return m_file; }
    const std::string& problem() const { return m_problem; }

private:
    std::string m_file;
    std::string m_problem;
};

// A setting or argument that is impossible (unknown name, value out of range, contradictory options).
class ConfigError : public Error {
public:
    using Error::Error;
};

// An operation stopped because the user asked it to; nothing it would have written was written.
class CancelledError : public Error {
public:
    CancelledError()
        : Error("cancelled")
    {
    }
};

} // namespace earlybird
