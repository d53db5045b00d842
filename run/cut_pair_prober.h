// Two-cut probes measured for real (CNNPC's accuracy of a plan that prunes
// two tensors): the pair is captured on the test samples the run draws from
// (learn/capture.h: encode, resume, encode, resume) by one capture session
// for the run (the model, data and fitted codecs loaded once), stored in the
// catalog, so a second run measures nothing, and kept in memory.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "learn/model_card.h"
#include "run/scenario.h"
#include "sim/measured_compression.h"

namespace coinfer {

class CaptureSession;

class CatalogCutPairProber : public CutPairProber {
 public:
  // `compression`: the run's (its codecs and sample count), filled already.
  CatalogCutPairProber(const Scenario& scenario, const MeasuredCompression& compression);
  ~CatalogCutPairProber() override;
  const CatalogEntry* Probe(int split_index, int codec, int then_split, int then_codec,
                            Status* status) override;

 private:
  Status Open();

  const Scenario& scenario_;
  const MeasuredCompression& compression_;
  ModelCard card_;
  std::unique_ptr<CompressionCatalog> catalog_;
  std::unique_ptr<CaptureSession> session_;  // loaded on the first probe to measure
  std::map<std::tuple<int, int, int, int>, CatalogEntry> cache_;
};

}  // namespace coinfer
