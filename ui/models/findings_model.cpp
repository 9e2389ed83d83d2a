#include "ui/models/findings_model.h"

#include <QApplication>
#include <QStyle>

#include "core/validate/validator.h"
#include "ui/util/format.h"

namespace ckpt::ui {

namespace {

QIcon severityIcon(core::Severity s) {
    QStyle* style = QApplication::style();
    switch (s) {
        case core::Severity::Error:
            return style->standardIcon(QStyle::SP_MessageBoxCritical);
        case core::Severity::Warning:
            return style->standardIcon(QStyle::SP_MessageBoxWarning);
        case core::Severity::Info:
            break;
    }
    return style->standardIcon(QStyle::SP_MessageBoxInformation);
}

}  // namespace

FindingsModel::FindingsModel(QObject* parent) : QAbstractTableModel(parent) {}

FindingsModel::~FindingsModel() = default;

void FindingsModel::setReport(std::shared_ptr<const core::ValidationReport> report) {
    beginResetModel();
    m_report = std::move(report);
    endResetModel();
}

int FindingsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_report ? 0 : static_cast<int>(m_report->findings.size());
}

int FindingsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FindingsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const core::Finding& f = m_report->findings[static_cast<std::size_t>(index.row())];
    switch (role) {
        case Qt::DisplayRole:
            switch (index.column()) {
                case SeverityColumn:
                    return fmt::qs(std::string(core::severityName(f.severity)));
                case RuleColumn:
                    return fmt::qs(f.rule);
                case CategoryColumn:
                    return fmt::qs(std::string(core::categoryName(f.category)));
                case PathColumn:
                    return fmt::qs(f.path);
                case MessageColumn:
                    return fmt::qs(f.message).replace(QLatin1Char('\n'), QLatin1Char(' '));
                case AdviceColumn:
                    return fmt::qs(f.advice).replace(QLatin1Char('\n'), QLatin1Char(' '));
                default:
                    return {};
            }
        case Qt::DecorationRole:
            return index.column() == SeverityColumn ? QVariant(severityIcon(f.severity))
                                                    : QVariant();
        case Qt::ToolTipRole:
        case DetailRole: {
            QString html = QStringLiteral("<b>%1</b> · %2<br>%3")
                               .arg(fmt::qs(f.rule).toHtmlEscaped(),
                                    fmt::qs(core::ruleTitle(f.rule)).toHtmlEscaped(),
                                    fmt::qs(f.message).toHtmlEscaped());
            if (!f.symbol.empty()) {
                html += QStringLiteral("<br><i>%1</i> %2")
                            .arg(tr("symbol"), fmt::qs(f.symbol).toHtmlEscaped());
            }
            if (f.offset) {
                html +=
                    QStringLiteral("<br><i>%1</i> %2%3")
                        .arg(tr("offset"), QString::number(*f.offset),
                             f.member.empty() ? QString() : tr(" in %1").arg(fmt::qs(f.member)));
            }
            if (!f.advice.empty()) {
                html += QStringLiteral("<br><b>%1</b> %2")
                            .arg(tr("What to do:"), fmt::qs(f.advice).toHtmlEscaped());
            }
            return html;
        }
        case SortRole:
            return index.column() == SeverityColumn ? QVariant(static_cast<int>(f.severity))
                                                    : data(index, Qt::DisplayRole);
        case PathRole:
            return fmt::qs(f.path);
        case AdviceRole:
            return fmt::qs(f.advice);
        default:
            return {};
    }
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case SeverityColumn:
            return tr("Severity");
        case RuleColumn:
            return tr("Rule");
        case CategoryColumn:
            return tr("Category");
        case PathColumn:
            return tr("Where");
        case MessageColumn:
            return tr("Finding");
        case AdviceColumn:
            return tr("What to do");
        default:
            return {};
    }
}

}  // namespace ckpt::ui
