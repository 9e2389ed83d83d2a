#include "app/inspector/shots/shoot.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QPixmap>
#include <QWidget>

namespace ckpt::ui {

ShotResult shoot(QWidget* window, const QString& path) {
    const QPixmap picture = window->grab();
    if (picture.isNull() || !picture.save(path, "PNG")) {
        return {1, QCoreApplication::translate("shoot", "could not write %1").arg(path)};
    }
    return {0, QCoreApplication::translate("shoot", "wrote %1 (%2×%3)")
                   .arg(QFileInfo(path).absoluteFilePath())
                   .arg(picture.width())
                   .arg(picture.height())};
}

}  // namespace ckpt::ui
