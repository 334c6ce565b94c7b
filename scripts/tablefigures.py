"""What the summarise-*.py scripts share: a figure over seeds as the measurement tables print it."""


def spread(values, fmt):
    """The mean of `values` (None left out) and, for more than one, their min - max: "0.941 (0.924 - 0.953)"."""
    values = [v for v in values if v is not None]
    if not values:
        return "none"
    mean = sum(values) / len(values)
    if len(values) == 1:
        return fmt.format(mean)
    return (fmt + " ({} - {})").format(mean, fmt.format(min(values)), fmt.format(max(values)))
