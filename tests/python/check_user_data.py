#!/usr/bin/env python3
"""Checks that Earlybird reads a user's own data exactly as NumPy and OpenCV write it (Debian: python3-numpy,
python3-opencv).

1. NumPy: arrays saved with np.savez (stored, ZIP64 members as NumPy writes them), np.savez_compressed and as .npy
   files, in NHWC uint8, NCHW float32 in [0, 1], N x H x W greyscale, with int64, uint8 and one-hot labels, a
   validation split and class names. `earlybird-cli data inspect` must report the count, shape, classes, label
   histogram and per-channel mean and std that NumPy computes from the same arrays (to 1e-5).
2. Image folders written by OpenCV: 8-bit RGB and greyscale PNGs, 16-bit PNGs and lossless BMPs. The same statistics
   must match NumPy's on the images OpenCV reads back (16-bit values scaled to 8 bits as value >> 8); the second read
   must come from the cache.

Usage: check_user_data.py --cli PATH/earlybird-cli --work DIR. Exits 0 when every check passes, 1 when one fails, 77
(skipped) when NumPy or OpenCV is missing.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

try:
    import cv2
    import numpy as np
except ImportError as missing:  # pragma: no cover
    print("skipped: %s (install python3-numpy and python3-opencv)" % missing)
    sys.exit(77)

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message, file=sys.stderr)


def inspect(args, kind, path, split, extra=()):
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(args.work, "cache"))
    result = subprocess.run([args.cli, "data", "inspect", "--dataset", kind, "--path", path, "--split", split, *extra],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError("data inspect %s %s failed: %s" % (kind, path, result.stderr))
    return json.loads(result.stdout)


def compare(name, got, images_nchw, labels, classes, names=None):
    """images_nchw: uint8 N x C x H x W as Earlybird should hold them."""
    expected_mean = (images_nchw.astype(np.float64) / 255).mean(axis=(0, 2, 3))
    expected_std = (images_nchw.astype(np.float64) / 255).std(axis=(0, 2, 3))
    checks = [
        ("count", got["count"], len(labels)),
        ("shape", got["shape"], list(images_nchw.shape[1:])),
        ("histogram", got["label_histogram"], np.bincount(labels, minlength=classes).tolist()),
    ]
    if names is not None:
        checks.append(("classes", got["classes"], names))
    for what, value, want in checks:
        if value != want:
            fail("%s: %s is %s, expected %s" % (name, what, value, want))
    for what, value, want in (("mean", got["mean"], expected_mean), ("std", got["std"], expected_std)):
        if np.max(np.abs(np.array(value) - want)) > 1e-5:
            fail("%s: %s is %s, NumPy says %s" % (name, what, value, want.tolist()))


def check_numpy(args):
    rng = np.random.default_rng(7)
    folder = os.path.join(args.work, "numpy")
    os.makedirs(folder)
    x_train = rng.integers(0, 256, size=(50, 12, 10, 3), dtype=np.uint8)  # NHWC
    y_train = rng.integers(0, 4, size=50).astype(np.int64)
    x_test = rng.integers(0, 256, size=(20, 12, 10, 3), dtype=np.uint8)
    y_test = rng.integers(0, 4, size=20).astype(np.uint8)
    x_val = rng.integers(0, 256, size=(6, 12, 10, 3), dtype=np.uint8)
    y_val = np.arange(6) % 4
    names = np.array(["ant", "bee", "cicada", "dragonfly"])
    nchw = lambda x: np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test, x_val=x_val, y_val=y_val,
                  class_names=names)
    np.savez(os.path.join(folder, "stored.npz"), **arrays)
    np.savez_compressed(os.path.join(folder, "compressed.npz"), **arrays)
    for archive in ("stored.npz", "compressed.npz"):
        path = os.path.join(folder, archive)
        train = inspect(args, "numpy", path, "train")
        compare(archive + " train", train, nchw(np.concatenate([x_train, x_val])), np.concatenate([y_train, y_val]), 4,
                names.tolist())
        if train.get("own_validation_images") != 6:
            fail("%s: own_validation_images is %s, expected 6" % (archive, train.get("own_validation_images")))
        compare(archive + " test", inspect(args, "numpy", path, "test"), nchw(x_test), y_test, 4)

    # .npy files in a folder: NCHW float32 in [0, 1], one-hot labels.
    npy = os.path.join(folder, "npy")
    os.makedirs(npy)
    floats = nchw(x_train).astype(np.float32) / 255
    np.save(os.path.join(npy, "x_train.npy"), floats)
    np.save(os.path.join(npy, "y_train.npy"), np.eye(4, dtype=np.float32)[y_train])
    np.save(os.path.join(npy, "x_test.npy"), nchw(x_test).astype(np.float32) / 255)
    np.save(os.path.join(npy, "y_test.npy"), y_test.reshape(-1, 1))
    compare("npy folder train", inspect(args, "numpy", npy, "train"), nchw(x_train), y_train, 4)
    compare("npy folder test", inspect(args, "numpy", npy, "test"), nchw(x_test), y_test, 4)

    # Greyscale N x H x W (the Keras MNIST layout).
    grey = rng.integers(0, 256, size=(30, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=30)
    np.savez(os.path.join(folder, "mnist-like.npz"), x_train=grey, y_train=labels, x_test=grey[:5], y_test=labels[:5])
    compare("greyscale train", inspect(args, "numpy", os.path.join(folder, "mnist-like.npz"), "train"),
            grey[:, None], labels, 10)


def check_folder(args):
    rng = np.random.default_rng(11)
    root = os.path.join(args.work, "images")
    expected = {"train": [], "test": []}
    labels = {"train": [], "test": []}
    classes = ["cat", "dog", "zebra"]
    for split, count in (("train", 24), ("test", 9)):
        for i in range(count):
            label = i % 3
            folder = os.path.join(root, split, classes[label])
            os.makedirs(folder, exist_ok=True)
            kind = i % 4
            if kind == 0:  # 8-bit RGB PNG
                image = rng.integers(0, 256, size=(9, 7, 3), dtype=np.uint8)
                cv2.imwrite(os.path.join(folder, "%03d.png" % i), image)
            elif kind == 1:  # 16-bit RGB PNG
                image16 = rng.integers(0, 65536, size=(9, 7, 3), dtype=np.uint16)
                cv2.imwrite(os.path.join(folder, "%03d.png" % i), image16)
                image = (image16 >> 8).astype(np.uint8)
            elif kind == 2:  # greyscale PNG, copied to every channel
                g = rng.integers(0, 256, size=(9, 7), dtype=np.uint8)
                cv2.imwrite(os.path.join(folder, "%03d.png" % i), g)
                image = np.stack([g, g, g], axis=2)
            else:  # BMP
                image = rng.integers(0, 256, size=(9, 7, 3), dtype=np.uint8)
                cv2.imwrite(os.path.join(folder, "%03d.bmp" % i), image)
            read = cv2.imread(os.path.join(folder, "%03d.%s" % (i, "bmp" if kind == 3 else "png")),
                              cv2.IMREAD_UNCHANGED)
            if kind == 1:
                read = (read >> 8).astype(np.uint8)
            if read.ndim == 2:
                read = np.stack([read, read, read], axis=2)
            expected[split].append((os.path.join(classes[label], "%03d" % i), read[:, :, ::-1]))  # BGR -> RGB
            labels[split].append(label)
    for split in ("train", "test"):
        # Earlybird orders images by class, then by path.
        order = sorted(range(len(expected[split])), key=lambda k: expected[split][k][0])
        images = np.stack([expected[split][k][1] for k in order]).transpose(0, 3, 1, 2)
        got = inspect(args, "folder", root, split)
        compare("image folder " + split, got, images, np.array([labels[split][k] for k in order]), 3, classes)
    again = inspect(args, "folder", root, "train")
    if not again.get("from_cache"):
        fail("image folder: the second read did not come from the cache")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    check_numpy(args)
    check_folder(args)
    print(json.dumps({"failures": len(failures)}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
