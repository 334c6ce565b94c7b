#pragma once

#include "model/costmodel.h"

#include <QString>

namespace earlybird::ui {

// How the window shows the search's cost: which model, in what unit on an axis, and as text. Built from the session
// (its cost model and the backbone's cost), so MACs read in millions, a latency in microseconds or milliseconds.
struct CostAxis {
    CostModel model = CostModel::Macs;
    double backboneCost = 0;
    double scale = 1e6; // cost units per axis unit
    QString axisUnit = QStringLiteral("millions");

    static CostAxis forSession(CostModel model, double backboneCost);

    double toAxis(double cost) const { return cost / scale; }
    double fraction(double cost) const { return backboneCost > 0 ? cost / backboneCost : 0.0; }
    // "MACs", "latency", "parameters used"
    QString name() const;
    // "average MACs (millions)", "average latency (ms)"
    QString axisTitle() const;
    // "2.41 M MACs", "812 µs", "1.20 ms", "35.2 k parameters"
    QString format(double cost) const;
};

} // namespace earlybird::ui
