#!/usr/bin/env python3
"""A backbone trained in PyTorch comes back into Earlybird (Debian: python3-torch, python3-numpy).

The module `earlybird-cli export fashion-resnet --format pytorch` writes is trained for one epoch by Python's torch
(it initialises itself as PyTorch's layers do) on a small NumPy data set with its own validation split, normalised with
the per-channel mean and standard deviation of x_train (what Earlybird uses when the validation split is the data
set's own). Its state_dict, saved as a plain dict, is imported with `earlybird-cli import-backbone`; the test accuracy Earlybird measures must
equal PyTorch's on the same images (to 1e-4). The OrderedDict that state_dict() returns is refused with the advice to
save dict(...) (LibTorch 1.13 reads an OrderedDict as None); a state_dict with a missing and a mis-shaped tensor is
refused, naming both. Then `search --backbone-weights` runs a one-generation search on it without training a backbone.

Usage: check_backbone_import.py --cli PATH/earlybird-cli --work DIR. Exits 0 when every check passes, 1 when one
fails, 77 (skipped) when PyTorch or NumPy is missing.
"""

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as missing:  # pragma: no cover
    print("skipped: %s (install python3-torch and python3-numpy)" % missing)
    sys.exit(77)

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message, file=sys.stderr)


def run(args, command, check=True):
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(args.work, "xdg"))
    result = subprocess.run([args.cli] + command, capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise RuntimeError("earlybird-cli %s failed (%d): %s" % (" ".join(command), result.returncode, result.stderr))
    return result


def make_data(path):
    """Ten classes of 28x28 grey images: a faint patch whose place depends on the class, in strong noise (hard enough
    that one epoch leaves many test images wrong, so equal accuracies mean equal decisions)."""
    rng = np.random.default_rng(5)

    def images(count):
        labels = rng.integers(0, 10, size=count)
        x = rng.integers(0, 160, size=(count, 28, 28)).astype(np.uint8)
        for i, label in enumerate(labels):
            row, col = 2 + (label // 5) * 12, 2 + (label % 5) * 5
            x[i, row:row + 6, col:col + 4] += 80
        return x, labels.astype(np.int64)

    x_train, y_train = images(800)
    x_val, y_val = images(200)
    x_test, y_test = images(300)
    np.savez(path, x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val, x_test=x_test, y_test=y_test)
    return x_train, y_train, x_test, y_test


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    torch.manual_seed(3)
    torch.set_num_threads(2)
    data = os.path.join(args.work, "data.npz")
    x_train, y_train, x_test, y_test = make_data(data)

    module_path = os.path.join(args.work, "network.py")
    run(args, ["export", "fashion-resnet", "--format", "pytorch", "--out", module_path])
    spec = importlib.util.spec_from_file_location("network", module_path)
    network = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(network)
    scaled = x_train.astype(np.float32) / 255
    network.MEAN = [float(scaled.mean())]
    network.STD = [float(scaled.std())]
    net = network.EarlyExitNet()
    if all(float(p.abs().sum()) == 0 for p in net.parameters()):
        fail("the generated module starts with every weight zero: it cannot be trained")

    # One epoch of SGD on the final exit.
    optimiser = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    inputs = network.preprocess(torch.from_numpy(x_train)[:, None])
    labels = torch.from_numpy(y_train)
    net.train()
    for start in range(0, len(labels), 32):
        optimiser.zero_grad()
        loss = F.cross_entropy(net(inputs[start:start + 32])[-1], labels[start:start + 32])
        loss.backward()
        optimiser.step()
    net.eval()
    with torch.no_grad():
        logits = net(network.preprocess(torch.from_numpy(x_test)[:, None]))[-1]
    python_accuracy = float((logits.argmax(1) == torch.from_numpy(y_test)).float().mean())
    weights = os.path.join(args.work, "backbone.pt")
    # A plain dict: LibTorch 1.13 cannot read the OrderedDict state_dict() returns (refused with that advice below).
    torch.save(dict(net.state_dict()), weights)

    common = ["--dataset", "numpy", "--path", data, "--cache", os.path.join(args.work, "cache")]
    result = json.loads(run(args, ["import-backbone", "--weights", weights] + common).stdout)
    earlybird_accuracy = result["test_accuracy"]
    if abs(earlybird_accuracy - python_accuracy) > 1e-4:
        fail("test accuracy: Earlybird %.6f, PyTorch %.6f" % (earlybird_accuracy, python_accuracy))
    if not result["report"]["backbone_imported"]:
        fail("import-backbone did not report an imported backbone")

    ordered = os.path.join(args.work, "ordered.pt")
    torch.save(net.state_dict(), ordered)
    refused = run(args, ["import-backbone", "--weights", ordered] + common, check=False)
    if refused.returncode == 0 or "torch.save(dict(model.state_dict())" not in refused.stderr:
        fail("an OrderedDict state_dict was not refused with the advice to save a dict: %s" % refused.stderr)

    # A state_dict that does not fit: one tensor missing, one of another shape.
    state = net.state_dict()
    broken = dict(state)
    missing = next(name for name in broken if name.endswith("running_var"))
    del broken[missing]
    misshaped = next(name for name in broken if name.endswith("classifier_weight"))
    broken[misshaped] = torch.zeros(3, 3)
    broken_path = os.path.join(args.work, "broken.pt")
    torch.save(dict(broken), broken_path)
    refused = run(args, ["import-backbone", "--weights", broken_path] + common, check=False)
    if refused.returncode == 0 or missing not in refused.stderr or misshaped not in refused.stderr:
        fail("a state_dict that does not fit was not refused with both names: %s" % refused.stderr)

    # A search on the imported backbone trains branches only.
    search = run(args, ["search", "--backbone-weights", weights, "--generations", "1", "--population", "3",
                        "--branch-epochs", "1", "--compose", "4", "--out", os.path.join(args.work, "session")] + common)
    summary = json.loads(search.stdout)
    if abs(summary["backbone"]["test_accuracy"] - python_accuracy) > 1e-4:
        fail("the search's backbone scores %s, PyTorch %s" % (summary["backbone"]["test_accuracy"], python_accuracy))
    if summary["seconds"]["backbone"] > 5:
        fail("the search spent %s s on the backbone: it trained one" % summary["seconds"]["backbone"])

    print(json.dumps({"python_accuracy": python_accuracy, "earlybird_accuracy": earlybird_accuracy,
                      "search_candidates": summary["candidates"], "failures": len(failures)}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
