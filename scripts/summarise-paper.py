#!/usr/bin/env python3
"""The Markdown table of scripts/measure-paper: per data set and method, the mean and spread (min - max) over seeds of
the best test accuracy within 0.6x and 0.4x of the backbone's MACs, the cheapest front point within 0.5 and 1.0 point
of the backbone's test accuracy, the front's hypervolume (validation / test), the hypervolume of the candidates' own
tuned points (what each method's threshold rule picks) and the architectures evaluated.
Usage: summarise-paper.py OUT   (the folder measure-paper wrote: backbone-DATASET-SEED.json, DATASET-METHOD-SEED.json)"""
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tablefigures import spread  # noqa: E402




def figures(summary):
    front = summary["threshold_front"]
    backbone = summary["backbone"]["test_accuracy"]

    def best_within(fraction):
        inside = [p["test_accuracy"] for p in front if p["macs_vs_backbone"] <= fraction + 1e-12]
        return 100 * max(inside) if inside else None

    def cheapest_within(points):
        close = [p["macs_vs_backbone"] for p in front if p["test_accuracy"] >= backbone - points / 100 - 1e-12]
        return min(close) if close else None

    return {
        "backbone": 100 * backbone,
        "best06": best_within(0.6),
        "best04": best_within(0.4),
        "cheap05": cheapest_within(0.5),
        "cheap10": cheapest_within(1.0),
        "hv_val": summary["hypervolume"]["validation"],
        "hv_test": summary["hypervolume"]["test"],
        # Of the candidates' own tuned points only: what a method picks with its threshold rule (the front above is
        # over every threshold setting of every architecture it evaluated, which the rule does not change).
        "hv_tuned": summary["hypervolume"].get("candidates_validation"),
        "candidates": summary["candidates"],
    }


def main(out):
    runs = {}
    backbone_of = {}
    for path in sorted(glob.glob(os.path.join(out, "*-*-*.json"))):
        name = os.path.basename(path)[:-5]
        match = re.fullmatch(r"(cifar10|cifar100|[a-z0-9-]+?)-(search|edanas|nachos|aebnas-paper|backbone)-(\d+)", name)
        if not match or name.startswith("backbone-"):
            continue
        try:
            summary = json.load(open(path))
        except (OSError, ValueError):
            print(f"{path}: not a finished run's summary", file=sys.stderr)
            continue
        dataset, method, seed = match.groups()
        runs.setdefault(dataset, {}).setdefault(method, []).append(figures(summary))
        backbone_of.setdefault(dataset, {})[seed] = figures(summary)["backbone"]
    for dataset, methods in runs.items():
        backbones = list(backbone_of[dataset].values())  # one backbone per seed, shared by its runs
        print(f"\n{dataset}: backbone test accuracy {spread(backbones, '{:.2f}')} %\n")
        print("| method | runs | best test acc within 0.6x (%) | within 0.4x (%) | cheapest within 0.5 pt | "
              "within 1.0 pt | hypervolume val / test | HV of tuned points (val) | architectures |")
        print("|---|---|---|---|---|---|---|---|---|")
        for method in ("search", "edanas", "nachos", "aebnas-paper"):
            rs = methods.get(method)
            if not rs:
                continue
            print("| {} | {} | {} | {} | {} | {} | {} / {} | {} | {} |".format(
                method, len(rs), spread([r["best06"] for r in rs], "{:.2f}"),
                spread([r["best04"] for r in rs], "{:.2f}"), spread([r["cheap05"] for r in rs], "{:.3f}x"),
                spread([r["cheap10"] for r in rs], "{:.3f}x"), spread([r["hv_val"] for r in rs], "{:.3f}"),
                spread([r["hv_test"] for r in rs], "{:.3f}"), spread([r["hv_tuned"] for r in rs], "{:.3f}"),
                spread([r["candidates"] for r in rs], "{:.0f}")))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
