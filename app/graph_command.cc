// coinfer graph: a zoo model's recorded layers and split points, as a table,
// CSV (one row per layer), Graphviz dot or JSON.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "app/command_line.h"
#include "app/commands.h"
#include "base/parse.h"
#include "dnn/zoo.h"

namespace coinfer {
namespace {

void PrintTable(const Graph& g) {
  std::printf("%s: input %s, %d layers, %.3f GMACs, %s\n", g.model.c_str(),
              ShapeText(g.input_shape).c_str(), g.size(), g.TotalMacs() / 1e9,
              g.IsChain() ? "chain" : "DAG");
  std::printf("%4s  %-28s %-10s %-16s %14s %12s %12s  %s\n", "id", "name", "kind", "output", "MACs",
              "param_B", "output_B", "inputs");
  for (int i = 0; i < g.size(); ++i) {
    const Layer& l = g.layers[i];
    std::vector<std::string> inputs;
    for (int u : l.inputs) inputs.push_back(u < 0 ? "input" : std::to_string(u));
    std::printf("%4d  %-28s %-10s %-16s %14lld %12lld %12lld  %s\n", i, l.name.c_str(),
                LayerKindName(l.kind), ShapeText(l.output_shape).c_str(), (long long)l.macs,
                (long long)l.param_bytes, (long long)l.output_bytes, Join(inputs, ",").c_str());
  }
  std::printf("\nsplit points (split: layers before it run on the end device):\n");
  const auto points = g.SplitPoints();
  for (size_t k = 0; k < points.size(); ++k)
    std::printf("  split %3zu  after %3d layers  sends %10lld bytes\n", k, points[k].index,
                (long long)points[k].bytes);
}

// One row per layer, in the profile CSV's shape conventions.
void PrintCsv(const Graph& g) {
  std::printf(
      "id,name,kind,inputs,input_shape,output_shape,macs,param_bytes,output_bytes,kernel\n");
  for (int i = 0; i < g.size(); ++i) {
    const Layer& l = g.layers[i];
    std::vector<std::string> inputs;
    for (int u : l.inputs) inputs.push_back(std::to_string(u));
    std::printf("%d,%s,%s,%s,%s,%s,%lld,%lld,%lld,%s\n", i, l.name.c_str(), LayerKindName(l.kind),
                Join(inputs, ";").c_str(), InputShapesText(l).c_str(),
                ShapeText(l.output_shape).c_str(), (long long)l.macs, (long long)l.param_bytes,
                (long long)l.output_bytes, l.kernel.c_str());
  }
}

// Graphviz: one box per layer; split points drawn as dashed edges.
void PrintDot(const Graph& g) {
  std::set<int> split_sources;
  for (const SplitPoint& p : g.SplitPoints()) split_sources.insert(p.source);
  std::printf("digraph \"%s\" {\n  rankdir=TB;\n  node [shape=box, fontsize=10];\n",
              g.model.c_str());
  std::printf("  input [label=\"input\\n%s\", shape=ellipse];\n", ShapeText(g.input_shape).c_str());
  for (int i = 0; i < g.size(); ++i) {
    const Layer& l = g.layers[i];
    std::printf("  n%d [label=\"%s\\n%s %s\\n%.1f MMACs\"];\n", i, l.name.c_str(),
                LayerKindName(l.kind), ShapeText(l.output_shape).c_str(), l.macs / 1e6);
    for (int u : l.inputs) {
      const bool split = split_sources.count(u) > 0;
      std::printf("  %s -> n%d%s;\n", u < 0 ? "input" : ("n" + std::to_string(u)).c_str(), i,
                  split ? " [style=dashed, label=\"split\"]" : "");
    }
  }
  std::printf("}\n");
}

void PrintJson(const Graph& g) {
  nlohmann::json j;
  j["model"] = g.model;
  j["input_shape"] = g.input_shape;
  j["input_bytes"] = g.input_bytes;
  j["macs"] = g.TotalMacs();
  for (const Layer& l : g.layers) {
    j["layers"].push_back({{"name", l.name},
                           {"kind", LayerKindName(l.kind)},
                           {"inputs", l.inputs},
                           {"input_shapes", l.input_shapes},
                           {"output_shape", l.output_shape},
                           {"macs", l.macs},
                           {"param_bytes", l.param_bytes},
                           {"output_bytes", l.output_bytes},
                           {"kernel", l.kernel}});
  }
  for (const SplitPoint& p : g.SplitPoints())
    j["split_points"].push_back({{"index", p.index}, {"source", p.source}, {"bytes", p.bytes}});
  std::cout << j.dump(2) << "\n";
}

}  // namespace

int GraphCommand(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("coinfer graph --model NAME [--format F] | --list");
  std::string model, format;
  opts.add_options()("help,h", "show the options")("list", "list the zoo's models")(
      "model", po::value(&model), "zoo model")("format", po::value(&format)->default_value("table"),
                                               "table, csv, dot (Graphviz) or json");
  po::variables_map vm;
  if (int exit = ParseCommandLine("graph", args, opts, {}, &vm); exit >= 0) return exit;
  if (vm.count("list")) {
    for (const auto& name : ZooModelNames()) std::cout << name << "\n";
    return 0;
  }
  const std::map<std::string, void (*)(const Graph&)> printers = {
      {"table", PrintTable}, {"csv", PrintCsv}, {"dot", PrintDot}, {"json", PrintJson}};
  if (model.empty() || !printers.count(format)) {
    std::cerr << "coinfer graph: give --model and a --format of table, csv, dot or json\n" << opts;
    return 2;
  }
  Graph g;
  Status st = RecordZooGraph(model, &g);
  if (!st.ok()) return ReportError(st);
  printers.at(format)(g);
  return 0;
}

}  // namespace coinfer
