// NeuronLink from the link.* config keys: the topology with its port parameters and the ports
// marked down. Shared by config validation and by the system that builds the routers.
#pragma once

#include "config.h"
#include "topology.h"

namespace rainier {

// Throws config_error naming the key (link.topology, link.down, link.*) and what is wrong.
link::topology make_topology(const platform_config& cfg);

} // namespace rainier
