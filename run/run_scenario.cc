#include "run/run_scenario.h"

#include <map>
#include <memory>

#include "base/parse.h"
#include "base/stopwatch.h"
#include "dnn/zoo.h"
#include "policies/registry.h"
#include "run/compression_inputs.h"
#include "run/cut_pair_prober.h"
#include "run/policy_processes.h"
#include "run/result_store.h"

namespace coinfer {
namespace {

// An emulation of a scenario is another run than its simulation (a merge
// keeps both, and a run once of one does not skip the other).
std::string StoredRunKey(const Scenario& sc, const std::string& mode) {
  return mode == "simulation" ? sc.run_key : sc.run_key + "+" + mode;
}

// What a run reads before its first event, owned for its duration.
struct Inputs {
  EngineConfig engine;
  Graph graph;
  std::map<std::string, DeviceModel> devices;  // by file, one per file the sites name
  MeasuredCompression compression;
  std::unique_ptr<CatalogCutPairProber> pairs;    // with measured compression
  std::vector<std::unique_ptr<Policy>> policies;  // as the scenario lists them
};

// Loads each site's device once per file and checks what the policies need.
Status PrepareSites(const Scenario& sc, Inputs* in) {
  std::vector<Site>& sites = in->engine.sites;
  for (size_t i = 0; i < sites.size(); ++i) {
    const std::string& file = sc.site_device_files[i];
    if (!in->devices.count(file))
      if (const Status st = DeviceModel::Load(file, &in->devices[file]); !st.ok())
        return sc.KeyError(sc.site_device_keys[i], st.message());
    sites[i].device = &in->devices[file];
  }
  const SiteId end = FirstSiteOf(sites, SiteRole::kEndDevice);
  for (size_t i = 0; i < in->policies.size(); ++i)
    if (in->policies[i]->NeedsEndDevicePower() && !sites[end].device->power().known())
      return sc.KeyError("policies", sc.policies[i] + " needs the end device's power, and " +
                                         sc.site_device_files[end] + " has no power line");
  return Status::Ok();
}

// Everything is read and checked before the first simulated event.
Status PrepareInputs(const Scenario& sc, Inputs* in, std::ostream* progress) {
  in->engine = sc.engine;
  for (const std::string& spec : sc.policies) {
    in->policies.emplace_back();
    if (const Status st = CreatePolicy(spec, &in->policies.back()); !st.ok())
      return sc.KeyError("policies", st.message());
  }
  COINFER_RETURN_IF_ERROR(PrepareSites(sc, in));
  COINFER_RETURN_IF_ERROR(RecordZooGraph(sc.model, &in->graph));
  in->engine.graph = &in->graph;
  for (size_t i = 0; i < in->engine.sites.size(); ++i)
    if (const Status st = in->engine.sites[i].device->CheckRows(in->graph); !st.ok())
      return sc.KeyError(sc.site_device_keys[i],
                         sc.site_device_files[i] + ": profile: " + st.message());
  for (size_t i = 0; i < in->policies.size(); ++i)
    if (const Status st = in->policies[i]->CheckModel(in->graph); !st.ok())
      return sc.KeyError("policies", sc.policies[i] + ": " + st.message());
  // Each site's slowdown to this host, on this model, scales what was
  // measured here: decisions (on the end device) and codecs.
  DeviceModel host;
  COINFER_RETURN_IF_ERROR(DeviceModel::Load(sc.host_file, &host));
  if (const Status st = host.CheckRows(in->graph); !st.ok())
    return Status::InvalidInput(sc.host_file, "profile", st.message());
  const Graph& g = in->graph;
  const double host_ms = host.SegmentLatencyMs(g, 0, g.size());
  if (host_ms > 0)
    for (Site& site : in->engine.sites)
      site.host_slowdown = site.device->SegmentLatencyMs(g, 0, g.size()) / host_ms;
  if (!sc.codecs.empty()) {
    COINFER_RETURN_IF_ERROR(PrepareCompression(sc, &in->graph, &in->compression, progress));
    in->engine.compression = &in->compression;
    if (in->compression.measured()) {
      in->pairs = std::make_unique<CatalogCutPairProber>(sc, in->compression);
      in->compression.pairs = in->pairs.get();
    }
  }
  return Status::Ok();
}

// Runs every policy (`jobs` at once, in processes), then stores all of it in one short transaction
// (the database is opened first, so a bad path fails before any simulation, and is locked only
// while writing, so parallel runs can share it).
Status SimulateAndStore(const Scenario& sc, Inputs& in, const RunOptions& options,
                        RunResult* result) {
  int jobs = options.jobs;
  std::unique_ptr<ResultStore> store;
  COINFER_RETURN_IF_ERROR(ResultStore::Open(sc.output_db, &store));
  RunInfo info;
  info.scenario_path = sc.path;
  info.scenario_text = sc.text;
  info.resolved_settings = Join(sc.settings, "\n");
  info.seed = sc.engine.seed;
  info.coinfer_version = COINFER_VERSION;
  info.run_key = StoredRunKey(sc, options.mode);
  info.started_at = UtcNow();
  info.sites = in.engine.sites;
  info.mode = options.mode;
  std::vector<PolicyRun> runs;
  // Two-cut probes run LibTorch during the simulation, and its OpenMP pool
  // does not survive a fork: runs that may probe stay in this process.
  if (in.pairs || options.engine) jobs = 1;
  const Stopwatch simulating;
  COINFER_RETURN_IF_ERROR(SimulatePolicies(
      sc.policies, jobs,
      [&in, &options](size_t i) {
        if (options.engine) return options.engine(in.engine, *in.policies[i]);
        PolicyRun run;
        run.records = RunEngine(in.engine, *in.policies[i], &run.stats);
        return run;
      },
      &runs));
  result->elapsed_s = simulating.Seconds();
  for (const PolicyRun& run : runs) {
    result->events += run.stats.events;
    result->wall_s += run.stats.wall_s;
  }
  COINFER_RETURN_IF_ERROR(store->BeginRun(info, &result->run_id));
  if (options.once) {  // stored by another process while this one simulated?
    int64_t stored = 0;
    COINFER_RETURN_IF_ERROR(store->FindRun(info.run_key, &stored));
    if (stored == 0) return Status::IoError(sc.output_db + ": a run just stored is not found");
    if (stored != result->run_id) {
      store->AbortRun();
      result->run_id = stored;
      result->skipped = true;
      return Status::Ok();
    }
  }
  for (size_t i = 0; i < runs.size(); ++i)
    COINFER_RETURN_IF_ERROR(
        store->AddRequests(result->run_id, sc.policies[i], runs[i].records, runs[i].stats));
  return store->CommitRun(result->run_id);  // the store rolls back if this is not reached
}

}  // namespace

Status RunScenario(const Scenario& scenario, RunResult* result, const RunOptions& options) {
  *result = RunResult();
  if (options.once) {  // before the inputs: they may measure compression
    std::unique_ptr<ResultStore> store;
    COINFER_RETURN_IF_ERROR(ResultStore::Open(scenario.output_db, &store));
    COINFER_RETURN_IF_ERROR(store->FindRun(StoredRunKey(scenario, options.mode), &result->run_id));
    if ((result->skipped = result->run_id != 0)) return Status::Ok();
  }
  Inputs in;
  COINFER_RETURN_IF_ERROR(PrepareInputs(scenario, &in, options.progress));
  try {
    return SimulateAndStore(scenario, in, options, result);
  } catch (const std::exception& e) {
    return Status::IoError(
        (options.mode == "simulation" ? std::string("simulation failed: ") : std::string()) +
        e.what());
  }
}

}  // namespace coinfer
