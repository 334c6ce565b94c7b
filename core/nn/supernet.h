#pragma once

// A weight-shared supernet over a backbone family (model/backbonefamily.h), trained once so that every member in it
// gets weights without a training of its own: the once-for-all recipe of AEBNAS, EDANAS and NACHOS, over Earlybird's
// backbones. The supernet is the member of the spanning genes; a member takes the first channels of each of its
// convolutions, the centre of each kernel, and the first blocks of each stage. Includes torch: see nn/modules.h.

#include "data/batchbuilder.h"
#include "model/backbonefamily.h"
#include "nn/earlyexitnetwork.h"
#include "nn/trainer.h"
#include "nn/trainingoptions.h"

#include <map>
#include <string>
#include <vector>

namespace earlybird::nn {

// How the supernet is trained: SGD as a backbone (options: epochs, learning rate, schedule, precision ...). The first
// `largestEpochs` train the largest network alone; every later step is the sandwich rule: the largest on the labels,
// then the smallest and `randomSubnets` random members, each distilled in place from the largest's outputs of the same
// batch, their gradients summed into one step.
struct SupernetTraining {
    TrainingOptions options;
    int largestEpochs = 2;
    int randomSubnets = 2;
    ElasticOptions elastic; // the widths and kernels random members are drawn from (between the smallest and largest)
};

class Supernet {
public:
    // Spans `members` (at least one), of `base`'s family; initial weights from `seed`.
    Supernet(const BackboneSpec& base, const std::vector<BackboneGenes>& members, std::uint64_t seed);

    const BackboneSpec& base() const { return m_base; }
    const BackboneGenes& largest() const { return m_largest; }
    const BackboneGenes& smallest() const { return m_smallest; }
    // The largest network, whose weights every member shares.
    EarlyExitNetwork& network() { return m_network; }

    // Member `genes` as a network whose weights are views of the supernet's (so its gradients reach them); its
    // BatchNorm statistics are its own. Kept, and its views made again, for each call. Throws ConfigError for genes
    // the supernet does not contain.
    EarlyExitNetwork& sharedMember(const BackboneGenes& genes);
    // Member `genes` as a network of its own, its weights a copy of its share (BatchNorm statistics too: recalibrate
    // them, see recalibrateBatchNorm).
    EarlyExitNetwork extractMember(const BackboneGenes& genes);

private:
    BackboneSpec m_base;
    BackboneGenes m_largest;
    BackboneGenes m_smallest;
    std::uint64_t m_seed;
    EarlyExitNetwork m_network;
    std::map<std::string, EarlyExitNetwork> m_shared; // by genes label
};

// Trains the supernet on the images `indices` (augmented as a backbone is). Reports progress as backbone training;
// throws CancelledError between batches when `cancel` is set. With a `checkpoint`, keeps its state after every epoch
// (the largest's weights, the optimiser, the order and both random sources) and resumes from the one it is given, so
// that a stopped training ends as an uninterrupted one would (nn/trainer.h).
void trainSupernet(Supernet& supernet, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const SupernetTraining& training, std::uint64_t seed,
    const ProgressCallback& progress, CancelFlag cancel, TrainingCheckpoint* checkpoint = nullptr);

// Measures every BatchNorm's running statistics of `network` again over the images `indices` (train mode, no
// gradients, no augmentation), in batches of one size: the means are the images' means, the variances the average of
// the batches'. A member taken out of a supernet has no statistics of its own until then.
void recalibrateBatchNorm(EarlyExitNetworkImpl& network, const BatchBuilder& builder,
    const std::vector<std::int64_t>& indices, CancelFlag cancel = nullptr);

} // namespace earlybird::nn
