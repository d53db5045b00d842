// coinfer run: scenario -> graph, devices, traces -> one engine run per
// policy -> one SQLite transaction -> summary table read back from SQLite.
#include <boost/program_options.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "analysis/summary.h"
#include "app/command_line.h"
#include "app/commands.h"
#include "base/parse.h"
#include "dnn/zoo.h"
#include "learn/capture.h"
#include "learn/model_card.h"
#include "learn/model_compression.h"
#include "policies/registry.h"
#include "sim/result_store.h"
#include "sim/scenario.h"

namespace coinfer {
namespace {

namespace po = boost::program_options;

struct Inputs {
  Scenario scenario;
  Graph graph;
  std::map<std::string, DeviceModel> devices;  // by file, one per file the sites name
  DeviceModel host;
  MeasuredCompression compression;
};

// A pruned variant (built once into variants/ beside the catalog, reused
// while its base weights are the same) and its codecs measured at its split.
Status AddVariant(const Scenario& sc, const ModelCard& base, int split, double keep,
                  CompressionCatalog& catalog, MeasuredCompression* m) {
  ModelCard card = base;
  card.pruned = true;
  card.pruning.split = split;
  card.pruning.keep_fraction = keep;
  const std::string dir =
      (std::filesystem::path(sc.catalog_path).parent_path() / "variants").string();
  const std::string card_path = dir + "/" + card.Name() + ".json";
  ModelCard existing;
  if (!ReadModelCard(card_path, &existing).ok() || existing.base_sha256 != base.sha256) {
    std::cerr << "coinfer: building " << card.Name() << " (coinfer prune)\n";
    PruneOptions prune;
    prune.card = sc.weights_card;
    prune.split = split;
    prune.keep_fraction = keep;
    prune.fine_tune.epochs = 1;
    prune.fine_tune.learning_rate = 1e-4;
    prune.fine_tune.train_samples = sc.prune_train_samples;
    PruneReport report;
    COINFER_RETURN_IF_ERROR(PruneModel(
        prune, dir, [](const EpochReport&) {}, &report));
    existing = report.card;
  }
  CaptureOptions capture;
  capture.card = card_path;
  capture.codecs = sc.codecs;
  capture.splits = {split};
  capture.samples = sc.compression_samples;
  COINFER_RETURN_IF_ERROR(CaptureToCatalog(capture, &catalog, [](const CatalogEntry&) {}));
  ModelVariant v;
  v.name = existing.Name();
  v.keep_fraction = keep;
  v.split_index = split;
  COINFER_RETURN_IF_ERROR(RecordTrainedGraph(card_path, &v.graph));
  for (const std::string& codec : sc.codecs) {
    bool found = false;
    CatalogEntry e;
    COINFER_RETURN_IF_ERROR(catalog.Find({v.name, existing.sha256, existing.dataset, split, codec},
                                         m->samples, &found, &e));
    if (!found) return Status::IoError(v.name + ": catalog entry missing after capture");
    v.by_codec.push_back(std::move(e));
  }
  m->variants.push_back(std::move(v));
  return Status::Ok();
}

// Measures what the catalog lacks for the scenario's codec (and the plain
// model at split 0), then loads it.
Status MeasureCompression(Inputs* in) {
  Scenario& sc = in->scenario;
  ModelCard card;
  COINFER_RETURN_IF_ERROR(ReadModelCard(sc.weights_card, &card));
  if (card.model != sc.model)
    return sc.KeyError("compression.weights",
                       sc.weights_card + " holds " + card.model + " weights, not " + sc.model);
  std::unique_ptr<CompressionCatalog> catalog;
  COINFER_RETURN_IF_ERROR(CompressionCatalog::Open(sc.catalog_path, &catalog));
  auto report = [](const CatalogEntry& e) {
    std::cerr << "coinfer: measured " << e.key.codec << " at split " << e.key.split_index << ": "
              << e.MeanBytes() << " B, top-1 " << 100 * e.Accuracy() << "%\n";
  };
  CaptureOptions capture;
  capture.card = sc.weights_card;
  capture.samples = sc.compression_samples;
  capture.codecs = sc.codecs;
  COINFER_RETURN_IF_ERROR(CaptureToCatalog(capture, catalog.get(), report));
  capture.codecs = {"none"};
  capture.splits = {0};
  COINFER_RETURN_IF_ERROR(CaptureToCatalog(capture, catalog.get(), report));
  COINFER_RETURN_IF_ERROR(LoadMeasuredCompression(*catalog, card.sha256, card.dataset, sc.codecs,
                                                  in->graph, &in->compression));
  for (const auto& [split, keep] : sc.prune)
    COINFER_RETURN_IF_ERROR(AddVariant(sc, card, split, keep, *catalog, &in->compression));
  return Status::Ok();
}

// The codec's bytes per split (measured on trained weights, or from shapes
// alone), and policies pricing transfers at them.
Status PrepareCompression(Inputs* in) {
  Scenario& sc = in->scenario;
  if (sc.weights_card.empty()) {
    const Status st = ShapeDeterminedCompression(in->graph, sc.codecs, &in->compression);
    if (!st.ok()) return sc.KeyError("compression.codec", st.message());
  } else {
    COINFER_RETURN_IF_ERROR(MeasureCompression(in));
  }
  ApplyMeanSentBytes(in->compression, &in->graph);
  sc.engine.compression = &in->compression;
  return Status::Ok();
}

// Everything is read and checked before the first simulated event.
Status Prepare(const std::string& path, const std::vector<std::string>& overrides, Inputs* in) {
  Scenario& sc = in->scenario;
  COINFER_RETURN_IF_ERROR(LoadScenario(path, overrides, &sc));
  std::vector<Site>& sites = sc.engine.sites;
  for (size_t i = 0; i < sites.size(); ++i) {
    const std::string& file = sc.site_device_files[i];
    if (!in->devices.count(file))
      COINFER_RETURN_IF_ERROR(DeviceModel::Load(file, &in->devices[file]));
    sites[i].device = &in->devices[file];
  }
  const SiteId end = FirstSiteOf(sites, SiteRole::kEndDevice);
  const bool has_cloud = FirstSiteOf(sites, SiteRole::kCloud) != kNoSite;
  for (const std::string& p : sc.policies) {
    const std::unique_ptr<Policy> policy = CreatePolicy(p);
    if (!policy)
      return sc.KeyError("policies",
                         "unknown policy '" + p + "' (known: " + Join(PolicyNames(), ", ") + ")");
    if (policy->NeedsMeasuredCompression() && (sc.codecs.empty() || sc.weights_card.empty()))
      return sc.KeyError("policies", p + " needs measured compression: compression.codec or "
                                         "compression.menu on a model with trained weights");
    if (policy->NeedsEndDevicePower() && !sites[end].device->power().known())
      return sc.KeyError("policies", p + " needs the end device's power, and " +
                                         sc.site_device_files[end] + " has no power line");
    if (policy->NeedsCloud() && !has_cloud)
      return sc.KeyError("policies", p + " offloads to the cloud, and this topology has none "
                                         "(cluster.upstream = false)");
  }
  COINFER_RETURN_IF_ERROR(DeviceModel::Load(sc.host_file, &in->host));
  COINFER_RETURN_IF_ERROR(RecordZooGraph(sc.model, &in->graph));
  sc.engine.graph = &in->graph;
  // The end device's slowdown to this host, on this model, scales decision times.
  const Graph& g = in->graph;
  const double host_ms = in->host.SegmentLatencyMs(g, 0, g.size());
  if (host_ms > 0)
    sc.engine.decision_scale = sites[end].device->SegmentLatencyMs(g, 0, g.size()) / host_ms;
  if (!sc.codecs.empty()) COINFER_RETURN_IF_ERROR(PrepareCompression(in));
  return Status::Ok();
}

// Runs every policy, then stores all of it in one short transaction (the
// database is opened first, so a bad path fails before any simulation, and
// is locked only while writing, so parallel runs can share it).
Status Simulate(const Inputs& in, int64_t* run_id, uint64_t* events, double* wall_s) {
  const Scenario& sc = in.scenario;
  std::unique_ptr<ResultStore> store;
  COINFER_RETURN_IF_ERROR(ResultStore::Open(sc.output_db, &store));
  RunInfo info;
  info.scenario_path = sc.path;
  info.scenario_text = sc.text;
  info.resolved_settings = Join(sc.settings, "\n");
  info.seed = sc.engine.seed;
  info.coinfer_version = COINFER_VERSION;
  info.started_at = UtcNow();
  info.sites = sc.engine.sites;
  struct PolicyRun {
    std::string name;
    std::vector<RequestRecord> records;
    RunStats stats;
  };
  std::vector<PolicyRun> runs;
  for (const std::string& name : sc.policies) {
    std::unique_ptr<Policy> policy = CreatePolicy(name);
    PolicyRun run{name, {}, {}};
    run.records = RunEngine(sc.engine, *policy, &run.stats);
    *events += run.stats.events;
    *wall_s += run.stats.wall_s;
    runs.push_back(std::move(run));
  }
  COINFER_RETURN_IF_ERROR(store->BeginRun(info, run_id));
  for (const PolicyRun& run : runs)
    COINFER_RETURN_IF_ERROR(store->AddRequests(*run_id, run.name, run.records, run.stats));
  return store->CommitRun(*run_id);  // the store rolls back if this is not reached
}

}  // namespace

int RunCommand(const std::vector<std::string>& args) {
  po::options_description opts("coinfer run <scenario.ini> [options]");
  opts.add_options()("help,h", "show the options and every scenario key")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario key: --set key=value")(
      "csv", po::value<std::string>(), "also write the summary table as CSV to this file")(
      "scenario", po::value<std::string>()->required(), "scenario INI file");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  po::variables_map vm;
  if (int exit = ParseCommandLine("run", args, opts, pos, &vm, "\n" + ScenarioHelp()); exit >= 0)
    return exit;
  const std::vector<std::string> overrides =
      vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};

  Inputs in;
  Status st = Prepare(vm["scenario"].as<std::string>(), overrides, &in);
  if (!st.ok()) return ReportError(st);

  int64_t run_id = 0;
  uint64_t events = 0;
  double wall_s = 0;
  try {
    st = Simulate(in, &run_id, &events, &wall_s);
  } catch (const std::exception& e) {
    st = Status::IoError(std::string("simulation failed: ") + e.what());
  }
  if (!st.ok()) return ReportError(st);

  std::vector<PolicySummary> summaries;
  st = SummarizeRun(in.scenario.output_db, run_id, &summaries);
  if (!st.ok()) return ReportError(st);
  std::cout << "scenario " << in.scenario.path << ": model " << in.scenario.model << ", "
            << in.scenario.engine.duration_s << " s of arrivals, seed " << in.scenario.engine.seed
            << "\n\n";
  PrintSummaryTable(summaries, std::cout);
  std::cout << "\nresults: " << in.scenario.output_db << " (run_id " << run_id << ")\n";
  std::cout << "simulated " << events << " events in " << wall_s << " s ("
            << static_cast<uint64_t>(events / std::max(wall_s, 1e-9)) << " events/s)\n";
  if (vm.count("csv")) {
    std::ofstream csv(vm["csv"].as<std::string>());
    if (!csv) return ReportError(Status::IoError(vm["csv"].as<std::string>() + ": cannot write"));
    WriteSummaryCsv(summaries, csv);
  }
  return 0;
}

}  // namespace coinfer
