// Parsing a subcommand's options with Boost.Program_options, the same way for
// every subcommand: --help prints the options (and `more_help`), a bad or
// missing option prints the error and the options.
#pragma once

#include <boost/program_options.hpp>

#include <iostream>
#include <string>
#include <vector>

namespace coinfer {

// Returns -1 when the command should go on, else its exit code (0 after
// --help, 2 on a bad command line). Required options are checked after --help.
inline int ParseCommandLine(
    const std::string& command, const std::vector<std::string>& args,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description& positional,
    boost::program_options::variables_map* vm, const std::string& more_help = "") {
  namespace po = boost::program_options;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), *vm);
    if (vm->count("help")) {
      std::cout << options << more_help;
      return 0;
    }
    po::notify(*vm);
  } catch (const po::error& e) {
    std::cerr << "coinfer " << command << ": " << e.what() << "\n" << options;
    return 2;
  }
  return -1;
}

}  // namespace coinfer
