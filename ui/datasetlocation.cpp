#include "datasetlocation.h"

#include <QCoreApplication>
#include <QFileDialog>
#include <QFileInfo>

namespace earlybird::ui {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("DatasetLocation", text);
}

} // namespace

QString chooseDatasetLocation(QWidget* parent, DatasetKind kind, const QString& current)
{
    if (kind == DatasetKind::Numpy) {
        const QString file = QFileDialog::getOpenFileName(
            parent, tr("NumPy data set"), current, tr("NumPy data (*.npz *.npy);;All files (*)"));
        if (file.endsWith(QStringLiteral(".npy"), Qt::CaseInsensitive))
            return QFileInfo(file).absolutePath(); // x_train.npy and its siblings: their folder
        return file;
    }
    return QFileDialog::getExistingDirectory(parent,
        kind == DatasetKind::Folder ? tr("Image folder (with train/ and test/)") : tr("Data set folder"), current);
}

QString datasetLocationHint(DatasetKind kind)
{
    switch (kind) {
    case DatasetKind::Synthetic:
        return tr("settings, e.g. classes=10,train=2000,test=500,shape=1x28x28,seed=1");
    case DatasetKind::Folder:
        return tr("folder with train/<class>/ and test/<class>/ images");
    case DatasetKind::Numpy:
        return tr(".npz file (x_train, y_train, x_test, y_test), or a folder of .npy files");
    default:
        return tr("folder with the data set files");
    }
}

bool datasetLocationExists(DatasetKind kind, const QString& path)
{
    const QFileInfo info(path);
    return info.isDir() || (kind == DatasetKind::Numpy && info.isFile());
}

} // namespace earlybird::ui
