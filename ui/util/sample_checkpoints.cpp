#include "ui/util/sample_checkpoints.h"

#include <QDir>
#include <QObject>

// The .qrc is compiled into the static ckpt_ui library; without a reference the linker drops
// it, so register it explicitly (outside any namespace, as Q_INIT_RESOURCE requires).
static void initBundledResources() {
    Q_INIT_RESOURCE(resources);
}

namespace ckpt::ui {

QStringList SampleCheckpoints::resourcePaths() {
    static const bool initialised = (initBundledResources(), true);
    Q_UNUSED(initialised);
    const QDir dir(QStringLiteral(":/samples"));
    QStringList out;
    for (const QString& name : dir.entryList(QDir::Files, QDir::Name)) {
        if (name.endsWith(QLatin1String(".json")) || name.endsWith(QLatin1String(".md")) ||
            name.endsWith(QLatin1String(".txt")) || name.endsWith(QLatin1String(".py"))) {
            continue;
        }
        out << dir.filePath(name);
    }
    return out;
}

bool SampleCheckpoints::isSample(const QString& path) {
    return path.startsWith(QLatin1String(":/samples/"));
}

QString SampleCheckpoints::displayPath(const QString& path) {
    if (!isSample(path)) {
        return path;
    }
    return QObject::tr("%1 (bundled sample)").arg(path.section(QLatin1Char('/'), -1));
}

}  // namespace ckpt::ui
