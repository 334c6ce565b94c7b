#pragma once

#include <QSizeF>
#include <QString>

#include <functional>

class QPainter;
class QRectF;

namespace earlybird::ui {

// Writes a drawing to `path`: SVG when the name ends in .svg (at `size`), otherwise a PNG at twice `size` so that text
// stays sharp. `draw` paints into the target rectangle it is given. False, with `error` set, when it cannot be written.
bool writeImageFile(const QString& path, const QSizeF& size, const QString& title,
    const std::function<void(QPainter&, const QRectF&)>& draw, QString* error);

} // namespace earlybird::ui
