#include "ui/util/error_text.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace ckpt::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ckpt::ui::ErrorText", text);
}

bool has(const QString& text, const char* needle) {
    return text.contains(QLatin1String(needle), Qt::CaseInsensitive);
}

/// The bracketed format id the core puts before its message ("[keras-h5]"), or empty.
QString formatOf(const QString& message) {
    static const QRegularExpression re(QStringLiteral("\\[([A-Za-z0-9_.+-]+)\\]"));
    const auto m = re.match(message);
    return m.hasMatch() ? m.captured(1) : QString();
}

}  // namespace

QString plainOpenError(const QString& path, const QString& message) {
    QString text = message;
    if (!path.isEmpty()) {
        text.replace(path + QStringLiteral(": "), QString());
    }
    const QString format = formatOf(text);
    const QString in = format.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(format);
    if (has(text, "no such file") || has(text, "does not exist") || has(text, "not found")) {
        return tr("the file does not exist");
    }
    if (has(text, "permission denied")) {
        return tr("this account may not read the file");
    }
    if (has(text, "is a directory") && !has(text, "bundle")) {
        return tr("this is a folder, not a checkpoint file");
    }
    if (has(text, "not a checkpoint format")) {
        return has(text, "empty") ? tr("the file is empty")
                                  : tr("not a checkpoint format this app reads");
    }
    if (has(text, "empty file") || has(text, "file is empty") || has(text, "0 bytes")) {
        return tr("the file is empty");
    }
    if (has(text, "truncat") || has(text, "past the end") || has(text, "beyond the end") ||
        has(text, "end of file") || has(text, "past eof") || has(text, "cut short")) {
        return tr("the file is cut short%1: it ends before its data does").arg(in);
    }
    if (has(text, "checksum") || has(text, "superblock") || has(text, "H5") || has(text, "HDF5")) {
        return tr("the HDF5 structure is damaged%1").arg(in);
    }
    if (has(text, "zip") || has(text, "central dir") || has(text, "local header")) {
        return tr("the zip archive is damaged%1").arg(in);
    }
    if (has(text, "json")) {
        return tr("a JSON part of the file is damaged%1").arg(in);
    }
    if (has(text, "pickle") || has(text, "opcode")) {
        return tr("the pickle data is damaged%1").arg(in);
    }
    if (has(text, "unsupported") || has(text, "not supported")) {
        return tr("the file uses a feature this app does not read yet%1").arg(in);
    }
    if (has(text, "limit") || has(text, "too large") || has(text, "too deep")) {
        return tr("the file claims sizes beyond the safety limits%1").arg(in);
    }
    // Unknown: the core's own first sentence, short.
    QString first = text.section(QLatin1Char('\n'), 0, 0).trimmed();
    if (first.size() > 140) {
        first = first.left(139) + QChar(0x2026);
    }
    return first;
}

}  // namespace ckpt::ui
