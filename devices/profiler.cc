#include "devices/profiler.h"

#include <fstream>

#include "base/parse.h"
#include "base/percentile.h"

namespace coinfer {

std::string HostCpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
  }
  return "unknown CPU";
}

namespace {

Profile ToProfile(const std::string& model, const std::vector<std::string>& models,
                  const ModelTiming& timing, const TimingOptions& options,
                  const std::string& device_name) {
  const Graph& g = timing.graph;
  Profile p;
  p.comments = {"source: coinfer profile --model " + model + " on " + HostCpuModel(),
                "measured together with: " + Join(models, " ") + " (passes interleaved)",
                "framework: LibTorch 1.13 (CPU, fp32, torch::InferenceMode), " +
                    std::to_string(options.threads) + " thread(s), " +
                    std::to_string(options.warmup) + " warm-up run(s), " +
                    std::to_string(options.repeats) + " timed repeat(s) per row",
                "layers are timed inside whole forward passes; the row of kind 'model' times "
                "whole forward passes without the per-layer clocks",
                "memory: freed activations stay in the process's heap (glibc mallopt: no mmap "
                "below 32 MiB, no trimming below 1 GiB), the steady state of a serving process"};
  ProfileRow base;
  base.device = device_name;
  base.model = model;
  base.threads = options.threads;
  base.repeats = options.repeats;
  base.framework = "libtorch-1.13";
  base.source = "coinfer profile";
  for (int i = 0; i < g.size(); ++i) {
    const Layer& l = g.layers[i];
    ProfileRow r = base;
    r.layer = i;
    r.name = l.name;
    r.kind = LayerKindName(l.kind);
    r.input_shape = InputShapesText(l);
    r.output_shape = ShapeText(l.output_shape);
    r.macs = l.macs;
    r.param_bytes = l.param_bytes;
    r.output_bytes = l.output_bytes;
    r.kernel = l.kernel;
    r.median_ms = Percentile(timing.layer_ms[i], 0.5);
    r.p90_ms = Percentile(timing.layer_ms[i], 0.9);
    p.rows.push_back(r);
  }
  ProfileRow whole = base;
  whole.name = "model";
  whole.kind = "model";
  whole.input_shape = ShapeText(g.input_shape);
  whole.output_shape = ShapeText(g.layers.back().output_shape);
  whole.macs = g.TotalMacs();
  for (const Layer& l : g.layers) whole.param_bytes += l.param_bytes;
  whole.output_bytes = g.layers.back().output_bytes;
  whole.median_ms = Percentile(timing.whole_ms, 0.5);
  whole.p90_ms = Percentile(timing.whole_ms, 0.9);
  p.rows.push_back(whole);
  return p;
}

}  // namespace

Status ProfileHost(const std::vector<std::string>& models, const TimingOptions& options,
                   const std::string& device_name, std::vector<Profile>* out) {
  std::vector<ModelTiming> timings;
  COINFER_RETURN_IF_ERROR(TimeZooModels(models, options, &timings));
  out->clear();
  for (size_t m = 0; m < models.size(); ++m)
    out->push_back(ToProfile(models[m], models, timings[m], options, device_name));
  return Status::Ok();
}

}  // namespace coinfer
