#include "policies/cnnpc.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "base/parse.h"
#include "compress/codec_spec.h"
#include "policies/cnnpc_tiers.h"
#include "sim/codec_stages.h"

namespace coinfer {

CnnpcPolicy::CnnpcPolicy(Options options, std::string name)
    : options_(std::move(options)), name_(std::move(name)) {}

std::vector<double> CnnpcPolicy::Rates() const {
  std::vector<double> rates;
  for (int k = 0; k * options_.rate_step < 1 - 1e-9; ++k) rates.push_back(k * options_.rate_step);
  return rates;
}

std::string CnnpcPolicy::RateCodec(double rate) {
  std::ostringstream text;
  text << (rate > 0 ? "prune:" : "");
  if (rate > 0) text << rate << ",";
  text << "quant:8";
  CodecSpec spec;
  const Status st = ParseCodecSpec(text.str(), &spec);
  if (!st.ok()) throw std::logic_error(st.message());
  return CodecSpecText(spec);
}

std::vector<std::string> CnnpcPolicy::RequiredCodecs() const {
  std::vector<std::string> codecs;
  for (double r : Rates()) codecs.push_back(RateCodec(r));
  return codecs;
}

Status CnnpcPolicy::CheckModel(const Graph& graph) const {
  return CheckCnnpcCuts(graph, options_.cuts);
}

std::vector<int> CnnpcPolicy::BlockBoundaries(const Graph& g) {
  std::vector<int> cuts;
  int64_t last_bytes = -1;
  for (const SplitPoint& p : g.SplitPoints()) {
    if (p.index == 0 || p.index == g.size()) continue;
    const int64_t bytes = g.layers[p.source].output_bytes;
    if (!cuts.empty() && bytes == last_bytes && cuts.back() == p.index - 1) cuts.pop_back();
    cuts.push_back(p.index);
    last_bytes = bytes;
  }
  return cuts;
}

void CnnpcPolicy::Prepare(const Observation& obs) {
  prepared_ = PreparedFor::Of(obs);
  const MeasuredCompression* m = obs.compression;
  if (!m) throw std::logic_error(name_ + ": needs its codecs' sizes (MeasuredCompression)");
  edge_ = FirstSiteOf(obs.sites, SiteRole::kEdge);
  if (edge_ == kNoSite || obs.cloud == kNoSite)
    throw std::logic_error(name_ + ": needs an edge server and a cloud (three-tier)");
  const Graph& g = *obs.graph;
  // Without trained weights nothing can say what pruning costs in accuracy:
  // the plans send unpruned 8-bit tensors, and the requirement is not judged.
  const std::vector<double> rates = m->measured() ? Rates() : std::vector<double>{0};
  rate_codec_.clear();
  for (double r : rates) {
    rate_codec_.push_back(m->CodecIndex(RateCodec(r)));
    if (rate_codec_.back() < 0)
      throw std::logic_error(name_ + ": codec " + RateCodec(r) + " was not measured");
  }
  CnnpcTiers tiers;
  const std::vector<int> cuts = options_.cuts.empty() ? BlockBoundaries(g) : options_.cuts;
  const Status st = MakeCnnpcTiers(g, cuts, obs.end_device(), obs.device(edge_), obs.cloud_device(),
                                   options_.overhead_ms, &tiers);
  if (!st.ok()) throw std::invalid_argument(name_ + ": " + st.message());
  // Each tier's background load stretches its times, as the engine's.
  const SiteId tier_sites[] = {obs.end, edge_, obs.cloud};
  std::vector<double>* tier_ms[] = {&tiers.end_ms, &tiers.edge_ms, &tiers.cloud_ms};
  for (int tier = 0; tier < 3; ++tier) {
    for (double& ms : *tier_ms[tier]) ms = obs.ComputeMs(tier_sites[tier], ms);
    tiers.task_ms[tier] = obs.ComputeMs(tier_sites[tier], tiers.task_ms[tier]);
  }
  const std::vector<SplitPoint> points = g.SplitPoints();
  split_of_.clear();
  for (int k = 0; k < tiers.segments(); ++k) {
    const int index = tiers.boundaries[k];
    for (size_t s = 0; s < points.size(); ++s)
      if (points[s].index == index) split_of_.push_back(static_cast<int>(s));
    // CNNPC's T_C: the 8-bit tensor as measured (its pruning scales it).
    tiers.bytes[k] = m->Find(rate_codec_[0], index)->MeanBytes();
  }
  CnnpcSearch::Requirement requirement = options_.requirement;
  if (!m->measured()) requirement = {CnnpcSearch::Mode::kAccuracy, 0, -1};
  search_ = std::make_unique<CnnpcSearch>(tiers, rates, requirement);
  search_->Prepare([&](const CnnpcPoint& p) {
    if (!m->measured()) return 0.0;
    std::vector<std::pair<int, int>> sent;  // (split index, codec index)
    for (const auto& [boundary, rate] : search_->Sent(p))
      sent.emplace_back(tiers.boundaries[boundary], rate_codec_[rate]);
    if (sent.empty()) return m->PlainValidationAccuracy();
    if (sent.size() == 1) return m->Find(sent[0].second, sent[0].first)->ValidationAccuracy();
    if (!m->pairs) throw std::logic_error(name_ + ": two-cut probes are not available");
    Status probe_status;
    const CatalogEntry* e = m->pairs->Probe(sent[0].first, sent[0].second, sent[1].first,
                                            sent[1].second, &probe_status);
    if (!e) throw std::runtime_error(name_ + ": " + probe_status.message());
    return e->ValidationAccuracy();
  });
}

Plan CnnpcPolicy::Decide(const Observation& obs) {
  if (!search_ || !prepared_.Matches(obs)) Prepare(obs);
  const CnnpcTiers& t = search_->tiers();
  const CnnpcLinks links{obs.EstimateMbps(obs.end, edge_), obs.EstimateMbps(edge_, obs.cloud),
                         obs.ResultReturnMs(edge_), obs.ResultReturnMs(obs.cloud)};
  const CnnpcSearch::Choice choice = search_->Choose(links);
  const CnnpcPoint& p = choice.plan.point;
  const Graph& g = *obs.graph;
  const int b = t.segments();
  Plan plan;
  auto add = [&plan](Stage s) {
    if (!plan.stages.empty()) s.deps = {static_cast<int>(plan.stages.size()) - 1};
    plan.stages.push_back(std::move(s));
  };
  auto compute = [&](SiteId site, int from, int to) {
    const int begin = t.boundaries[from], end = t.boundaries[to];
    if (begin == end) return;
    Stage s;
    s.site = site;
    for (int l = begin; l < end; ++l) s.layers.push_back(l);
    s.predicted_ms = obs.ComputeMs(site, obs.device(site).TaskLatencyMs(g, begin, end));
    add(s);
  };
  auto send = [&](SiteId from, SiteId to, int boundary, int rate, double bytes) {
    Stage s;
    s.kind = Stage::Kind::kTransfer;
    s.site = from;
    s.to = to;
    s.bytes = static_cast<int64_t>(std::llround(bytes));
    s.split = split_of_[boundary];
    s.codec = rate_codec_[rate];
    s.predicted_ms = obs.TransferMs(from, to, s.bytes);
    add(s);
  };
  compute(obs.end, 0, p.i);
  if (p.i < b) send(obs.end, edge_, p.i, p.r1, choice.plan.bytes1);
  compute(edge_, p.i, p.j);
  if (p.j < b) {
    send(edge_, obs.cloud, p.j, p.r2, choice.plan.bytes2);
    compute(obs.cloud, p.j, b);
  }
  // Its codec stages are charged by the engine; CNNPC's model counts fixed
  // overheads for them instead (overhead_ms).
  InsertCodecStages(obs, &plan);
  EndWithResult(obs, &plan);
  plan.predicted_ms = choice.latency_ms;
  if (obs.compression->measured()) plan.requirement_met = choice.requirement_met ? 1 : 0;
  return plan;
}

PolicyType CnnpcType() {
  return {
      "cnnpc",
      "end -> edge -> cloud with two cuts and channel pruning of each cut tensor (CNNPC), under "
      "a requirement (exactly one of accuracy, latency); three-tier; without trained weights, "
      "unpruned",
      {{"accuracy", "a fraction in [0, 1]", "", "the fastest plan measured at least this top-1"},
       {"latency", "ms > 0, or auto:x with x in [0, 1]", "",
        "the most accurate plan predicted within T0 (auto: minT + x(maxT - minT))"},
       {"rate_step", "in [1/32, 0.5]", "0.125", "the pruning-rate grid: 0, s, 2s, ... below 1"},
       {"cuts", "split indices, colon-separated", "",
        "where it may cut (default: the last of each run of equally big split points)"},
       {"overhead_ms", ">= 0", "1.66", "CNNPC's fixed overheads, added to every prediction"}},
      [](const PolicyArgs& args, std::unique_ptr<Policy>* out) {
        if (args.Has("accuracy") == args.Has("latency"))
          return args.Error("needs exactly one of accuracy=A0 or latency=T0");
        CnnpcPolicy::Options o;
        if (args.Has("accuracy")) {
          o.requirement.mode = CnnpcSearch::Mode::kAccuracy;
          COINFER_RETURN_IF_ERROR(args.Number("accuracy", 0, 1, "in [0, 1]", &o.requirement.value));
        } else {
          o.requirement.mode = CnnpcSearch::Mode::kLatency;
          const std::string t0 = args.Get("latency");
          if (t0.rfind("auto:", 0) == 0) {
            double x = -1;
            if (!ParseNumber(t0.substr(5), &x) || !(x >= 0 && x <= 1))
              return args.Error("latency=auto:x needs x in [0, 1]");
            o.requirement.auto_fraction = x;
          } else {
            COINFER_RETURN_IF_ERROR(
                args.Number("latency", 1e-9, 1e300, "> 0 (ms) or auto:x", &o.requirement.value));
          }
        }
        COINFER_RETURN_IF_ERROR(
            args.Number("rate_step", 1.0 / 32, 0.5, "in [1/32, 0.5]", &o.rate_step));
        COINFER_RETURN_IF_ERROR(args.Number("overhead_ms", 0, 1e6, ">= 0 (ms)", &o.overhead_ms));
        if (args.Has("cuts")) {
          for (const std::string& c : SplitFields(args.Get("cuts"), ':')) {
            double v = 0;
            if (!ParseNumber(c, &v) || v != std::floor(v) || v <= 0 || v > 1e9)
              return args.Error("cuts: '" + c + "' is not a split index");
            o.cuts.push_back(static_cast<int>(v));
          }
        }
        *out = std::make_unique<CnnpcPolicy>(o, args.spec());
        return Status::Ok();
      }};
}

}  // namespace coinfer
