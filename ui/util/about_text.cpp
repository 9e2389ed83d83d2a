#include "ui/util/about_text.h"

#include <QCoreApplication>
#include <QStringList>

#include "core/formats/registry.h"

namespace ckpt::ui {

QString aboutHtml(const QString& version) {
    QStringList formats;
    for (const core::Reader* reader : core::readers()) {
        formats << QStringLiteral("<li>%1 <small>(<code>%2</code>)</small></li>")
                       .arg(QString::fromUtf8(reader->description().data(),
                                              static_cast<qsizetype>(reader->description().size()))
                                .toHtmlEscaped(),
                            QString::fromUtf8(reader->id().data(),
                                              static_cast<qsizetype>(reader->id().size()))
                                .toHtmlEscaped());
    }
    const auto tr = [](const char* text) {
        return QCoreApplication::translate("ckpt::ui::About", text);
    };
    return QStringLiteral("<h3>Checkpoint Inspector %1</h3><p>%2</p><p>%3</p><ul>%4</ul><p>%5</p>")
        .arg(version.toHtmlEscaped(),
             tr("See inside machine-learning checkpoints without running them: the tree of "
                "tensors and objects, the layer or module summary, the architecture config, "
                "statistics of every tensor, and what would run or fail when the file is "
                "loaded."),
             tr("This build reads:"), formats.join(QString()),
             tr("Nothing in a checkpoint is ever executed; files are opened read-only."));
}

}  // namespace ckpt::ui
