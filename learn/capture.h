// Capture: runs a trained model on the test split, takes the tensor that
// crosses each split point, runs each codec on it sample by sample (encode,
// then decode) and resumes the forward pass from the decoded tensor, so
// every byte count and every prediction is measured. Channel selection ranks
// channels by mean |activation| over calibration images from the train split.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "compress/catalog.h"

namespace coinfer {

struct CaptureOptions {
  std::string card;                 // model card (models/NAME.json)
  std::vector<std::string> codecs;  // pipelines (CodecSpec text)
  std::vector<int> splits;          // split indices; empty: every split point but the last
  int64_t samples = 0;              // first N test images; 0: all
  int64_t calibration_samples = 1000;
  int threads = 2;
};

// Measures every (split, codec) the catalog lacks (or has on fewer samples)
// and stores them in one transaction; when it lacks nothing, only the test
// split is read. `progress` gets each new entry.
Status CaptureToCatalog(const CaptureOptions& options, CompressionCatalog* catalog,
                        const std::function<void(const CatalogEntry&)>& progress);

}  // namespace coinfer
