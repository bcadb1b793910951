// What a model needs to be observed: the run's waveform and timeline, either of which may be
// absent. Models take a `probes&` and check before recording, so observing costs nothing when
// it is off.
#pragma once

#include "timeline.h"
#include "wave_writer.h"

namespace rainier {

struct probes {
    wave_writer* wave = nullptr;
    timeline* trace = nullptr;
};

} // namespace rainier
