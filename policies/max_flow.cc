#include "policies/max_flow.h"

#include <algorithm>
#include <queue>

namespace coinfer {
namespace {
constexpr double kEpsilon = 1e-12;
}

void MaxFlow::AddEdge(int from, int to, double capacity) {
  adjacency_[from].push_back(static_cast<int>(edges_.size()));
  edges_.push_back({to, capacity});
  adjacency_[to].push_back(static_cast<int>(edges_.size()));
  edges_.push_back({from, 0});
}

bool MaxFlow::BuildLevels(int source, int sink) {
  level_.assign(adjacency_.size(), -1);
  std::queue<int> queue;
  level_[source] = 0;
  queue.push(source);
  while (!queue.empty()) {
    const int node = queue.front();
    queue.pop();
    for (int e : adjacency_[node]) {
      if (edges_[e].capacity > kEpsilon && level_[edges_[e].to] < 0) {
        level_[edges_[e].to] = level_[node] + 1;
        queue.push(edges_[e].to);
      }
    }
  }
  return level_[sink] >= 0;
}

double MaxFlow::Push(int node, int sink, double limit) {
  if (node == sink) return limit;
  for (int& i = next_[node]; i < static_cast<int>(adjacency_[node].size()); ++i) {
    Edge& e = edges_[adjacency_[node][i]];
    if (e.capacity <= kEpsilon || level_[e.to] != level_[node] + 1) continue;
    const double pushed = Push(e.to, sink, std::min(limit, e.capacity));
    if (pushed > kEpsilon) {
      e.capacity -= pushed;
      edges_[adjacency_[node][i] ^ 1].capacity += pushed;
      return pushed;
    }
  }
  return 0;
}

double MaxFlow::Run(int source, int sink) {
  double flow = 0;
  while (BuildLevels(source, sink)) {
    next_.assign(adjacency_.size(), 0);
    while (const double pushed = Push(source, sink, kInfinity)) flow += pushed;
  }
  return flow;
}

std::vector<bool> MaxFlow::SourceSide(int source) const {
  std::vector<bool> reached(adjacency_.size(), false);
  std::queue<int> queue;
  reached[source] = true;
  queue.push(source);
  while (!queue.empty()) {
    const int node = queue.front();
    queue.pop();
    for (int e : adjacency_[node]) {
      if (edges_[e].capacity > kEpsilon && !reached[edges_[e].to]) {
        reached[edges_[e].to] = true;
        queue.push(edges_[e].to);
      }
    }
  }
  return reached;
}

}  // namespace coinfer
