#include "argumentparser.h"
#include "commands.h"

#include "data/channelstats.h"
#include "data/datasetspec.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace earlybird::cli {

int runDataInspect(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli data inspect --dataset KIND [--path PATH] [--split train|test]",
        "Reads one split of a data set and prints, as one JSON object: count, classes, shape [C,H,W],\n"
        "label_histogram (images per class index), and per-channel mean and std of pixels scaled to [0,1].");
    std::string kinds;
    for (const std::string& name : namesOf<DatasetKind>())
        kinds += (kinds.empty() ? "" : "|") + name;
    parser.addOption("dataset", "KIND", kinds);
    parser.addOption("path", "PATH",
        "folder with the data set files (Fashion-MNIST: the dataset-fashion-mnist package's folder if omitted; "
        "synthetic: settings such as classes=4,train=600,test=200,shape=3x32x32,seed=7)");
    parser.addOption("split", "SPLIT", "train or test", std::string("train"));
    parser.addFlag("coarse", "CIFAR-100: the 20 coarse superclasses instead of the 100 fine classes");
    parser.addFlag("extra", "SVHN: add extra_32x32.mat to the training split");
    if (!parser.parseCommand(arguments))
        return 0;
    DatasetSpec spec;
    spec.kind = fromName<DatasetKind>(parser.required("dataset"));
    spec.path = parser.value("path").value_or(std::string());
    spec.cifar100CoarseLabels = parser.isSet("coarse");
    spec.svhnIncludeExtra = parser.isSet("extra");
    const Split split = fromName<Split>(*parser.value("split"));

    const Dataset dataset = loadDataset(spec, split);
    const ChannelStats stats = computeChannelStats(dataset);
    const ImageShape shape = dataset.shape();
    nlohmann::ordered_json out;
    out["dataset"] = nameOf(spec.kind);
    out["split"] = nameOf(split);
    out["count"] = dataset.size();
    out["classes"] = dataset.classNames();
    out["shape"] = { shape.channels, shape.height, shape.width };
    out["label_histogram"] = dataset.labelHistogram();
    out["mean"] = stats.mean;
    out["std"] = stats.std;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace earlybird::cli
