// MaxFlow: Dinic's algorithm on a small directed graph with real-valued
// capacities, and the minimum cut it proves: the nodes still reachable from
// the source in the residual graph. Used by the min-cut policies (DADS, CIC).
#pragma once

#include <limits>
#include <vector>

namespace coinfer {

class MaxFlow {
 public:
  static constexpr double kInfinity = 1e18;  // a capacity no cut may pay

  explicit MaxFlow(int nodes) : adjacency_(nodes) {}

  void AddEdge(int from, int to, double capacity);
  // The maximum flow (= the minimum cut's capacity) from `source` to `sink`.
  double Run(int source, int sink);
  // After Run: whether each node is on the source's side of a minimum cut.
  std::vector<bool> SourceSide(int source) const;

 private:
  struct Edge {
    int to;
    double capacity;  // residual
  };
  bool BuildLevels(int source, int sink);
  double Push(int node, int sink, double limit);

  std::vector<Edge> edges_;  // edge i and i ^ 1 are each other's reverse
  std::vector<std::vector<int>> adjacency_;
  std::vector<int> level_, next_;
};

}  // namespace coinfer
