#include "costaxis.h"

#include <QCoreApplication>

namespace earlybird::ui {

CostAxis CostAxis::forSession(CostModel model, double backboneCost)
{
    CostAxis axis;
    axis.model = model;
    axis.backboneCost = backboneCost;
    switch (model) {
    case CostModel::Macs:
        axis.scale = 1e6;
        axis.axisUnit = QCoreApplication::translate("CostAxis", "millions");
        break;
    case CostModel::Latency:
        axis.scale = backboneCost >= 2000 ? 1e3 : 1.0;
        axis.axisUnit = backboneCost >= 2000 ? QStringLiteral("ms") : QStringLiteral("µs");
        break;
    case CostModel::Parameters:
        axis.scale = backboneCost >= 2e6 ? 1e6 : 1e3;
        axis.axisUnit = backboneCost >= 2e6 ? QCoreApplication::translate("CostAxis", "millions")
                                            : QCoreApplication::translate("CostAxis", "thousands");
        break;
    }
    return axis;
}

QString CostAxis::name() const
{
    switch (model) {
    case CostModel::Macs:
        return QCoreApplication::translate("CostAxis", "MACs");
    case CostModel::Latency:
        return QCoreApplication::translate("CostAxis", "latency");
    case CostModel::Parameters:
        return QCoreApplication::translate("CostAxis", "parameters used");
    }
    return {};
}

QString CostAxis::axisTitle() const
{
    return QCoreApplication::translate("CostAxis", "average %1 (%2)").arg(name(), axisUnit);
}

QString CostAxis::format(double cost) const
{
    // formatCost writes "us"; the window can afford the real sign.
    QString text = QString::fromStdString(formatCost(model, cost));
    if (model == CostModel::Latency)
        text.replace(QStringLiteral(" us"), QStringLiteral(" µs"));
    return text;
}

} // namespace earlybird::ui
