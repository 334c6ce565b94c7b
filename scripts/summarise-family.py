#!/usr/bin/env python3
"""The Markdown tables of scripts/measure-family.

1. The default search on one backbone against the family search (the same search time with trained backbones free,
   and the same total time with every backbone's training paid for): mean
   and spread (min - max) over seeds of the front's hypervolume (validation / test; reference accuracy 0 and 1.25x the
   base backbone's cost, as every Earlybird figure), the test accuracy of the front point picked on validation within
   0.4x and 0.6x of the base's MACs, the front's span (its cheapest point's cost, its most accurate point's validation
   and test accuracy) and the front's points.
2. The family searches: each member's backbone (cost, test accuracy), its training, its search time and its share of
   the joint front (points and hypervolume contribution), averaged over seeds.
Usage: summarise-family.py OUT   (the folder measure-family wrote)"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tablefigures import load_runs, spread  # noqa: E402

REFERENCE_COST = 1.25


def hypervolume(points):
    """Area dominated by (cost, accuracy) points, cost as a fraction of the base's, up to REFERENCE_COST."""
    area, best, previous = 0.0, 0.0, None
    for cost, accuracy in sorted(points):
        if cost >= REFERENCE_COST:
            break
        if previous is not None:
            area += (cost - previous) * best
        best = max(best, accuracy)
        previous = cost
    if previous is not None:
        area += (REFERENCE_COST - previous) * best
    return area


def figures(front):
    """front: dicts with cost, test_cost (fractions of the base's), validation_accuracy, test_accuracy."""
    picked = {}
    for fraction in (0.4, 0.6):
        inside = [p for p in front if p["cost"] <= fraction + 1e-12]
        picked[fraction] = 100 * max(inside, key=lambda p: p["validation_accuracy"])["test_accuracy"] if inside else None
    best = max(front, key=lambda p: p["validation_accuracy"]) if front else None
    return {
        "hv_val": hypervolume([(p["cost"], p["validation_accuracy"]) for p in front]),
        "hv_test": hypervolume([(p["test_cost"], p["test_accuracy"]) for p in front]),
        "within_04": picked[0.4],
        "within_06": picked[0.6],
        "cheapest": min(p["cost"] for p in front) if front else None,
        "top_val": 100 * best["validation_accuracy"] if best else None,
        "top_test": 100 * best["test_accuracy"] if best else None,
        "points": len(front),
    }


def fixed_front(summary):
    return [{"cost": p["cost_vs_backbone"], "test_cost": p["test_cost_vs_backbone"],
             "validation_accuracy": p["validation_accuracy"], "test_accuracy": p["test_accuracy"]}
            for p in summary["threshold_front"]]


def family_front(summary):
    return [{"cost": p["cost_vs_base"], "test_cost": p["test_cost_vs_base"],
             "validation_accuracy": p["validation_accuracy"], "test_accuracy": p["test_accuracy"]}
            for p in summary["front"]]


def main(out):
    runs = load_runs(out, "fixed|family-free|family|supernet-free|supernet")
    print("| data set | search | seeds | hypervolume (val) | hypervolume (test) | within 0.4x | within 0.6x "
          "| cheapest point | top accuracy (val / test) | front points |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for dataset in sorted(runs):
        for variant in ("fixed", "family-free", "family", "supernet-free", "supernet"):
            summaries = runs[dataset].get(variant, [])
            if not summaries:
                continue
            rows = [figures(fixed_front(s) if variant == "fixed" else family_front(s)) for s in summaries]
            top = "{} / {}".format(spread([r["top_val"] for r in rows], "{:.2f}"), spread([r["top_test"] for r in rows], "{:.2f}"))
            print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                dataset, {"fixed": "one backbone", "family-free": "family, trained backbones free",
                          "family": "family, paying its training",
                          "supernet-free": "family from a supernet, its training free",
                          "supernet": "family from a supernet, paying its training"}[variant], len(rows),
                spread([r["hv_val"] for r in rows], "{:.4f}"), spread([r["hv_test"] for r in rows], "{:.4f}"),
                spread([r["within_04"] for r in rows], "{:.2f}"), spread([r["within_06"] for r in rows], "{:.2f}"),
                spread([r["cheapest"] for r in rows], "{:.3f}"), top, spread([r["points"] for r in rows], "{:.0f}")))
    print()
    print("| data set | search | member | cost vs base | backbone test % | training s | search s | front points "
          "| HV contribution |")
    print("|---|---|---|---|---|---|---|---|---|")
    for dataset in sorted(runs):
        for variant in ("family-free", "family", "supernet-free", "supernet"):
            members = {}
            for s in runs[dataset].get(variant, []):
                points = {}
                for p in s["front"]:
                    points[p["member"]] = points.get(p["member"], 0) + 1
                for m in s["members"]:
                    row = members.setdefault(
                        m["genes"], {"cost": [], "acc": [], "train": [], "search": [], "points": [], "hv": []})
                    row["cost"].append(m["backbone_cost_vs_base"])
                    row["acc"].append(
                        100 * m["backbone_test_accuracy"] if m["slices"] or m["backbone_test_accuracy"] else None)
                    row["train"].append(m["backbone_seconds"])
                    row["search"].append(m["search_seconds"])
                    row["points"].append(points.get(m["genes"], 0))
                    row["hv"].append(m["hypervolume_contribution"])
            for genes, row in sorted(members.items(), key=lambda item: item[1]["cost"][0]):
                print("| {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                    dataset, variant, genes, spread(row["cost"], "{:.2f}"), spread(row["acc"], "{:.2f}"),
                    spread(row["train"], "{:.0f}"), spread(row["search"], "{:.0f}"), spread(row["points"], "{:.0f}"),
                    spread(row["hv"], "{:.4f}")))

if __name__ == "__main__":
    main(sys.argv[1])
