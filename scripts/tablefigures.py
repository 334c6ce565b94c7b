"""What the summarise-*.py scripts share: their runs' summaries, and a figure over seeds as the tables print it."""
import glob
import json
import os
import re


def load_runs(out, variants):
    """The JSON summaries OUT/<data set>-<variant>-<seed>.json as {data set: {variant: [summary, ...]}}; `variants` is
    a regular expression of the variants' names. Runs still going (or stopped) have no summary and are left out."""
    runs = {}
    for path in glob.glob(os.path.join(out, "*-*-*.json")):
        match = re.fullmatch(r"(.+)-(" + variants + r")-(\d+)\.json", os.path.basename(path))
        if not match:
            continue
        try:
            with open(path) as f:
                summary = json.load(f)
        except ValueError:
            continue
        runs.setdefault(match.group(1), {}).setdefault(match.group(2), []).append(summary)
    return runs


def spread(values, fmt):
    """The mean of `values` (None left out) and, for more than one, their min - max: "0.941 (0.924 - 0.953)"."""
    values = [v for v in values if v is not None]
    if not values:
        return "none"
    mean = sum(values) / len(values)
    if len(values) == 1:
        return fmt.format(mean)
    return (fmt + " ({} - {})").format(mean, fmt.format(min(values)), fmt.format(max(values)))
