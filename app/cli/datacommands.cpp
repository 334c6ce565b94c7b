#include "argumentparser.h"
#include "commands.h"

#include "data/channelstats.h"
#include "data/datasetspec.h"
#include "data/imagefolder.h"
#include "trainingoptions.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace earlybird::cli {

int runDataInspect(const std::vector<std::string>& arguments)
{
    ArgumentParser parser("earlybird-cli data inspect --dataset KIND [--path PATH] [--split train|test]",
        "Reads one split of a data set and prints, as one JSON object: count, classes, shape [C,H,W],\n"
        "label_histogram (images per class index), and per-channel mean and std of pixels scaled to [0,1]; the\n"
        "images of the data set's own validation split (own_validation_images: an image folder's val/, NumPy's\n"
        "x_val) if it has one; for an image folder, whether it came from the cache, the seconds it took, and the\n"
        "images resized, files ignored and images skipped.");
    std::string kinds;
    for (const std::string& name : namesOf<DatasetKind>())
        kinds += (kinds.empty() ? "" : "|") + name;
    parser.addOption("dataset", "KIND", kinds);
    parser.addOption("path", "PATH",
        "folder with the data set files (Fashion-MNIST: the dataset-fashion-mnist package's folder if omitted; "
        "synthetic: settings such as classes=4,train=600,test=200,shape=3x32x32,seed=7; folder: ROOT with "
        "train/<class>/ "
        "and test/<class>/ (and optionally val/<class>/); numpy: a .npz file or a folder of .npy files)");
    addDatasetReadingOptions(parser);
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
    applyDatasetReadingOptions(parser, spec);
    const Split split = fromName<Split>(*parser.value("split"));

    ImageFolderReport report;
    Dataset dataset;
    if (spec.kind == DatasetKind::Folder) // the same read as loadDataset's, with its report
        dataset = readImageFolder(spec.path, split, imageFolderOptions(spec), &report);
    else
        dataset = loadDataset(spec, split);
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
    if (dataset.ownValidationFrom() >= 0)
        out["own_validation_images"] = dataset.size() - dataset.ownValidationFrom();
    if (spec.kind == DatasetKind::Folder) {
        out["from_cache"] = report.fromCache;
        out["seconds"] = report.seconds;
        out["resized_images"] = report.resized;
        out["ignored_files"] = report.ignoredFiles;
        out["skipped_images"] = report.skippedImages;
        out["cache_file"] = report.cacheFile;
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace earlybird::cli
