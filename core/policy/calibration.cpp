#include "policy/calibration.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace earlybird {

double expectedCalibrationError(
    const float* maxSoftmax, const std::int32_t* predictions, const std::int32_t* labels, std::int64_t n, int bins)
{
    if (n <= 0 || bins < 1)
        return 0;
    std::vector<double> confidence(std::size_t(bins), 0.0), right(std::size_t(bins), 0.0);
    std::vector<std::int64_t> count(std::size_t(bins), 0);
    for (std::int64_t i = 0; i < n; ++i) {
        const double c = std::clamp(double(maxSoftmax[i]), 0.0, 1.0);
        // Bin b holds (b / bins, (b + 1) / bins]; a confidence of 0 goes to the first.
        const int b = std::clamp(int(std::ceil(c * bins)) - 1, 0, bins - 1);
        confidence[std::size_t(b)] += c;
        right[std::size_t(b)] += predictions[i] == labels[i] ? 1.0 : 0.0;
        ++count[std::size_t(b)];
    }
    double error = 0;
    for (int b = 0; b < bins; ++b) {
        if (count[std::size_t(b)] > 0)
            error += std::abs(right[std::size_t(b)] - confidence[std::size_t(b)]);
    }
    return error / double(n);
}

} // namespace earlybird
