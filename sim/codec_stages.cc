#include "sim/codec_stages.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "sim/measured_compression.h"
#include "sim/observation.h"

namespace coinfer {
namespace {

bool SendsTensor(const Stage& s) { return s.kind == Stage::Kind::kTransfer && !s.result; }

Stage CodecStage(const Observation& obs, const CatalogEntry& entry, Stage::Work work, SiteId site,
                 const TensorSend& send) {
  Stage s;
  s.work = work;
  s.site = site;
  s.split = send.split;
  s.codec = send.codec;
  s.work_ms = CodecWorkMs(entry, work, obs.sites.at(site));
  s.predicted_ms = obs.ComputeMs(site, s.work_ms);
  return s;
}

}  // namespace

std::vector<TensorSend> TensorSends(const Plan& plan) {
  int sends = 0;
  for (const Stage& s : plan.stages) sends += SendsTensor(s);
  std::vector<TensorSend> out;
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const Stage& t = plan.stages[i];
    if (!SendsTensor(t)) continue;
    const int split = t.split >= 0 ? t.split : sends == 1 ? plan.split : -1;
    if (split < 0) continue;
    const int codec = t.codec >= 0 ? t.codec : plan.codec;
    // A relay's next hop leaves from where the last one arrived, once it has.
    const int last = out.empty() ? -1 : out.back().transfers.back();
    const bool relays = last >= 0 && out.back().split == split && out.back().codec == codec &&
                        t.site == plan.stages[last].to &&
                        std::find(t.deps.begin(), t.deps.end(), last) != t.deps.end();
    if (!relays) out.push_back({split, codec, {}});
    out.back().transfers.push_back(static_cast<int>(i));
  }
  return out;
}

const CatalogEntry* SendEntry(const MeasuredCompression& m, const std::vector<SplitPoint>& points,
                              int split, int codec, int variant) {
  const int split_index = points.at(split).index;
  if (variant < 0) return m.Find(codec, split_index);
  const ModelVariant& v = m.variants.at(variant);
  if (v.split_index != split_index)
    throw std::logic_error("the variant " + v.name + " runs only at its own split");
  return &v.by_codec.at(codec);
}

double CodecWorkMs(const CatalogEntry& entry, Stage::Work work, const Site& site) {
  const double us = work == Stage::Work::kEncode   ? entry.encode_us
                    : work == Stage::Work::kDecode ? entry.decode_us
                                                   : 0;
  return us / 1e3 * site.host_slowdown;
}

bool InsertCodecStages(const Observation& obs, Plan* plan) {
  if (!obs.compression) return false;
  const int n = static_cast<int>(plan->stages.size());
  for (const Stage& s : plan->stages)
    if (s.work != Stage::Work::kLayers) return false;
  const std::vector<SplitPoint> points = obs.graph->SplitPoints();
  std::vector<std::optional<Stage>> encode_before(n), decode_after(n);
  for (const TensorSend& send : TensorSends(*plan)) {
    const CatalogEntry* e =
        SendEntry(*obs.compression, points, send.split, send.codec, plan->variant);
    if (!e) continue;
    const int first = send.transfers.front(), last = send.transfers.back();
    if (e->encode_us > 0)
      encode_before[first] =
          CodecStage(obs, *e, Stage::Work::kEncode, plan->stages[first].site, send);
    if (e->decode_us > 0)
      decode_after[last] = CodecStage(obs, *e, Stage::Work::kDecode, plan->stages[last].to, send);
  }
  // Later stages that waited for a tensor's last transfer wait for its decoding.
  std::vector<int> output(n);  // where each stage's output is ready: itself, or its decoding
  std::vector<Stage> stages;
  auto remap = [&output](std::vector<int> deps) {
    for (int& d : deps) d = output[d];
    return deps;
  };
  for (int i = 0; i < n; ++i) {
    Stage s = plan->stages[i];
    s.deps = remap(s.deps);
    if (encode_before[i]) {
      encode_before[i]->deps = s.deps;
      stages.push_back(*encode_before[i]);
      s.deps = {static_cast<int>(stages.size()) - 1};
    }
    const int at = static_cast<int>(stages.size());
    output[i] = at;
    stages.push_back(s);
    if (decode_after[i]) {
      decode_after[i]->deps = {at};
      output[i] = static_cast<int>(stages.size());
      stages.push_back(*decode_after[i]);
    }
  }
  const bool inserted = stages.size() > plan->stages.size();
  plan->stages = std::move(stages);
  return inserted;
}

double CodecMs(const Observation& obs, const CatalogEntry& entry, SiteId from, SiteId to) {
  return obs.ComputeMs(from, CodecWorkMs(entry, Stage::Work::kEncode, obs.sites.at(from))) +
         obs.ComputeMs(to, CodecWorkMs(entry, Stage::Work::kDecode, obs.sites.at(to)));
}

}  // namespace coinfer
