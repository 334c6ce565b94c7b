#!/usr/bin/env python3
"""The Markdown tables of scripts/measure-calibration.

1. Searches on raw against calibrated confidences (same budget, backbone and search seed): mean and spread (min - max)
   over seeds of the front's hypervolume (validation / test), the test accuracy of the front point picked on validation
   within 0.4x and 0.6x of the backbone's MACs, and the architectures evaluated.
2. The raw searches' own candidates re-tuned on calibrated confidences (`session calibration`): the same figures for
   both sides, and the early exits' mean temperature and test ECE (15 bins) before and after.
Usage: summarise-calibration.py OUT   (the folder measure-calibration wrote)"""
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tablefigures import load_runs, spread  # noqa: E402




def picked_within(front, fraction):
    """Test accuracy (%) of the most accurate front point on validation within `fraction` of the backbone's MACs."""
    inside = [p for p in front if p["macs_vs_backbone"] <= fraction + 1e-12]
    return 100 * max(inside, key=lambda p: p["validation_accuracy"])["test_accuracy"] if inside else None


def main(out):
    runs = load_runs(out, "raw|calibrated")
    print("| data set | confidences | seeds | hypervolume (val) | hypervolume (test) | within 0.4x | within 0.6x "
          "| architectures |")
    print("|---|---|---|---|---|---|---|---|")
    for dataset in sorted(runs):
        for variant in ("raw", "calibrated"):
            summaries = runs[dataset].get(variant, [])
            if not summaries:
                continue
            front = [s["threshold_front"] for s in summaries]
            print("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
                dataset, variant, len(summaries),
                spread([s["hypervolume"]["validation"] for s in summaries], "{:.3f}"),
                spread([s["hypervolume"]["test"] for s in summaries], "{:.3f}"),
                spread([picked_within(f, 0.4) for f in front], "{:.2f} %"),
                spread([picked_within(f, 0.6) for f in front], "{:.2f} %"),
                spread([s["candidates"] for s in summaries], "{:.0f}")))
    print()
    print("Re-tuned (the raw searches' candidates, nothing trained):")
    print()
    print("| data set | confidences | hypervolume (val) | hypervolume (test) | within 0.4x | within 0.6x "
          "| exits' temperature | exits' test ECE before -> after |")
    print("|---|---|---|---|---|---|---|---|")
    studies = {}
    for path in glob.glob(os.path.join(out, "*-raw-*.calibration.json")):
        dataset = re.fullmatch(r"(.+)-raw-\d+\.calibration\.json", os.path.basename(path)).group(1)
        try:
            with open(path) as f:
                studies.setdefault(dataset, []).append(json.load(f))
        except ValueError:
            continue
    for dataset in sorted(studies):
        for side in ("raw", "calibrated"):
            items = studies[dataset]
            c = [s["calibration"] for s in items]
            print("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
                dataset, side,
                spread([s[side]["hypervolume_validation"] for s in items], "{:.3f}"),
                spread([s[side]["hypervolume_test"] for s in items], "{:.3f}"),
                spread([None if s[side]["best_test_accuracy_within"]["0.4x"] is None
                        else 100 * s[side]["best_test_accuracy_within"]["0.4x"] for s in items], "{:.2f} %"),
                spread([None if s[side]["best_test_accuracy_within"]["0.6x"] is None
                        else 100 * s[side]["best_test_accuracy_within"]["0.6x"] for s in items], "{:.2f} %"),
                spread([x["mean_branch_temperature"] for x in c], "{:.2f}") if side == "calibrated" else "",
                (spread([100 * x["mean_branch_test_ece_before"] for x in c], "{:.2f} %") + " -> "
                 + spread([100 * x["mean_branch_test_ece_after"] for x in c], "{:.2f} %"))
                if side == "calibrated" else ""))


if __name__ == "__main__":
    main(sys.argv[1])
