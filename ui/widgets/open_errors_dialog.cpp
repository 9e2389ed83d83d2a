#include "ui/widgets/open_errors_dialog.h"

#include <QFileInfo>

#include "ui/util/error_text.h"
#include "ui/util/sample_checkpoints.h"

namespace ckpt::ui {

namespace {

QString nameOf(const QString& path) {
    return SampleCheckpoints::isSample(path) ? SampleCheckpoints::displayPath(path)
                                             : QFileInfo(path).fileName();
}

}  // namespace

OpenErrorsDialog::OpenErrorsDialog(const std::vector<Failure>& failures, QWidget* parent)
    : QMessageBox(QMessageBox::Warning, titleFor(failures), QString(), QMessageBox::Ok, parent) {
    setAttribute(Qt::WA_DeleteOnClose);
    setObjectName(QStringLiteral("openErrorsDialog"));
    setTextFormat(Qt::RichText);
    QStringList rows;
    for (const auto& f : failures) {
        rows << QStringLiteral("<li><b>%1</b>: %2</li>")
                    .arg(nameOf(f.path).toHtmlEscaped(),
                         plainOpenError(f.path, f.message).toHtmlEscaped());
    }
    setText(QStringLiteral("%1<ul>%2</ul>")
                .arg(failures.size() == 1 ? tr("This file could not be opened:")
                                          : tr("These files could not be opened:"),
                     rows.join(QString())));
    setInformativeText(
        tr("Whatever was open before stays open. The exact messages are under "
           "Show Details."));
    setDetailedText(detailsFor(failures));
    setTextInteractionFlags(Qt::TextSelectableByMouse);
}

QString OpenErrorsDialog::titleFor(const std::vector<Failure>& failures) {
    if (failures.size() == 1) {
        return tr("Cannot open %1").arg(nameOf(failures.front().path));
    }
    return tr("%1 files could not be opened").arg(failures.size());
}

QString OpenErrorsDialog::summaryFor(const std::vector<Failure>& failures) {
    QStringList lines;
    for (const auto& f : failures) {
        lines << QStringLiteral("%1: %2").arg(nameOf(f.path), plainOpenError(f.path, f.message));
    }
    return lines.join(QLatin1Char('\n'));
}

QString OpenErrorsDialog::detailsFor(const std::vector<Failure>& failures) {
    QStringList blocks;
    for (const auto& f : failures) {
        blocks << QStringLiteral("%1\n%2").arg(SampleCheckpoints::displayPath(f.path), f.message);
    }
    return blocks.join(QStringLiteral("\n\n"));
}

}  // namespace ckpt::ui
