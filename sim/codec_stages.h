// Codec stages: encoding a crossing tensor on its sender and decoding it on
// its receiver are compute on those sites, holding a core like any layer.
// The catalog measured both on this host (CatalogEntry::encode_us and
// decode_us, means per sample); a site's time is that times its device's
// slowdown to this host on the run's model (Site::host_slowdown), stretched
// by its background load.
#pragma once

#include <vector>

#include "sim/net/site.h"
#include "sim/plan.h"

namespace coinfer {

struct CatalogEntry;
struct MeasuredCompression;
struct Observation;
struct SplitPoint;

// A tensor a plan sends, encoded once: the transfers that carry split point
// `split`'s tensor with `codec` (one transfer, or a relay: each hop leaving
// from where the one before arrived, after it).
struct TensorSend {
  int split = -1;
  int codec = -1;
  std::vector<int> transfers;  // stage indices, ascending
};

// The plan's encoded tensors, in stage order. A transfer that is not a
// result carries its own split and codec, or, when it is the plan's only
// such transfer, the plan's split (and the plan's codec where it names
// none); a transfer with no split sends its planned bytes, not a tensor.
std::vector<TensorSend> TensorSends(const Plan& plan);

// The catalog's entry for split point `split` (an index into `points`) sent
// with `codec`: the variant's when the plan runs one (-1: none), which must
// be at the variant's own split (a logic_error otherwise); null when the
// catalog has none.
const CatalogEntry* SendEntry(const MeasuredCompression& compression,
                              const std::vector<SplitPoint>& points, int split, int codec,
                              int variant);

// The device time (before load) of a codec stage's work on `site`.
double CodecWorkMs(const CatalogEntry& entry, Stage::Work work, const Site& site);

// Inserts, for each of the plan's encoded tensors, an encode stage before its
// first transfer (on the sender) and a decode stage after its last (on the
// receiver), each predicted at its work on that site; none for work the
// catalog measured as free. Nothing without compression or when the plan has
// codec stages already. Returns whether it inserted any.
bool InsertCodecStages(const Observation& observation, Plan* plan);

// The predicted time of encoding the entry's tensor on `from` plus decoding
// it on `to`: what a policy adds to the transfer when it compares plans.
double CodecMs(const Observation& observation, const CatalogEntry& entry, SiteId from, SiteId to);

}  // namespace coinfer
