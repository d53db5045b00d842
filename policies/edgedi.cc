#include "policies/edgedi.h"

#include <algorithm>
#include <stdexcept>

#include "policies/strip_partition.h"

namespace coinfer {
namespace {

Stage Transfer(SiteId from, SiteId to, int64_t bytes, std::vector<int> deps,
               const Observation& obs) {
  Stage s;
  s.kind = Stage::Kind::kTransfer;
  s.site = from;
  s.to = to;
  s.bytes = bytes;
  s.deps = std::move(deps);
  s.predicted_ms = obs.TransferMs(from, to, bytes);
  return s;
}

std::vector<int> LayersOf(int begin, int end) {
  std::vector<int> layers;
  for (int l = begin; l < end; ++l) layers.push_back(l);
  return layers;
}

int64_t OutputRows(const Graph& g, const Segment& s) {
  return g.layers[s.end - 1].output_shape.at(2);
}

// The bytes of a strip's output rows: what its device sends back.
int64_t StripOutputBytes(const Graph& g, const Segment& s, RowRange rows) {
  return g.layers[s.end - 1].output_bytes / OutputRows(g, s) * rows.size();
}

}  // namespace

Status EdgediPolicy::CheckModel(const Graph& graph) const {
  if (StripSegments(graph).empty())
    return Status::InvalidInput(
        "", "", name_ + ": " + graph.model + " has no run of convolutions to split into strips");
  return Status::Ok();
}

void EdgediPolicy::Prepare(const Observation& obs) {
  prepared_ = PreparedFor::Of(obs);
  const Graph& g = *obs.graph;
  segments_ = StripSegments(g);
  devices_.clear();
  for (SiteId s = 0; s < static_cast<SiteId>(obs.sites.size()); ++s)
    if (obs.sites[s].role == SiteRole::kClusterDevice) devices_.push_back(s);
  capacity_.assign(segments_.size(), {});
  for (size_t k = 0; k < segments_.size(); ++k)
    for (SiteId d : devices_)
      capacity_[k].push_back(1.0 / obs.ComputeMs(d, obs.device(d).SegmentLatencyMs(
                                                        g, segments_[k].begin, segments_[k].end)));
  compute_ms_.clear();
  // The tail leaves for the cloud at the first split point after the strips
  // (one tensor crosses it: after a ResNet's last block, once its add has run
  // on the leader); layers before that run on the leader.
  split_points_ = g.SplitPoints();
  const int tail = segments_.empty() ? 0 : segments_.back().end;
  tail_cut_ = -1;
  for (size_t p = 0; p < split_points_.size() && tail_cut_ < 0; ++p)
    if (split_points_[p].index >= tail && split_points_[p].index < g.size())
      tail_cut_ = static_cast<int>(p);
}

double EdgediPolicy::StripComputeMs(const Observation& obs, size_t segment, int device,
                                    RowRange rows) {
  const auto key = std::make_tuple(segment, device, rows.begin, rows.end);
  auto it = compute_ms_.find(key);
  if (it != compute_ms_.end()) return it->second;
  Stage strip;
  strip.site = devices_[device];
  strip.layers = LayersOf(segments_[segment].begin, segments_[segment].end);
  strip.rows = rows;
  double ms = 0;
  bool measured = false;
  const Status st = StageComputeMs(strip, *obs.graph, obs.device(strip.site), &ms, &measured);
  if (!st.ok()) throw std::logic_error(name_ + ": " + st.message());
  ms = obs.ComputeMs(strip.site, ms);
  compute_ms_.emplace(key, ms);
  return ms;
}

double EdgediPolicy::StripFinishMs(const Observation& obs, size_t segment, int device,
                                   RowRange rows) {
  const Graph& g = *obs.graph;
  const Segment& s = segments_[segment];
  std::vector<RowRange> produced;
  RowRange input;
  const Status st = StripRows(g, s.begin, s.end, rows, &produced, &input);
  if (!st.ok()) throw std::logic_error(name_ + ": " + st.message());
  const SiteId site = devices_[device];
  return obs.TransferMs(obs.end, site, StripInputBytes(g, s.begin, input)) +
         StripComputeMs(obs, segment, device, rows) +
         obs.TransferMs(site, obs.end, StripOutputBytes(g, s, rows));
}

std::vector<int64_t> EdgediPolicy::SegmentRows(const Observation& obs, size_t s) {
  if (!prepared_.Matches(obs)) Prepare(obs);
  const int64_t rows = OutputRows(*obs.graph, segments_.at(s));
  if (options_.partition == Partition::kEqual)
    return ProportionalRows(rows, std::vector<double>(devices_.size(), 1.0));
  std::vector<int64_t> sizes = ProportionalRows(rows, capacity_[s]);
  if (options_.partition == Partition::kProportional) return sizes;
  return RefineRows(std::move(sizes), [&](int device, RowRange strip) {
    return StripFinishMs(obs, s, device, strip);
  });
}

Plan EdgediPolicy::Decide(const Observation& obs) {
  if (!prepared_.Matches(obs)) Prepare(obs);
  const Graph& g = *obs.graph;
  Plan plan;
  std::vector<int> ready;  // the stages the next step waits for
  auto add = [&plan](Stage s) {
    plan.stages.push_back(std::move(s));
    return static_cast<int>(plan.stages.size()) - 1;
  };
  auto compute = [&](SiteId site, int begin, int end, std::vector<int> deps) {
    Stage s;
    s.site = site;
    s.layers = LayersOf(begin, end);
    s.deps = std::move(deps);
    s.predicted_ms = obs.ComputeMs(site, obs.device(site).TaskLatencyMs(g, begin, end));
    return add(std::move(s));
  };
  int layer = 0;
  for (size_t k = 0; k < segments_.size(); ++k) {
    const Segment& seg = segments_[k];
    if (layer < seg.begin) ready = {compute(obs.end, layer, seg.begin, ready)};
    const std::vector<RowRange> strips = StripsOf(SegmentRows(obs, k));
    std::vector<int> gathered;
    for (size_t d = 0; d < strips.size(); ++d) {
      if (strips[d].empty()) continue;
      std::vector<RowRange> produced;
      RowRange input;
      const Status st = StripRows(g, seg.begin, seg.end, strips[d], &produced, &input);
      if (!st.ok()) throw std::logic_error(name_ + ": " + st.message());
      const SiteId site = devices_[d];
      const int up = add(Transfer(obs.end, site, StripInputBytes(g, seg.begin, input), ready, obs));
      Stage strip;
      strip.site = site;
      strip.layers = LayersOf(seg.begin, seg.end);
      strip.rows = strips[d];
      strip.deps = {up};
      strip.predicted_ms = StripComputeMs(obs, k, static_cast<int>(d), strips[d]);
      const int done = add(std::move(strip));
      gathered.push_back(
          add(Transfer(site, obs.end, StripOutputBytes(g, seg, strips[d]), {done}, obs)));
    }
    ready = std::move(gathered);
    layer = seg.end;
  }
  if (layer < g.size()) {
    const int cut = tail_cut_;
    const std::vector<SplitPoint>& points = split_points_;
    bool to_cloud = cut >= 0 && obs.cloud != kNoSite && options_.tail != Tail::kLeader;
    if (to_cloud && options_.tail == Tail::kAuto) {
      const SplitPoint& p = points[cut];
      const double leader_ms =
          obs.ComputeMs(obs.end, obs.end_device().TaskLatencyMs(g, p.index, g.size()));
      const double cloud_ms =
          obs.TransferMs(obs.end, obs.cloud, p.bytes) +
          obs.ComputeMs(obs.cloud, obs.cloud_device().TaskLatencyMs(g, p.index, g.size())) +
          obs.ResultReturnMs(obs.cloud);
      to_cloud = cloud_ms < leader_ms;
    }
    if (to_cloud) {
      const SplitPoint& p = points[cut];
      if (layer < p.index) ready = {compute(obs.end, layer, p.index, ready)};
      Stage up = Transfer(obs.end, obs.cloud, p.bytes, ready, obs);
      up.split = cut;  // the crossing tensor, with compression: its codec's measured bytes
      compute(obs.cloud, p.index, g.size(), {add(std::move(up))});
    } else {
      compute(obs.end, layer, g.size(), ready);
    }
  }
  FinishPlan(obs, &plan);
  return plan;
}

PolicyType EdgediType() {
  return {
      "edgedi",
      "the model's runs of convolutions split into row strips over a cluster's devices, sized by "
      "their capacity and refined greedily (EdgeDI's workload partition); the rest on the leader "
      "or the cloud; cluster topology",
      {{"partition", "adaptive|proportional|equal", "adaptive",
        "strip sizes: by capacity then refined on predicted finish, by capacity only, or equal"},
       {"tail", "auto|leader|cloud", "auto",
        "where the layers after the last run of convolutions go (auto: the cloud when it is "
        "there and predicted faster)"}},
      [](const PolicyArgs& args, std::unique_ptr<Policy>* out) {
        EdgediPolicy::Options o;
        std::string partition, tail;
        COINFER_RETURN_IF_ERROR(
            args.Choice("partition", {"adaptive", "proportional", "equal"}, &partition));
        COINFER_RETURN_IF_ERROR(args.Choice("tail", {"auto", "leader", "cloud"}, &tail));
        o.partition = partition == "equal"          ? EdgediPolicy::Partition::kEqual
                      : partition == "proportional" ? EdgediPolicy::Partition::kProportional
                                                    : EdgediPolicy::Partition::kAdaptive;
        o.tail = tail == "leader"  ? EdgediPolicy::Tail::kLeader
                 : tail == "cloud" ? EdgediPolicy::Tail::kCloud
                                   : EdgediPolicy::Tail::kAuto;
        *out = std::make_unique<EdgediPolicy>(o, args.spec());
        return Status::Ok();
      }};
}

}  // namespace coinfer
