// The measured compression a scenario asks for, made ready before its run:
// catalog entries it lacks are measured (learn/capture.h: the test split
// through the trained model, each crossing tensor encoded, decoded and the
// forward pass resumed), pruned variants are built once (coinfer prune) and
// measured at their split, and the graph prices every crossing tensor at its
// mean measured bytes. A model without trained weights gets exact sizes for
// shape-determined codecs and no accuracy.
#pragma once

#include <ostream>

#include "base/status.h"
#include "run/scenario.h"
#include "sim/measured_compression.h"

namespace coinfer {

// Fills `compression` for the scenario's codecs and sets graph->sent_bytes.
// Progress lines (what is measured or built) go to `progress` when given.
Status PrepareCompression(const Scenario& scenario, Graph* graph, MeasuredCompression* compression,
                          std::ostream* progress);

}  // namespace coinfer
