// Observation: everything a policy may know when it decides one request.
// Bandwidth is the estimator's figure from completed transfers, never the
// trace: policies see the network only through what they have measured.
#pragma once

#include "devices/device_model.h"
#include "dnn/graph.h"
#include "sim/measured_compression.h"

namespace coinfer {

struct Observation {
  const Graph* graph = nullptr;
  const DeviceModel* end_device = nullptr;
  const DeviceModel* cloud = nullptr;
  // The codecs a plan may choose, with their measured bytes and accuracy
  // per split point; null without compression.
  const MeasuredCompression* compression = nullptr;
  double uplink_estimate_mbps = 0;  // end device -> cloud
  int end_device_queue = 0;         // stages waiting or running on each site
  int cloud_queue = 0;
  double now_s = 0;
};

}  // namespace coinfer
