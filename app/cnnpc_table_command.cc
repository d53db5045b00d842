// coinfer cnnpc-table: CNNPC's predicted latency of every plan (two cuts,
// two pruning rates) of a zoo model on three devices at given link rates, as
// CSV, so that anyone can check the policy's latency model against CNNPC's
// own numbers (devices/data/measured/cnnpc_*.csv; docs/policies.md).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "app/command_line.h"
#include "app/commands.h"
#include "base/parse.h"
#include "dnn/zoo.h"
#include "policies/cnnpc_tiers.h"
#include "run/scenario.h"

namespace coinfer {
namespace {

Status ParseList(const std::string& option, const std::string& text, std::vector<double>* out) {
  out->clear();
  for (const std::string& item : SplitFields(text, ',')) {
    double v = 0;
    if (!ParseNumber(item, &v))
      return Status::InvalidInput("", option, "'" + item + "' is not a number");
    out->push_back(v);
  }
  return Status::Ok();
}

// A device whose measured rows fit `graph`.
Status LoadDevice(const std::string& name, const Graph& graph, DeviceModel* out) {
  const std::string path = ResolveDevice(".", name);
  COINFER_RETURN_IF_ERROR(DeviceModel::Load(path, out));
  const Status st = out->CheckRows(graph);
  return st.ok() ? st : Status::InvalidInput(path, "profile", st.message());
}

}  // namespace

int CnnpcTableCommand(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("coinfer cnnpc-table --model NAME [options]");
  std::string model, end_name, edge_name, cloud_name, cuts_text, rates_text;
  double end_edge_mbps = 0, element_bytes = 0, overhead_ms = 0;
  std::vector<double> edge_cloud_mbps;
  opts.add_options()("help,h", "show the options")("model", po::value(&model)->required(),
                                                   "zoo model")(
      "end", po::value(&end_name)->default_value("mi8"), "end device (name or .device file)")(
      "edge", po::value(&edge_name)->default_value("edge"), "edge server")(
      "cloud", po::value(&cloud_name)->default_value("cloud"), "cloud server")(
      "cuts", po::value(&cuts_text)->default_value(""),
      "cut points, split indices comma-separated (default: every split point inside the model)")(
      "rates", po::value(&rates_text)->default_value("0,0.125,0.25,0.375,0.5,0.625,0.75,0.875"),
      "pruning rates, ascending, from 0")(
      "end-edge-mbps", po::value(&end_edge_mbps)->default_value(20), "end -> edge link, Mbit/s")(
      "edge-cloud-mbps", po::value(&edge_cloud_mbps)->multitoken()->default_value({10}, "10"),
      "edge -> cloud link(s), Mbit/s")("element-bytes", po::value(&element_bytes)->default_value(1),
                                       "bytes per tensor element sent (CNNPC: 1, 8-bit)")(
      "overhead-ms", po::value(&overhead_ms)->default_value(1.66),
      "fixed overheads added to every plan (CNNPC: 0.53 + 1.13)");
  po::variables_map vm;
  if (int exit = ParseCommandLine("cnnpc-table", args, opts, {}, &vm); exit >= 0) return exit;
  std::vector<double> rates, cut_values;
  Status st = ParseList("rates", rates_text, &rates);
  if (st.ok() && !cuts_text.empty()) st = ParseList("cuts", cuts_text, &cut_values);
  if (st.ok() && (rates.empty() || rates[0] != 0))
    st = Status::InvalidInput("", "rates", "must start at 0");
  for (size_t k = 1; st.ok() && k < rates.size(); ++k)
    if (!(rates[k] > rates[k - 1] && rates[k] < 1))
      st = Status::InvalidInput("", "rates", "must be ascending and below 1");
  if (st.ok() && !(end_edge_mbps > 0 && element_bytes > 0))
    st = Status::InvalidInput("", "end-edge-mbps", "link rates and element bytes must be > 0");
  for (double mbps : edge_cloud_mbps)
    if (st.ok() && !(mbps > 0)) st = Status::InvalidInput("", "edge-cloud-mbps", "must be > 0");
  Graph g;
  if (st.ok()) st = RecordZooGraph(model, &g);
  DeviceModel end, edge, cloud;
  if (st.ok()) st = LoadDevice(end_name, g, &end);
  if (st.ok()) st = LoadDevice(edge_name, g, &edge);
  if (st.ok()) st = LoadDevice(cloud_name, g, &cloud);
  if (!st.ok()) return ReportError(st);
  // Every tensor sent at element_bytes per element, without a header.
  g.sent_bytes.push_back(static_cast<int64_t>(NumElements(g.input_shape) * element_bytes));
  for (const Layer& l : g.layers)
    g.sent_bytes.push_back(static_cast<int64_t>(NumElements(l.output_shape) * element_bytes));
  for (double c : cut_values) {
    std::ostringstream text;
    text << c;
    if (st.ok() && !(c == std::floor(c) && c > 0 && c < 1e9))
      st = Status::InvalidInput("", "cuts", "'" + text.str() + "' is not a split index");
  }
  if (!st.ok()) return ReportError(st);
  const std::vector<int> cuts(cut_values.begin(), cut_values.end());
  CnnpcTiers tiers;
  st = MakeCnnpcTiers(g, cuts, end, edge, cloud, overhead_ms, &tiers);
  if (!st.ok()) return ReportError(st);
  const CnnpcSearch search(tiers, rates, {});
  std::printf(
      "model,end,edge,cloud,end_edge_mbps,edge_cloud_mbps,i,j,cut_i,cut_j,r1,r2,placement,"
      "latency_ms\n");
  for (double mbps : edge_cloud_mbps) {
    const CnnpcLinks links{end_edge_mbps, mbps, 0, 0};
    for (const CnnpcPoint& p : search.AllPoints())
      std::printf("%s,%s,%s,%s,%.17g,%.17g,%d,%d,%d,%d,%.17g,%.17g,%s,%.17g\n", model.c_str(),
                  end.name().c_str(), edge.name().c_str(), cloud.name().c_str(), end_edge_mbps,
                  mbps, p.i, p.j, tiers.boundaries[p.i], tiers.boundaries[p.j], rates[p.r1],
                  rates[p.r2], CnnpcPlacement(p, tiers.segments()).c_str(),
                  search.LatencyMs(search.Price(p), links));
  }
  return 0;
}

}  // namespace coinfer
