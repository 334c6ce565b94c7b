#pragma once

// Where a data set is, as the run panel and the data view ask for it: a folder for most kinds, a .npz file (or a
// folder of .npy files) for NumPy data.

#include "data/datasetspec.h"

#include <QString>

class QWidget;

namespace earlybird::ui {

// Opens the right dialog for the kind (a folder, or for NumPy a .npz/.npy file whose folder stands for .npy files);
// returns the chosen path or an empty string.
QString chooseDatasetLocation(QWidget* parent, DatasetKind kind, const QString& current);

// The hint shown in an empty path field.
QString datasetLocationHint(DatasetKind kind);

// Whether `path` can name a data set of this kind (an existing folder, or for NumPy also an existing file).
bool datasetLocationExists(DatasetKind kind, const QString& path);

} // namespace earlybird::ui
