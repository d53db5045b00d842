// Observation: everything a policy may know when it decides one request.
// Bandwidth is the estimator's figure from completed transfers, never the
// trace: policies see the network only through what they have measured.
#pragma once

#include <algorithm>
#include <vector>

#include "devices/device_model.h"
#include "dnn/graph.h"
#include "sim/measured_compression.h"
#include "sim/net/site.h"
#include "sim/transfer_time.h"

namespace coinfer {

// The bytes of a request's result: the model's output (the class scores).
inline int64_t ResultBytes(const Graph& graph) {
  return graph.layers.empty() ? graph.input_bytes : graph.layers.back().output_bytes;
}

struct Observation {
  const Graph* graph = nullptr;
  // The run's sites: name, role, device model, background load.
  std::vector<Site> sites;
  SiteId end = 0;          // the end device (a cluster's leader), where requests arrive
  SiteId cloud = kNoSite;  // the cloud; kNoSite when the topology has none
  // The codecs a plan may choose, with their measured bytes and accuracy
  // per split point; null without compression.
  const MeasuredCompression* compression = nullptr;
  // Every directed link a transfer has used so far, and the estimate for it;
  // a link not listed is at the estimator's prior, or, between a cluster's
  // leader and one of its devices, at the LAN's nominal rate (a deployment
  // knows its Ethernet; 0: no cluster).
  std::vector<LinkEstimate> links;
  double prior_mbps = 0;
  double lan_mbps = 0;
  double uplink_estimate_mbps = 0;  // end device -> cloud
  // The requests' mean arrival rate (the scenario's): a deployment knows the
  // rate it samples at (DADS's Q). 0: not known.
  double arrival_rate_per_s = 0;
  std::vector<int> queue;  // per site: stages waiting or running there
  // Per site: the wait for a core of a stage queued now, from the work its
  // queue has committed (sim/site_queue.h).
  std::vector<double> wait_ms;
  double now_s = 0;

  const DeviceModel& device(SiteId site) const { return *sites.at(site).device; }
  // A device model's time on `site` stretched by the site's background load,
  // as the engine stretches it (a deployment knows its own load).
  double ComputeMs(SiteId site, double device_ms) const {
    return device_ms / (1 - sites.at(site).load);
  }
  const DeviceModel& end_device() const { return device(end); }
  const DeviceModel& cloud_device() const { return device(cloud); }
  // The estimate of the link from -> to (the prior before its first transfer).
  LinkEstimate Link(SiteId from, SiteId to) const {
    for (const LinkEstimate& l : links)
      if (l.from == from && l.to == to) return l;
    return {from, to, OnLan(from) && OnLan(to) ? lan_mbps : prior_mbps};
  }
  double EstimateMbps(SiteId from, SiteId to) const { return Link(from, to).mbps; }
  // Whether `site` is on a cluster's LAN (its leader or a device).
  bool OnLan(SiteId site) const {
    return lan_mbps > 0 && site >= 0 && site < static_cast<SiteId>(sites.size()) &&
           (site == end || sites[site].role == SiteRole::kClusterDevice);
  }
  // The predicted wait for a core on `site` of a stage ready `after_ms` from
  // now: the committed work drains meanwhile (work that joins later is not
  // foreseen).
  double WaitMs(SiteId site, double after_ms = 0) const {
    if (site < 0 || site >= static_cast<SiteId>(wait_ms.size())) return 0;
    return std::max(0.0, wait_ms[site] - after_ms);
  }
  // The predicted time of sending `bytes` from -> to (sim/transfer_time.h).
  double TransferMs(SiteId from, SiteId to, double bytes) const {
    return PredictTransferMs(Link(from, to), bytes);
  }
  // The predicted time of the result's way back from `from` to the end
  // device, at that link's estimate (with a goodput estimator, its prior
  // until something other than a result has crossed it: results do not feed
  // those).
  double ResultReturnMs(SiteId from) const {
    return from == end ? 0 : TransferMs(from, end, ResultBytes(*graph));
  }
};

}  // namespace coinfer
