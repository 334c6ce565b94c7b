#!/usr/bin/env python3
"""Prints a Markdown table of `earlybird-cli search` / `baseline` JSON summaries (the files named on the command line)."""
import json
import os
import sys


def row(path):
    s = json.load(open(path))
    front = s["threshold_front"]
    backbone = s["backbone"]["test_accuracy"]
    macs = [p["macs_vs_backbone"] for p in front]
    # The cheapest front point whose test accuracy is within 0.5 points of the backbone's.
    close = [p["macs_vs_backbone"] for p in front if p["test_accuracy"] >= backbone - 0.005]
    t = s["seconds"]
    screened = s.get("screening", {})
    return "| {} | {} ({} composed) | {} ({} screened, {} turned down) | {} | {:.2f}x to {:.2f}x | {:.3f} / {:.3f} | {:.3f} | {} | {:.0f} / {:.0f} / {:.0f} / {:.0f} / {:.0f} |".format(
        os.path.basename(path)[:-5], s["candidates"], s.get("composed", 0), s["branches_trained"],
        screened.get("screened", 0), screened.get("rejected", 0), len(front),
        min(macs) if macs else 0, max(macs) if macs else 0,
        s["hypervolume"]["validation"], s["hypervolume"]["test"], s["hypervolume"]["candidates_validation"],
        "{:.3f}x".format(min(close)) if close else "none",
        t["backbone"] + t["features"], t["branch_training"], t.get("screening", 0), t["tuning"], t["saving"])


print("| run | architectures | branches trained | front points | front span (MACs) | HV val / test "
      "| HV of tuned points (val) | cheapest within 0.5 pt of backbone (test) "
      "| seconds: backbone+features / branches / screening / tuning / saving |")
print("|---|---|---|---|---|---|---|---|---|")
for path in sys.argv[1:]:
    print(row(path))
