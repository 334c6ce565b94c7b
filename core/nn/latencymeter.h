#pragma once

// Times single network parts with LibTorch at batch size 1. Torch-free declarations; the definitions include torch.

#include "model/architecture.h"

#include <string>

namespace earlybird::nn {

// Microseconds per sample of one part, in eval mode without gradients, with the process's LibTorch thread count:
// warmed up, then the median of several timed rounds (each long enough for the clock to resolve).
double timeBlockMicros(const BackboneBlockSpec& block, const ImageShape& input);
double timeBranchLayerMicros(const BranchLayerSpec& layer, const ImageShape& input);
// An exit's classifier (global average pooling and linear) and its confidence (softmax, top-2) on `input` features.
double timeClassifierMicros(const ImageShape& input, int classes);

// "LibTorch 1.13.1" as compiled in.
std::string torchVersion();

} // namespace earlybird::nn
