#include "ui/export/export_text.h"

#include <QCoreApplication>
#include <QFileInfo>

#include "ui/util/format.h"

namespace ckpt::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ckpt::ui::ExportDialog", text);
}

/// An HTML list of at most `limit` lines, then "… and N more".
QString listHtml(const QString& title, const std::vector<std::string>& lines,
                 std::size_t limit = 8) {
    if (lines.empty()) {
        return {};
    }
    QString html = QStringLiteral("<p><b>%1</b> (%2)</p><ul style='margin-top:0'>")
                       .arg(title.toHtmlEscaped(), fmt::count(lines.size()));
    for (std::size_t i = 0; i < lines.size() && i < limit; ++i) {
        html += QStringLiteral("<li>%1</li>").arg(fmt::qs(lines[i]).toHtmlEscaped());
    }
    if (lines.size() > limit) {
        html += QStringLiteral("<li>… %1</li>")
                    .arg(tr("and %1 more").arg(fmt::count(lines.size() - limit)));
    }
    return html + QStringLiteral("</ul>");
}

}  // namespace

QString globCountText(const core::GlobCount& count) {
    return tr("%1 of %2 tensors").arg(fmt::count(count.matching), fmt::count(count.total));
}

QString writtenPreviewHtml(const core::ExportPreview& preview) {
    QString html = QStringLiteral("<p><b>%1</b> %2</p>")
                       .arg(tr("%1 tensors").arg(fmt::count(preview.tensors)),
                            tr("(%1 of tensor data)").arg(fmt::bytes(preview.tensorBytes)));
    for (const auto& out : preview.outputs) {
        html += QStringLiteral("<p>%1 <code>%2</code></p>")
                    .arg(tr("into"), fmt::qs(out).toHtmlEscaped());
    }
    for (const auto& note : preview.notes) {
        html +=
            QStringLiteral("<p style='color:#8a6d00'>%1</p>").arg(fmt::qs(note).toHtmlEscaped());
    }
    return html;
}

QString exportReportHtml(const core::ExportReport& report) {
    const QString name = QFileInfo(QString::fromStdString(report.output.string())).fileName();
    QString html = QStringLiteral("<p><b>%1</b></p>")
                       .arg(tr("Wrote %1 tensors (%2) to %3 — %4 on disk.")
                                .arg(fmt::count(report.tensors), fmt::bytes(report.dataBytes),
                                     name.toHtmlEscaped(), fmt::bytes(report.fileBytes)));
    html += listHtml(tr("Cleaned"), report.cleaned);
    html += listHtml(tr("Left out as asked"), report.excluded);
    html += listHtml(tr("Dropped (no equivalent in the format)"), report.dropped);
    html += listHtml(tr("Warnings"), report.warnings);
    return html;
}

}  // namespace ckpt::ui
