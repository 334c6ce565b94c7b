#include "imagefile.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>

namespace earlybird::ui {

bool writeImageFile(const QString& path, const QSizeF& size, const QString& title,
    const std::function<void(QPainter&, const QRectF&)>& draw, QString* error)
{
    if (QFileInfo(path).suffix().compare(QStringLiteral("svg"), Qt::CaseInsensitive) == 0) {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(size.toSize());
        generator.setViewBox(QRectF(QPointF(0, 0), size));
        generator.setTitle(title);
        QPainter painter;
        if (!painter.begin(&generator)) {
            *error = QCoreApplication::translate("writeImageFile", "%1: cannot write the SVG file").arg(path);
            return false;
        }
        draw(painter, QRectF(QPointF(0, 0), size));
        painter.end();
        return true;
    }
    QImage image((size * 2).toSize(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    draw(painter, QRectF(image.rect()));
    painter.end();
    if (!image.save(path)) {
        *error = QCoreApplication::translate("writeImageFile", "%1: cannot write the image (use a .png or .svg name)")
                     .arg(path);
        return false;
    }
    return true;
}

} // namespace earlybird::ui
