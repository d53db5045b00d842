#include "sim/net/site.h"

namespace coinfer {

const char* SiteRoleName(SiteRole role) {
  switch (role) {
    case SiteRole::kEndDevice:
      return "end";
    case SiteRole::kEdge:
      return "edge";
    case SiteRole::kCloud:
      return "cloud";
    case SiteRole::kClusterDevice:
      return "device";
  }
  return "";
}

SiteId FindSite(const std::vector<Site>& sites, const std::string& name) {
  for (size_t i = 0; i < sites.size(); ++i)
    if (sites[i].name == name) return static_cast<SiteId>(i);
  return kNoSite;
}

SiteId FirstSiteOf(const std::vector<Site>& sites, SiteRole role) {
  for (size_t i = 0; i < sites.size(); ++i)
    if (sites[i].role == role) return static_cast<SiteId>(i);
  return kNoSite;
}

}  // namespace coinfer
