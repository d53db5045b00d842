// The coinfer subcommands. Each takes its arguments (after the subcommand
// name) and returns the process exit code: 0 success, 1 failure of the
// environment, 2 bad input (with a message naming file:line and field).
#pragma once

#include <string>
#include <vector>

namespace coinfer {

int RunCommand(const std::vector<std::string>& args);
int GraphCommand(const std::vector<std::string>& args);
int TraceCommand(const std::vector<std::string>& args);
int ProfileCommand(const std::vector<std::string>& args);
int CalibrateCommand(const std::vector<std::string>& args);
int DataCommand(const std::vector<std::string>& args);
int TrainCommand(const std::vector<std::string>& args);
int CaptureCommand(const std::vector<std::string>& args);
int PruneCommand(const std::vector<std::string>& args);
int CnnpcTableCommand(const std::vector<std::string>& args);
int SweepCommand(const std::vector<std::string>& args);
int MergeCommand(const std::vector<std::string>& args);
int ReportCommand(const std::vector<std::string>& args);
int EmulateCommand(const std::vector<std::string>& args);
int EmulateSiteCommand(const std::vector<std::string>& args);
int FidelityCommand(const std::vector<std::string>& args);

// Prints "coinfer: <message>" to stderr and returns the exit code for the status.
class Status;
int ReportError(const Status& status);

}  // namespace coinfer
