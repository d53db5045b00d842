// Scenario: an INI file of keys (read with Boost.Program_options), each key
// declared once with its default and help text (ScenarioHelp prints them),
// overridable from the command line with --set key=value. Everything is
// validated before a simulation starts: a bad key or value is an InvalidInput
// naming file:line (or "--set"), the key and the reason. Keys: docs/formats.md.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "sim/engine.h"

namespace coinfer {

struct Scenario {
  std::string path;
  std::string text;                   // the file as read
  std::vector<std::string> settings;  // "key = value" for every key, resolved
  std::string model;
  std::vector<std::string> policies;
  // Per site of engine.sites, the resolved path of its device file (the
  // devices themselves are loaded by the run).
  std::vector<std::string> site_device_files;
  std::vector<std::string> site_device_keys;  // the key that named each (for errors)
  std::string host_file;
  std::string output_db;
  // Every file the run reads besides the scenario (link traces, device files,
  // weights card, TorchScript model), resolved: their contents are part of
  // the run's key.
  std::vector<std::string> input_files;
  // What makes two runs the same: coinfer's version, the resolved settings
  // (all but output.db) and the input files' contents, hashed (RunKey).
  // Stored with the run; sweeps skip a point whose key is stored.
  std::string run_key;
  // Measured compression (no codecs: none); the catalog path is relative
  // to the working directory, the card to the scenario's folder.
  // Canonical CodecSpecText: compression.codec (or none), then the menu.
  std::vector<std::string> codecs;
  // Codecs the policies plan with besides (Policy::RequiredCodecs): measured
  // too and appended after the menu, never chosen by menu-choosing policies.
  std::vector<std::string> policy_codecs;
  // codecs then policy_codecs: everything the run measures.
  std::vector<std::string> AllCodecs() const {
    std::vector<std::string> all = codecs;
    all.insert(all.end(), policy_codecs.begin(), policy_codecs.end());
    return all;
  }
  std::string weights_card;  // empty: no trained weights (sizes from shapes)
  std::string catalog_path;
  int64_t compression_samples = 0;
  // Pruned variants for JMDC: (split layer index, kept channel fraction).
  std::vector<std::pair<int, double>> prune;
  int64_t prune_train_samples = 0;
  EngineConfig engine;  // all but the graph and the sites' devices (traces are loaded)

  // An InvalidInput for `key` naming where it was set ("file:line", "--set"
  // or "(default)"), for checks made after loading (e.g. policy names).
  Status KeyError(const std::string& key, const std::string& reason) const;

  std::map<std::string, std::string> key_locations;
};

// Reads and validates `path` with `overrides` ("key=value") applied, and
// loads the link traces (their errors name the trace's file:line).
// Relative file paths in the scenario resolve against the scenario's folder;
// device names without a path resolve to devices/data/<name>.device of the
// data directory (COINFER_DATA_DIR, by default the source tree).
Status LoadScenario(const std::string& path, const std::vector<std::string>& overrides,
                    Scenario* out);

// The documentation of every key, generated from the declaration.
std::string ScenarioHelp();

// The folder shipped data is read from.
std::string DataDir();

// A device given as a name (a file of DataDir()/devices/data/) or as a path
// to a .device file (relative to `base`).
std::string ResolveDevice(const std::filesystem::path& base, const std::string& value);

}  // namespace coinfer
