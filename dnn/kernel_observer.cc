#include "dnn/kernel_observer.h"

#include <ATen/record_function.h>

#include <set>

namespace coinfer {
namespace {

// Operators that allocate, reshape, convert or move memory: they run inside
// (or before) the kernels that matter and would hide them.
bool IsPlumbing(const std::string& op) {
  static const std::set<std::string> kPlumbing = {"_reshape_alias",
                                                  "_to_copy",
                                                  "_unsafe_view",
                                                  "alias",
                                                  "as_strided",
                                                  "as_strided_",
                                                  "clone",
                                                  "contiguous",
                                                  "copy_",
                                                  "detach",
                                                  "empty",
                                                  "empty_like",
                                                  "empty_strided",
                                                  "expand",
                                                  "fill_",
                                                  "lift_fresh",
                                                  "permute",
                                                  "reshape",
                                                  "resize_",
                                                  "resolve_conj",
                                                  "resolve_neg",
                                                  "select",
                                                  "slice",
                                                  "squeeze",
                                                  "t",
                                                  "to",
                                                  "transpose",
                                                  "unsqueeze",
                                                  "view",
                                                  "zero_"};
  return kPlumbing.count(op) > 0;
}

// The chain followed so far: the first top-level operator that is not
// plumbing, then each time the first such child of the chain's tip.
struct Record {
  int depth = 0;          // nesting depth of the next operator to start
  int tip_depth = -1;     // depth of the chain's tip; -1 before the chain starts
  bool following = true;  // false once the tip (or an ancestor) has ended
  std::string kernel;     // the tip
};
thread_local Record record;

std::unique_ptr<at::ObserverContext> OnStart(const at::RecordFunction& fn) {
  const int depth = record.depth++;
  if (!record.following || depth != record.tip_depth + 1) return nullptr;
  std::string op = fn.name();
  if (op.rfind("aten::", 0) == 0) op = op.substr(6);
  if (IsPlumbing(op)) return nullptr;
  record.kernel = op;
  record.tip_depth = depth;
  return nullptr;
}

void OnEnd(const at::RecordFunction&, at::ObserverContext*) {
  const int depth = --record.depth;
  if (record.tip_depth >= 0 && depth <= record.tip_depth) record.following = false;
}

}  // namespace

KernelObserver::KernelObserver() {
  record = Record();
  handle_ = at::addThreadLocalCallback(
      at::RecordFunctionCallback(OnStart, OnEnd).scopes({at::RecordScope::FUNCTION}));
}

KernelObserver::~KernelObserver() { at::removeCallback(handle_); }

std::string KernelObserver::Take() {
  std::string kernel = std::move(record.kernel);
  record = Record();
  return kernel;
}

}  // namespace coinfer
