// A site of an emulation, run as its own process (`coinfer emulate-site`,
// started by `coinfer emulate`): its SiteRuntime computes for real what the
// coordinator's engine tells it to, and its data connections carry the
// frames through the shaped links. The end device connects to its link's
// relay; the other sites listen. Control messages (docs/emulation.md) come
// and go on a connection of their own to the coordinator.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace coinfer {

struct SiteProcessConfig {
  std::string name;           // in messages
  std::string card;           // the model card every site loads
  uint16_t control_port = 0;  // the coordinator's, on 127.0.0.1
  // The relay of this site's link to connect its data connection to;
  // 0: a receiving site, which listens on 127.0.0.1 (its port in `ready`).
  uint16_t connect_port = 0;
};

// Serves until the coordinator says `quit` or closes its connection.
Status RunSite(const SiteProcessConfig& config);

}  // namespace coinfer
