#include "run/cut_pair_prober.h"

#include <algorithm>

#include "learn/capture.h"
#include "learn/model_card.h"

namespace coinfer {

CatalogCutPairProber::CatalogCutPairProber(const Scenario& scenario,
                                           const MeasuredCompression& compression)
    : scenario_(scenario), compression_(compression) {}

CatalogCutPairProber::~CatalogCutPairProber() = default;

Status CatalogCutPairProber::Open() {
  if (catalog_) return Status::Ok();
  COINFER_RETURN_IF_ERROR(ReadModelCard(scenario_.weights_card, &card_));
  return CompressionCatalog::Open(scenario_.catalog_path, &catalog_);
}

const CatalogEntry* CatalogCutPairProber::Probe(int split_index, int codec, int then_split,
                                                int then_codec, Status* status) {
  const auto key = std::make_tuple(split_index, codec, then_split, then_codec);
  if (auto it = cache_.find(key); it != cache_.end()) return &it->second;
  *status = Open();
  const std::string& first = compression_.codecs.at(codec);
  const std::string& second = compression_.codecs.at(then_codec);
  CatalogEntry entry;
  bool found = false;
  if (status->ok())
    *status = catalog_->FindPair({card_.Name(), card_.sha256, card_.dataset, split_index, first},
                                 then_split, second, compression_.samples, &found, &entry);
  if (status->ok() && !found) {
    if (!session_) {
      CaptureOptions options;
      options.card = scenario_.weights_card;
      *status = CaptureSession::Open(options, &session_);
    }
    std::vector<CatalogEntry> measured;
    if (status->ok())
      *status = session_->Measure({{{split_index, first}, {then_split, second}}},
                                  compression_.samples, &measured);
    if (status->ok()) *status = catalog_->Put(measured);
    if (status->ok()) entry = std::move(measured[0]);
  }
  if (!status->ok()) return nullptr;
  // The samples the run draws from, whatever an earlier run stored.
  CutEntry(compression_.samples, compression_.validation_samples, &entry);
  return &cache_.emplace(key, std::move(entry)).first->second;
}

}  // namespace coinfer
