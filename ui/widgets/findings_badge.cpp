#include "ui/widgets/findings_badge.h"

#include <QColor>
#include <QStringList>

namespace ckpt::ui {

FindingsBadge::FindingsBadge(QWidget* parent) : QPushButton(parent) {
    setObjectName(QStringLiteral("findingsBadge"));
    setCursor(Qt::PointingHandCursor);
    setFlat(true);
    setToolTip(tr("Show the Findings tab"));
    setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    setStatus({});
}

QString FindingsBadge::textFor(const FindingsStatus& status) {
    switch (status.state) {
        case FindingsStatus::State::None:
            return {};
        case FindingsStatus::State::Running:
            return tr("Validating…");
        case FindingsStatus::State::Failed:
            return tr("Check stopped");
        case FindingsStatus::State::Done:
            break;
    }
    if (status.total() == 0) {
        return tr("No findings");
    }
    const auto counted = [](std::size_t n, const QString& one, const QString& many) {
        return n == 1 ? one : many.arg(n);
    };
    QStringList parts;
    if (status.errors > 0) {
        parts << counted(status.errors, tr("1 error"), tr("%1 errors"));
    }
    if (status.warnings > 0) {
        parts << counted(status.warnings, tr("1 warning"), tr("%1 warnings"));
    }
    if (status.infos > 0) {
        parts << tr("%1 info").arg(status.infos);
    }
    return parts.join(QStringLiteral(" · "));
}

QColor FindingsBadge::colorFor(const FindingsStatus& status) {
    if (status.state != FindingsStatus::State::Done) {
        return {0x75, 0x75, 0x75};
    }
    if (status.errors > 0) {
        return {0xc6, 0x28, 0x28};
    }
    if (status.warnings > 0) {
        return {0xc7, 0x7c, 0x00};
    }
    if (status.infos > 0) {
        return {0x1e, 0x6f, 0xc0};
    }
    return {0x2e, 0x7d, 0x32};
}

void FindingsBadge::setStatus(const FindingsStatus& status) {
    m_status = status;
    setText(textFor(status));
    const QColor c = colorFor(status);
    setStyleSheet(QStringLiteral("QPushButton#findingsBadge { color: white; background: %1;"
                                 " border: none; border-radius: 9px; padding: 3px 11px;"
                                 " font-weight: bold; }"
                                 "QPushButton#findingsBadge:hover { background: %2; }")
                      .arg(c.name(), c.darker(115).name()));
    setVisible(status.state != FindingsStatus::State::None);
}

}  // namespace ckpt::ui
