#include "ui/util/file_filters.h"

#include <QCoreApplication>

#include "core/formats/registry.h"

namespace ckpt::ui {

QString checkpointFileFilter() {
    QStringList patterns;
    for (const std::string& e : core::checkpointExtensions()) {
        patterns << QLatin1Char('*') + QString::fromStdString(e);
    }
    return QCoreApplication::translate("file_filters", "Checkpoints (%1);;All files (*)")
        .arg(patterns.join(QLatin1Char(' ')));
}

QStringList openablePaths(const QList<QUrl>& urls) {
    QStringList out;
    for (const QUrl& url : urls) {
        if (url.isLocalFile() && core::isOpenablePath(url.toLocalFile().toStdString())) {
            out << url.toLocalFile();
        }
    }
    return out;
}

}  // namespace ckpt::ui
