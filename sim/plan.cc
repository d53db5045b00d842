#include "sim/plan.h"

#include <algorithm>

#include "devices/device_model.h"
#include "dnn/graph.h"
#include "sim/codec_stages.h"
#include "sim/policy.h"

namespace coinfer {

std::string LayersText(const std::vector<int>& layers) {
  std::string text;
  ForEachRun(layers, [&text](int begin, int end) {
    text += (text.empty() ? "" : ",") + std::to_string(begin);
    if (end - begin > 1) text += "-" + std::to_string(end - 1);
  });
  return text;
}

Status StageComputeMs(const Stage& stage, const Graph& graph, const DeviceModel& device, double* ms,
                      bool* measured) {
  if (stage.work != Stage::Work::kLayers) {  // a codec's work: priced when inserted
    *ms = stage.work_ms;
    *measured = false;
    return Status::Ok();
  }
  if (stage.rows.empty()) {
    *ms = device.LayersLatencyMs(graph, stage.layers, measured) + device.task_overhead_ms();
    return Status::Ok();
  }
  const int begin = stage.layers.empty() ? 0 : stage.layers.front();
  const int end = stage.layers.empty() ? 0 : stage.layers.back() + 1;
  if (end - begin != static_cast<int>(stage.layers.size()))
    return Status::InvalidInput(
        "", "strip",
        "layers " + LayersText(stage.layers) + " are not one run of consecutive layers");
  Graph strip;
  COINFER_RETURN_IF_ERROR(StripGraph(graph, begin, end, stage.rows, &strip));
  *ms = device.LayersLatencyMs(strip, stage.layers, measured) + device.task_overhead_ms();
  return Status::Ok();
}

double CriticalPathMs(const std::vector<Stage>& stages) {
  std::vector<double> done(stages.size(), 0);
  double last = 0;
  for (size_t i = 0; i < stages.size(); ++i) {
    double start = 0;
    for (int d : stages[i].deps) start = std::max(start, done.at(d));
    done[i] = start + stages[i].predicted_wait_ms + stages[i].predicted_ms;
    last = std::max(last, done[i]);
  }
  return last;
}

SiteId EndsAt(const Stage& stage) {
  return stage.kind == Stage::Kind::kTransfer ? stage.to : stage.site;
}

Stage ResultReturn(const Observation& obs, SiteId from, int after, int64_t bytes) {
  Stage back;
  back.kind = Stage::Kind::kTransfer;
  back.result = true;
  back.site = from;
  back.to = obs.end;
  back.bytes = bytes;
  back.deps = {after};
  back.predicted_ms = obs.TransferMs(from, obs.end, bytes);
  return back;
}

void PredictQueueWaits(const Observation& obs, Plan* plan) {
  std::vector<double> done(plan->stages.size(), 0);
  for (size_t i = 0; i < plan->stages.size(); ++i) {
    Stage& s = plan->stages[i];
    double start = 0;
    for (int d : s.deps) start = std::max(start, done.at(d));
    s.predicted_wait_ms = s.kind == Stage::Kind::kCompute ? obs.WaitMs(s.site, start) : 0;
    done[i] = start + s.predicted_wait_ms + s.predicted_ms;
  }
  plan->predicted_ms = CriticalPathMs(plan->stages);
}

void EndWithResult(const Observation& obs, Plan* plan) {
  if (plan->stages.empty() || EndsAt(plan->stages.back()) == obs.end) return;
  const int last = static_cast<int>(plan->stages.size()) - 1;
  plan->stages.push_back(
      ResultReturn(obs, EndsAt(plan->stages.back()), last, ResultBytes(*obs.graph)));
  plan->predicted_ms += plan->stages.back().predicted_ms;
}

void FinishPlan(const Observation& obs, Plan* plan) {
  InsertCodecStages(obs, plan);
  EndWithResult(obs, plan);
  PredictQueueWaits(obs, plan);
}

Plan SplitPlanStages(const Observation& obs, int split) {
  const Graph& g = *obs.graph;
  const SplitPoint point = g.SplitPoints().at(split);
  Plan plan;
  plan.split = split;
  auto add = [&plan](Stage s) {
    if (!plan.stages.empty()) s.deps = {static_cast<int>(plan.stages.size()) - 1};
    plan.stages.push_back(std::move(s));
  };
  if (point.index > 0) {
    Stage s;
    s.site = obs.end;
    for (int i = 0; i < point.index; ++i) s.layers.push_back(i);
    s.predicted_ms = obs.ComputeMs(obs.end, obs.end_device().TaskLatencyMs(g, 0, point.index));
    add(s);
  }
  if (point.index < g.size()) {
    Stage t;
    t.kind = Stage::Kind::kTransfer;
    t.site = obs.end;
    t.to = obs.cloud;
    t.bytes = point.bytes;
    t.predicted_ms = obs.TransferMs(obs.end, obs.cloud, point.bytes);
    add(t);
    Stage s;
    s.site = obs.cloud;
    for (int i = point.index; i < g.size(); ++i) s.layers.push_back(i);
    s.predicted_ms =
        obs.ComputeMs(obs.cloud, obs.cloud_device().TaskLatencyMs(g, point.index, g.size()));
    add(s);
  }
  return plan;
}

Plan MakeSplitPlan(const Observation& obs, int split) {
  Plan plan = SplitPlanStages(obs, split);
  FinishPlan(obs, &plan);
  return plan;
}

}  // namespace coinfer
