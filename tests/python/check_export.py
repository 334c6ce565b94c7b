#!/usr/bin/env python3
"""Checks Earlybird's exports in real Python: PyTorch, onnx and OpenCV's DNN module (Debian: python3-torch,
python3-onnx, python3-opencv).

1. For tiny searches on three backbones (ResNet with projection shortcuts, ResNet-20 with padded shortcuts,
   MobileNet), the candidate with the most exits is exported with `earlybird-cli export --format all`. The generated
   module, with the exported weights, must give every exit's logits within 1e-4 of the C++ model on the reference
   test images and take the same exit with the same prediction for every sample. The ONNX files must pass
   onnx.checker, and OpenCV must give the same logits within 1e-4, from the one graph and from the chained segments.
2. For every backbone preset and for sampled networks, MACs counted by PyTorch's profiler (with_flops: 2 per
   multiply-add in conv2d and addmm) on the generated module must equal `earlybird-cli macs` for every backbone block
   and every exit head.

Usage: check_export.py --cli PATH/earlybird-cli --work DIR. Exits 0 when every check passes, 1 when one fails, and 77
(a skipped test for ctest) when a Python module is missing. Prints the largest differences found as JSON.
"""

import argparse
import concurrent.futures
import importlib.util
import json
import os
import shutil
import subprocess
import sys

try:
    import cv2
    import numpy as np
    import onnx
    import torch
    from torch.profiler import ProfilerActivity, profile
except ImportError as missing:  # pragma: no cover
    print("skipped: %s (install python3-torch, python3-onnx and python3-opencv)" % missing)
    sys.exit(77)

TOLERANCE = 1e-4
SEARCHES = [  # backbone, synthetic image shape, calibrated exits
    ("fashion-resnet", "1x28x28", False),
    ("resnet20", "3x32x32", True),  # padded shortcuts: a strided slice and a channel pad in ONNX
    ("fashion-mobilenet", "1x28x28", False),
]
PRESETS = ["fashion-resnet", "fashion-mobilenet", "cifar-resnet", "cifar-mobilenet", "resnet20"]
SAMPLED_SEEDS = range(1, 6)

failures = []
report = {"sessions": {}, "macs": {"networks": 0, "parts": 0, "mismatches": 0}}


def fail(message):
    failures.append(message)
    print("FAIL: " + message, file=sys.stderr)


def cli(args, work):
    result = subprocess.run([ARGS.cli] + args, cwd=work, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("earlybird-cli %s failed (%d): %s" % (" ".join(args), result.returncode, result.stderr))
    return result.stdout


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_session(backbone, shape, calibrate, work):
    folder = os.path.join(work, backbone)
    os.makedirs(folder, exist_ok=True)
    cli(["search", "--dataset", "synthetic", "--path", "classes=4,train=300,test=100,shape=" + shape, "--backbone",
         backbone, "--generations", "1", "--population", "4", "--epochs", "1", "--branch-epochs", "1", "--compose", "4",
         "--cache", "cache", "--out", "session"] + (["--calibrate"] if calibrate else []), folder)
    archive = json.loads(cli(["session", "export", "session"], folder))["archive"]
    chosen = max(archive, key=lambda c: (len(c["architecture"]["exits"]), -c["id"]))
    out = os.path.join(folder, "export")
    cli(["export", "session", "--candidate", str(chosen["id"]), "--format", "all", "--out", out, "--force"], folder)

    module = load_module(os.path.join(out, "network.py"), "exported_" + backbone.replace("-", "_"))
    net = module.EarlyExitNet.load(os.path.join(out, "weights.pt"))
    checked = module.check(net, os.path.join(out, "samples.pt"), TOLERANCE)
    entry = {"candidate": chosen["id"], "exits": len(module.THRESHOLDS) + 1, "pytorch": checked}
    if not checked["ok"]:
        fail("%s: the PyTorch module disagrees with the C++ model: %s" % (backbone, checked))
    # A calibrated search's exits carry temperatures, which the module applies as the C++ model does (the same exits).
    entry["temperatures"] = module.TEMPERATURES
    if calibrate and all(t == 1.0 for t in module.TEMPERATURES):
        fail("%s: a calibrated search exported no temperature: %s" % (backbone, module.TEMPERATURES))

    ref = torch.load(os.path.join(out, "samples.pt"))
    x = ref["inputs"].numpy()
    exits = len(module.THRESHOLDS) + 1
    references = [ref["logits%d" % k].numpy() for k in range(exits)]

    onnx.checker.check_model(onnx.load(os.path.join(out, "network.onnx")))
    graph = cv2.dnn.readNetFromONNX(os.path.join(out, "network.onnx"))
    graph.setInput(x)
    outputs = graph.forward(["logits%d" % k for k in range(exits)])
    whole = [float(np.abs(o - r).max()) for o, r in zip(outputs, references)]

    chained, features, segment_logits = [], x, []
    for k in range(exits):
        path = os.path.join(out, "segments", "segment%d.onnx" % k)
        onnx.checker.check_model(onnx.load(path))
        segment = cv2.dnn.readNetFromONNX(path)
        segment.setInput(features)
        if k + 1 < exits:
            logits, features = segment.forward(["logits%d" % k, "features%d" % k])
        else:
            logits = segment.forward("logits%d" % k)
        segment_logits.append(logits)
        chained.append(float(np.abs(logits - references[k]).max()))
    entry["opencv_whole_graph"] = whole
    entry["opencv_segments"] = chained
    if max(whole) > TOLERANCE or max(chained) > TOLERANCE:
        fail("%s: OpenCV's logits differ from the C++ model's by %g (graph) / %g (segments)"
             % (backbone, max(whole), max(chained)))

    # The exits a host would take from OpenCV's segment outputs, with the exported rule (each exit's logits divided by
    # its temperature before the confidence: the ONNX graphs give raw logits).
    taken = torch.full((x.shape[0],), exits - 1, dtype=torch.long)
    decided = torch.zeros(x.shape[0], dtype=torch.bool)
    for k, threshold in enumerate(ref["thresholds"].tolist()):
        c = module.confidence(torch.from_numpy(segment_logits[k]), temperature=module.TEMPERATURES[k])
        leave = (c >= threshold) & ~decided
        taken[leave] = k
        decided |= leave
    entry["opencv_same_exit"] = int((taken == ref["exit"]).sum())
    if entry["opencv_same_exit"] != x.shape[0]:
        fail("%s: exits taken from OpenCV's outputs differ for %d samples"
             % (backbone, x.shape[0] - entry["opencv_same_exit"]))

    # The JSON export reads back as an architecture with the same MACs.
    exported = json.load(open(os.path.join(out, "network.json")))
    counted = json.loads(cli(["macs", os.path.join(out, "network.json")], folder))
    if counted["backbone_macs"] != exported["export"]["backbone_macs"]:
        fail("%s: macs reads the exported JSON as %d MACs, the export says %d"
             % (backbone, counted["backbone_macs"], exported["export"]["backbone_macs"]))
    entry["sizes"] = {name: os.path.getsize(os.path.join(out, name))
                      for name in ("network.json", "network.py", "weights.pt", "samples.pt", "network.onnx")}
    report["sessions"][backbone] = entry


def profiled_macs(function):
    with profile(activities=[ProfilerActivity.CPU], with_flops=True) as prof:
        with torch.no_grad():
            result = function()
    flops = sum(e.flops for e in prof.key_averages() if e.key in ("aten::conv2d", "aten::addmm", "aten::mm"))
    return flops // 2, result


def generate(architecture, work, name):
    """The network's PyTorch module and its MACs as earlybird-cli counts them: two processes, which spend most of their
    time starting (loading LibTorch), so main() runs several at once."""
    path = os.path.join(work, name + ".py")
    cli(["export", architecture, "--format", "pytorch", "--out", path, "--force"], work)
    return path, json.loads(cli(["macs", architecture], work))


def check_macs(generated, name):
    path, counted = generated
    module = load_module(path, "macs_" + name.replace("-", "_"))
    net = module.EarlyExitNet().eval()
    x = torch.zeros(1, *module.INPUT_SHAPE)
    blocks = [m for n, m in net.named_children() if n.startswith("block")]
    heads = [getattr(net, "exit%d" % k) for k in range(len(module.THRESHOLDS))] + [net.final]
    positions = module.EXIT_POSITIONS + [len(blocks) - 1]
    features = []
    for i, block in enumerate(blocks):
        macs, x = profiled_macs(lambda: block(x))
        features.append(x)
        report["macs"]["parts"] += 1
        if macs != counted["blocks"][i]["macs"]:
            report["macs"]["mismatches"] += 1
            fail("%s: block %d: PyTorch's profiler counts %d MACs, earlybird-cli macs %d"
                 % (name, i, macs, counted["blocks"][i]["macs"]))
    for k, head in enumerate(heads):
        macs, _ = profiled_macs(lambda: head(features[positions[k]]))
        report["macs"]["parts"] += 1
        if macs != counted["exits"][k]["branch_macs"]:
            report["macs"]["mismatches"] += 1
            fail("%s: exit %d: PyTorch's profiler counts %d MACs, earlybird-cli macs %d"
                 % (name, k, macs, counted["exits"][k]["branch_macs"]))
    report["macs"]["networks"] += 1


def main():
    shutil.rmtree(ARGS.work, ignore_errors=True)  # every run starts from nothing: no session is resumed
    os.makedirs(ARGS.work)
    torch.manual_seed(0)
    for backbone, shape, calibrate in SEARCHES:
        check_session(backbone, shape, calibrate, ARGS.work)
    networks = [(preset, preset) for preset in PRESETS]
    sampled = [(preset, seed) for preset in ("fashion-resnet", "fashion-mobilenet", "cifar-resnet", "resnet20")
               for seed in SAMPLED_SEEDS]

    def sample(preset, seed):
        path = os.path.join(ARGS.work, "sample-%s-%d.json" % (preset, seed))
        with open(path, "w") as out:
            out.write(cli(["arch", "sample", "--backbone", preset, "--seed", str(seed)], ARGS.work))
        return path, "sample-%s-%d" % (preset, seed)

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        networks += list(pool.map(lambda item: sample(*item), sampled))
        generated = list(pool.map(lambda network: generate(network[0], ARGS.work, network[1]), networks))
    for (_, name), made in zip(networks, generated):
        check_macs(made, name)
    report["failures"] = failures
    print(json.dumps(report, indent=1))
    return 1 if failures else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--work", required=True)
    ARGS = parser.parse_args()
    sys.exit(main())
