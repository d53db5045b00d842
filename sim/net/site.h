// Sites: the places of a topology that compute and talk, as data. The
// topology names them (TopologySites); a run gives each its device model and
// background load. Plans name sites by their index in this table.
#pragma once

#include <string>
#include <vector>

namespace coinfer {

class DeviceModel;

// An index into a run's site table.
using SiteId = int;
constexpr SiteId kNoSite = -1;

// What a site is to a reader of results: per-role totals are kept per request.
enum class SiteRole { kEndDevice, kEdge, kCloud, kClusterDevice };
constexpr int kSiteRoles = 4;
const char* SiteRoleName(SiteRole role);

struct Site {
  std::string name;  // "end", "edge", "cloud"; "leader", "device0", ...
  SiteRole role = SiteRole::kEndDevice;
  const DeviceModel* device = nullptr;
  // Fraction of its capacity taken by other work, in [0, 1): compute stages
  // there last 1 / (1 − load) times longer.
  double load = 0;
  // The device's time for the run's model over this host's: what scales
  // work measured on this host (codecs, decisions) to the site.
  double host_slowdown = 1;
};

// The site of that name, or kNoSite.
SiteId FindSite(const std::vector<Site>& sites, const std::string& name);
// The first site of that role (the end device, the cloud), or kNoSite.
SiteId FirstSiteOf(const std::vector<Site>& sites, SiteRole role);

}  // namespace coinfer
