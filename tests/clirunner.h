#pragma once
// earlybird-cli run as a user runs it, for the CLI's tests (tst_cli, tst_clisearch): the program's path comes from the
// build (EARLYBIRD_CLI).

#include <QByteArray>
#include <QProcess>
#include <QStringList>

namespace earlybird::fixtures {

struct CliRun {
    int exitCode = -1; // -2: crashed; -1: still running after two minutes
    QByteArray out;
    QByteArray err;
};

inline CliRun runCli(const QStringList& arguments)
{
    QProcess process;
    process.start(QStringLiteral(EARLYBIRD_CLI), arguments);
    CliRun run;
    if (!process.waitForFinished(120000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace earlybird::fixtures
