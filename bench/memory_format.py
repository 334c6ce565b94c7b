#!/usr/bin/python3
"""Channels-last against NCHW training speed on this CPU, in the LibTorch the app uses (Debian's python3-torch 1.13).

Usage: /usr/bin/python3 bench/memory_format.py [rounds]   (default 4 rounds, about a minute)

A ResNet-style CIFAR network (stem 32, blocks 32/64/128, like cifar-resnet's widths), batches of 128 32x32 images,
SGD steps on 2 threads; the two formats alternate round by round so that the machine's drift falls on both. Prints
images per second per round, the medians and their ratio. The trainer uses channels-last only on CPUs with AVX-512
(core/base/precision.h says why); this tells what that costs or gains on the machine at hand.
"""
import statistics
import sys
import time

import torch
from torch import nn


def block(inputs, outputs, stride):
    return [nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU(),
            nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU()]


def network():
    return nn.Sequential(nn.Conv2d(3, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), *block(32, 32, 1),
                         *block(32, 64, 2), *block(64, 128, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(128, 10))


def images_per_second(channels_last, steps=12, batch=128):
    torch.manual_seed(0)
    model = network()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)

    def step():
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return batch * steps / (time.perf_counter() - start)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    torch.set_num_threads(2)
    flags = open("/proc/cpuinfo").read() if sys.platform.startswith("linux") else ""
    print(f"torch {torch.__version__}, AVX-512: {'yes' if ' avx512f' in flags else 'no'}, 2 threads")
    figures = {False: [], True: []}
    for r in range(rounds):
        for channels_last in (False, True):
            figures[channels_last].append(images_per_second(channels_last))
        print(f"round {r + 1}: NCHW {figures[False][-1]:.0f}, channels-last {figures[True][-1]:.0f} images/s")
    nchw, last = statistics.median(figures[False]), statistics.median(figures[True])
    print(f"median: NCHW {nchw:.0f}, channels-last {last:.0f} images/s, ratio {last / nchw:.2f}x")


if __name__ == "__main__":
    main()
