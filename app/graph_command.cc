// coinfer graph: a zoo model's recorded layers and split points.
#include <cstdio>
#include <iostream>

#include "app/commands.h"
#include "dnn/zoo.h"

namespace coinfer {

int GraphCommand(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "--list") {
    for (const auto& name : ZooModelNames()) std::cout << name << "\n";
    return 0;
  }
  const bool csv = args.size() == 3 && args[2] == "--csv";
  if ((args.size() != 2 && !csv) || args[0] != "--model") {
    std::cerr << "usage: coinfer graph --model NAME [--csv] | --list\n";
    return args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? 0 : 2;
  }
  Graph g;
  Status st = RecordZooGraph(args[1], &g);
  if (!st.ok()) return ReportError(st);
  if (csv) {
    // One row per layer, in the profile CSV's shape conventions.
    std::printf("id,name,kind,inputs,input_shape,output_shape,macs,param_bytes,output_bytes\n");
    for (int i = 0; i < g.size(); ++i) {
      const Layer& l = g.layers[i];
      std::string inputs, shapes;
      for (int u : l.inputs) inputs += (inputs.empty() ? "" : ";") + std::to_string(u);
      for (const Shape& s : l.input_shapes) shapes += (shapes.empty() ? "" : ";") + ShapeText(s);
      std::printf("%d,%s,%s,%s,%s,%s,%lld,%lld,%lld\n", i, l.name.c_str(), LayerKindName(l.kind),
                  inputs.c_str(), shapes.c_str(), ShapeText(l.output_shape).c_str(),
                  (long long)l.macs, (long long)l.param_bytes, (long long)l.output_bytes);
    }
    return 0;
  }
  std::printf("%s: input %s, %d layers, %.3f GMACs, %s\n", g.model.c_str(),
              ShapeText(g.input_shape).c_str(), g.size(), g.TotalMacs() / 1e9,
              g.IsChain() ? "chain" : "DAG");
  std::printf("%4s  %-28s %-10s %-16s %14s %12s %12s  %s\n", "id", "name", "kind", "output", "MACs",
              "param_B", "output_B", "inputs");
  for (int i = 0; i < g.size(); ++i) {
    const Layer& l = g.layers[i];
    std::string inputs;
    for (int u : l.inputs)
      inputs += (inputs.empty() ? "" : ",") + (u < 0 ? std::string("input") : std::to_string(u));
    std::printf("%4d  %-28s %-10s %-16s %14lld %12lld %12lld  %s\n", i, l.name.c_str(),
                LayerKindName(l.kind), ShapeText(l.output_shape).c_str(), (long long)l.macs,
                (long long)l.param_bytes, (long long)l.output_bytes, inputs.c_str());
  }
  std::printf("\nsplit points (split: layers before it run on the end device):\n");
  const auto points = g.SplitPoints();
  for (size_t k = 0; k < points.size(); ++k)
    std::printf("  split %3zu  after %3d layers  sends %10lld bytes\n", k, points[k].index,
                (long long)points[k].bytes);
  return 0;
}

}  // namespace coinfer
