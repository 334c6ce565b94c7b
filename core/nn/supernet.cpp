#include "nn/supernet.h"

#include "base/error.h"
#include "base/rng.h"
#include "nn/trainer.h"
#include "nn/trainingloop.h"

namespace earlybird::nn {

namespace {

Architecture plainArchitecture(const BackboneSpec& backbone)
{
    Architecture plain;
    plain.backbone = backbone;
    return plain;
}

// The share of `weight` (a supernet tensor) a member tensor of `shape` takes: the first entries of every dimension,
// but the centre of a convolution's kernel (dimensions 2 and 3 of a 4-D weight).
torch::Tensor shareOf(const torch::Tensor& weight, torch::IntArrayRef shape)
{
    if (weight.dim() != std::int64_t(shape.size()))
        throw ConfigError("a supernet tensor and its member's differ in rank");
    torch::Tensor share = weight;
    for (std::int64_t d = 0; d < weight.dim(); ++d) {
        if (shape[std::size_t(d)] > weight.size(d))
            throw ConfigError("a member's tensor is larger than the supernet's");
        const std::int64_t offset = weight.dim() == 4 && d >= 2 ? (weight.size(d) - shape[std::size_t(d)]) / 2 : 0;
        if (shape[std::size_t(d)] != weight.size(d))
            share = share.narrow(d, offset, shape[std::size_t(d)]);
    }
    return share;
}

// The supernet module a member module of `name` shares: block i of the member is block blocks[i] of the supernet.
std::string sharedName(const std::string& name, const std::vector<int>& blocks)
{
    if (name.rfind("block", 0) != 0)
        return name;
    const std::size_t dot = name.find('.');
    const int index = std::stoi(name.substr(5, dot == std::string::npos ? std::string::npos : dot - 5));
    return "block" + std::to_string(blocks.at(std::size_t(index)))
        + (dot == std::string::npos ? std::string() : name.substr(dot));
}

// Calls `share(memberTensor, supernetTensor)` for every weight of `member` (each convolution's, BatchNorm's affine
// and, with `buffers`, running statistics, and the final classifier's) with the supernet's tensor it shares.
template <typename Share>
void forEachShare(EarlyExitNetworkImpl& member, EarlyExitNetworkImpl& supernet, const std::vector<int>& blocks,
    bool buffers, const Share& share)
{
    std::map<std::string, std::shared_ptr<torch::nn::Module>> modules;
    for (const auto& item : supernet.named_modules("", false))
        modules[item.key()] = item.value();
    for (const auto& item : member.named_modules("", false)) {
        const auto found = modules.find(sharedName(item.key(), blocks));
        if (found == modules.end())
            throw ConfigError(
                "the supernet has no module " + sharedName(item.key(), blocks) + " for the member's " + item.key());
        torch::nn::Module& from = *found->second;
        if (auto* conv = dynamic_cast<ConvBnImpl*>(item.value().get())) {
            share(conv->weight, dynamic_cast<ConvBnImpl&>(from).weight);
        } else if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(item.value().get())) {
            auto& source = dynamic_cast<torch::nn::BatchNorm2dImpl&>(from);
            share(bn->weight, source.weight);
            share(bn->bias, source.bias);
            if (buffers) {
                share(bn->running_mean, source.running_mean);
                share(bn->running_var, source.running_var);
            }
        } else if (auto* head = dynamic_cast<ExitHeadImpl*>(item.value().get())) {
            auto& source = dynamic_cast<ExitHeadImpl&>(from);
            share(head->classifierWeight, source.classifierWeight);
            share(head->classifierBias, source.classifierBias);
        }
    }
}

// -sum p_teacher log p_student, averaged over the batch: in-place distillation from the largest network.
torch::Tensor distillationLoss(const torch::Tensor& student, const torch::Tensor& teacher)
{
    const torch::Tensor target = torch::softmax(teacher.to(torch::kFloat), 1);
    return -(target * torch::log_softmax(student.to(torch::kFloat), 1)).sum(1).mean();
}

} // namespace

Supernet::Supernet(const BackboneSpec& base, const std::vector<BackboneGenes>& members, std::uint64_t seed)
    : m_base(base)
    , m_largest(spanningGenes(members))
    , m_smallest(narrowestGenes(members))
    , m_seed(seed)
    , m_network(plainArchitecture(familyMember(base, m_largest)), seed)
{
}

EarlyExitNetwork& Supernet::sharedMember(const BackboneGenes& genes)
{
    const std::vector<int> blocks = sharedBlockIndices(m_base, m_largest, genes);
    const std::string label = genesLabel(genes);
    auto found = m_shared.find(label);
    if (found == m_shared.end())
        found = m_shared.emplace(label, EarlyExitNetwork(plainArchitecture(familyMember(m_base, genes)), m_seed)).first;
    EarlyExitNetwork& member = found->second;
    member->train(m_network->is_training());
    forEachShare(*member, *m_network, blocks, false,
        [](torch::Tensor& mine, const torch::Tensor& shared) { mine = shareOf(shared, mine.sizes()); });
    return member;
}

EarlyExitNetwork Supernet::extractMember(const BackboneGenes& genes)
{
    const std::vector<int> blocks = sharedBlockIndices(m_base, m_largest, genes);
    EarlyExitNetwork member(plainArchitecture(familyMember(m_base, genes)), m_seed);
    torch::NoGradGuard noGrad;
    forEachShare(*member, *m_network, blocks, true,
        [](torch::Tensor& mine, const torch::Tensor& shared) { mine.copy_(shareOf(shared, mine.sizes())); });
    member->eval();
    return member;
}

void trainSupernet(Supernet& supernet, const BatchBuilder& builder, const std::vector<std::int64_t>& indices,
    const Augmentation& augmentation, const SupernetTraining& training, std::uint64_t seed,
    const ProgressCallback& progress, CancelFlag cancel, TrainingCheckpoint* checkpoint)
{
    const TrainingOptions& options = training.options;
    checkSgdTraining(options, indices.size());
    if (training.largestEpochs < 0 || training.largestEpochs > options.epochs)
        throw ConfigError("the supernet's largest network trains alone for 0 to " + std::to_string(options.epochs)
            + " epochs, not " + std::to_string(training.largestEpochs));
    if (training.randomSubnets < 0 || training.randomSubnets > 8)
        throw ConfigError("the sandwich rule takes 0 to 8 random members a step");
    const bool bf16 = resolvePrecision(options.precision) == Precision::BFloat16;
    const bool channelsLast = resolveChannelsLast(options.channelsLast);
    torch::manual_seed(seed);
    EarlyExitNetworkImpl& largest = *supernet.network();
    largest.train();
    if (channelsLast)
        setWeightFormat(largest, torch::MemoryFormat::ChannelsLast);
    torch::optim::SGD optimizer(largest.parameters(), sgdOptions(options));
    const ImageShape shape = largest.architecture().backbone.input;
    SgdBatches batches(options, indices.size(), builder);
    std::vector<std::int64_t> order = indices;
    Rng rng(seed);
    Rng sampler(seed ^ 0x5a4d71c4ULL);
    const LoopState state { optimizer, order, { &rng, &sampler } };
    const int firstEpoch = resumeTraining(largest, state, checkpoint, options.epochs);
    ProgressReporter reporter(progress, TrainingPhase::TrainingBackbone, options.epochs, batches.count,
        std::int64_t(batches.size), firstEpoch);
    const auto lossOptions = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(options.labelSmoothing);
    const bool single = supernet.largest() == supernet.smallest();
    std::int64_t step = std::int64_t(firstEpoch - 1) * batches.count;
    for (int epoch = firstEpoch; epoch <= options.epochs; ++epoch) {
        shuffle(order, rng);
        const bool sandwich = epoch > training.largestEpochs && !single;
        double lossSum = 0;
        for (std::int64_t b = 0; b < batches.count; ++b, ++step) {
            checkCancel(cancel);
            const std::int64_t* batch = order.data() + b * std::int64_t(batches.size);
            fillBatch(
                builder, batch, batches.size, options, augmentation, rng, batches.pixels.data(), batches.labels.data());
            setLearningRate(
                optimizer, warmupCosineRate(options.learningRate, step, batches.steps, batches.warmupSteps));
            optimizer.zero_grad();
            const torch::Tensor input = batches.input(shape, channelsLast);
            const torch::Tensor target = batches.target();
            torch::Tensor teacher;
            {
                torch::Tensor logits;
                {
                    const AutocastScope autocast(bf16);
                    logits = largest.forward(input).back();
                }
                const torch::Tensor loss
                    = torch::nn::functional::cross_entropy(logits.to(torch::kFloat), target, lossOptions);
                loss.backward();
                lossSum += loss.item<double>();
                teacher = logits.detach();
            }
            if (sandwich) {
                std::vector<BackboneGenes> subnets { supernet.smallest() };
                for (int r = 0; r < training.randomSubnets; ++r)
                    subnets.push_back(sampleGenes(supernet.smallest(), supernet.largest(), training.elastic, sampler));
                for (const BackboneGenes& genes : subnets) {
                    EarlyExitNetwork& member = supernet.sharedMember(genes);
                    torch::Tensor logits;
                    {
                        const AutocastScope autocast(bf16);
                        logits = member->forward(input).back();
                    }
                    distillationLoss(logits, teacher).backward();
                }
            }
            optimizer.step();
            reporter.report(epoch, b + 1, lossSum / double(b + 1), b + 1 == batches.count);
        }
        keepCheckpoint(largest, state, checkpoint, epoch, options.epochs);
    }
    if (channelsLast)
        setWeightFormat(largest, torch::MemoryFormat::Contiguous);
    largest.eval();
}

void recalibrateBatchNorm(EarlyExitNetworkImpl& network, const BatchBuilder& builder,
    const std::vector<std::int64_t>& indices, CancelFlag cancel)
{
    if (indices.size() < 2)
        throw ConfigError("BatchNorm statistics need at least two images to be measured on");
    std::vector<torch::nn::BatchNorm2dImpl*> norms;
    for (const auto& module : network.modules(false))
        if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get())) {
            bn->reset_running_stats();
            bn->options.momentum(c10::nullopt); // a cumulative average over every batch
            norms.push_back(bn);
        }
    network.train();
    torch::NoGradGuard noGrad;
    // Batches of one size (at most 256), so that the average of their means is the mean over the images (the few
    // images past the last whole batch are left out).
    constexpr std::size_t kMaxBatch = 256;
    const std::size_t batches = (indices.size() + kMaxBatch - 1) / kMaxBatch;
    const std::size_t batch = indices.size() / batches;
    const ImageShape shape = network.architecture().backbone.input;
    std::vector<float> images(batch * std::size_t(builder.valuesPerImage()));
    for (std::size_t b = 0; b < batches; ++b) {
        checkCancel(cancel);
        builder.fill(indices.data() + b * batch, batch, images.data());
        network.forward(batchTensor(images, batch, shape));
    }
    for (torch::nn::BatchNorm2dImpl* bn : norms)
        bn->options.momentum(0.1);
    network.eval();
}

} // namespace earlybird::nn
