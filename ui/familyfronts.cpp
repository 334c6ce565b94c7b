#include "familyfronts.h"

#include "paretochart.h"

#include "base/error.h"
#include "search/familysearch.h"

#include <QDir>
#include <QFileInfo>

namespace earlybird::ui {

QString sessionFolderToOpen(const QString& folder, QString* note)
{
    if (!hasFamily(folder.toStdString()))
        return folder;
    const FamilySession family = loadFamily(folder.toStdString());
    int chosen = -1;
    QString why;
    for (const FamilyPoint& p : family.front()) {
        if (p.point.cost <= family.target) {
            chosen = p.member; // the front is by cost: the last within the target is its most accurate there
            why = QObject::tr("its network is the family's most accurate within the target");
        }
    }
    for (int m = 0; chosen < 0 && m < int(family.members.size()); ++m) {
        if (family.members[std::size_t(m)].started) {
            chosen = m;
            why = QObject::tr("no point is within the target yet");
        }
    }
    if (chosen < 0)
        throw DataError(familyFilePath(folder.toStdString()), "no member backbone has been trained yet");
    const FamilyMember& member = family.members[std::size_t(chosen)];
    if (note)
        *note = QObject::tr("Family of %1 backbones: opened %2 (%3); the other members' fronts are drawn beside it")
                    .arg(family.members.size())
                    .arg(QString::fromStdString(member.label), why);
    return QDir(folder).filePath(QString::fromStdString(member.folder));
}

std::optional<FamilyOf> familyOf(const QString& sessionFolder)
{
    if (hasFamily(sessionFolder.toStdString()))
        return FamilyOf { sessionFolder, loadFamily(sessionFolder.toStdString()) };
    try {
        const QFileInfo info(QDir::cleanPath(QDir(sessionFolder).absolutePath()));
        const QString parent = info.dir().absolutePath();
        if (!hasFamily(parent.toStdString()))
            return std::nullopt;
        FamilySession family = loadFamily(parent.toStdString());
        const std::string own = info.fileName().toStdString();
        if (std::any_of(
                family.members.begin(), family.members.end(), [&](const FamilyMember& m) { return m.folder == own; }))
            return FamilyOf { parent, std::move(family) };
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

int drawFamilyFronts(ParetoChart* chart, const QString& sessionFolder)
{
    const QFileInfo info(QDir::cleanPath(QDir(sessionFolder).absolutePath()));
    const std::string parent = info.dir().absolutePath().toStdString();
    if (!hasFamily(parent))
        return 0;
    try {
        const FamilySession family = loadFamily(parent);
        const std::string own = info.fileName().toStdString();
        if (std::none_of(
                family.members.begin(), family.members.end(), [&](const FamilyMember& m) { return m.folder == own; }))
            return 0;
        int drawn = 0;
        for (const FamilyMember& m : family.members) {
            if (m.folder == own || m.front.empty())
                continue;
            QVector<QPointF> points;
            for (const FrontPoint& p : m.front)
                points.append(QPointF(p.cost, p.accuracy));
            // The genes alone: the legend has little room ("w1 d2.2.1 (base)").
            const bool isBase = m.genes == baseGenes(family.config.search.experiment.backbone);
            chart->addFamilyFront(
                QString::fromStdString(m.label) + (isBase ? QObject::tr(" (base)") : QString()), points);
            ++drawn;
        }
        return drawn;
    } catch (const std::exception&) {
        return 0;
    }
}

} // namespace earlybird::ui
