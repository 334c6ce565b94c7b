#include "model/branchid.h"

#include <cstdio>

namespace earlybird {

BranchId::BranchId(const ExitSpec& exit)
    : m_exit(exit)
{
    m_exit.threshold = 0;
    m_exit.temperature = 1;
    m_key = std::to_string(exit.position);
    for (const BranchLayerSpec& layer : exit.layers) {
        m_key += " " + nameOf(layer.type);
        if (!layer.isPooling()) {
            char width[32];
            std::snprintf(width, sizeof width, "x%.17g/%d", layer.width, layer.stride);
            m_key += width;
        }
    }
}

} // namespace earlybird
