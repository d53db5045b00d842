// coinfer emulate-site: one site of an emulation (emulate/site_process.h),
// started by `coinfer emulate`, not by hand.
#include <boost/program_options.hpp>

#include "app/command_line.h"
#include "app/commands.h"
#include "base/status.h"
#include "emulate/site_process.h"

namespace coinfer {

namespace po = boost::program_options;

int EmulateSiteCommand(const std::vector<std::string>& args) {
  po::options_description opts("coinfer emulate-site (started by coinfer emulate)");
  SiteProcessConfig config;
  opts.add_options()("help,h", "show the options")(
      "name", po::value(&config.name)->required(), "the site's name, for messages")(
      "card", po::value(&config.card)->required(), "the model card the site computes with")(
      "control-port", po::value(&config.control_port)->required(),
      "the coordinator's control port on 127.0.0.1")(
      "connect-port", po::value(&config.connect_port)->default_value(0),
      "the relay to send through (the end device); 0: listen for data connections");
  po::variables_map vm;
  if (int exit = ParseCommandLine("emulate-site", args, opts, {}, &vm); exit >= 0) return exit;
  if (const Status st = RunSite(config); !st.ok()) return ReportError(st);
  return 0;
}

}  // namespace coinfer
