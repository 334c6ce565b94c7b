#pragma once

// A family search (search --family) in the window: each member backbone's exits were searched in a session of its
// own (FOLDER/memberN). Opening the family's folder opens the member holding the joint front's best point within the
// target; whichever member is on screen, the other members' fronts are drawn beside its own, one colour and legend
// entry per backbone, so the chart shows the joint front over (backbone, exits, thresholds).

#include "search/familysearch.h"

#include <QString>

#include <optional>

namespace earlybird::ui {

class ParetoChart;

// The session folder to open for `folder`: for a family's folder, its best member's (`note` then says which and why);
// else `folder` itself. Throws earlybird::Error for a family file that cannot be read.
QString sessionFolderToOpen(const QString& folder, QString* note = nullptr);

// The family `sessionFolder` is a member of (its parent, holding family.json that names it), or the family whose folder
// `sessionFolder` itself is: its folder and its state, read once; nothing otherwise, or when a parent's family.json
// cannot be read. Throws earlybird::Error only for `sessionFolder`'s own family.json that cannot be read.
struct FamilyOf {
    QString folder;
    FamilySession session;
};
std::optional<FamilyOf> familyOf(const QString& sessionFolder);

// If `sessionFolder` is a member of a family, draws the other members' fronts on `chart` (as validation accuracy
// against average cost, like the session's own) and returns how many; 0 otherwise. Never throws: a family file that
// cannot be read draws nothing.
int drawFamilyFronts(ParetoChart* chart, const QString& sessionFolder);

} // namespace earlybird::ui
