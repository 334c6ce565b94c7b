#pragma once

#include "base/precision.h"
#include "base/progress.h"

namespace earlybird {

// How the backbone is trained: SGD with momentum and a cosine learning-rate schedule, on augmented images.
struct TrainingOptions {
    int epochs = 10;
    int batchSize = 128;
    double learningRate = 0.05;
    double momentum = 0.9;
    double weightDecay = 5e-4;
    double labelSmoothing = 0.0; // 0 = plain cross-entropy
    bool augment = true;
    // Epochs over which the learning rate rises linearly from 0 before the cosine decay; 0: cosine from the start.
    int warmupEpochs = 0;
    Precision precision = Precision::Auto; // resolved per CPU (base/precision.h)
    // Weights and activations in channels-last (NHWC) memory: the same numbers, faster convolutions on this CPU.
    bool channelsLast = true;
};

// How an exit branch is trained on cached backbone features (the backbone frozen): Adam with a cosine schedule.
// Measured on Fashion-MNIST (fashion-resnet, 3 hand-picked exits tuned to 0.6x MACs): 4 epochs at 2e-3 lost 2.3
// accuracy points against the backbone, 30 epochs at 2e-3 lost 0.21, 12 epochs at 6e-3 lost 0.13 (3 s a branch).
struct BranchTrainingOptions {
    int epochs = 12;
    int batchSize = 256;
    double learningRate = 6e-3;
    double weightDecay = 1e-4;
    Precision precision = Precision::Auto;
    bool channelsLast = true;
};

} // namespace earlybird
