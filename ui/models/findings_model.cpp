#include "ui/models/findings_model.h"

#include <QApplication>
#include <QStyle>
#include <map>

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

QString oneLine(const std::string& s) {
    return fmt::qs(s).replace(QLatin1Char('\n'), QLatin1Char(' '));
}

/// "<root>.queue.mutex" -> "<root>.queue"; "model_config/layers[2]" -> "model_config".
QString firstLevel(const std::string& path) {
    std::size_t cut = path.find_first_of("/");
    if (path.rfind("<root>", 0) == 0 || path.rfind("<pickle", 0) == 0) {
        const std::size_t start = path.find('>') + 1;
        cut = path.find_first_of(".[(", start + 1);
    }
    return fmt::qs(cut == std::string::npos ? path : path.substr(0, cut));
}

}  // namespace

FindingsModel::FindingsModel(QObject* parent) : QAbstractItemModel(parent) {}

FindingsModel::~FindingsModel() = default;

void FindingsModel::setReport(std::shared_ptr<const core::ValidationReport> report) {
    beginResetModel();
    m_report = std::move(report);
    rebuild();
    endResetModel();
}

void FindingsModel::setGrouping(Grouping g) {
    if (g == m_grouping) {
        return;
    }
    beginResetModel();
    m_grouping = g;
    rebuild();
    endResetModel();
}

void FindingsModel::setMinimumSeverity(core::Severity s) {
    if (s == m_minimum) {
        return;
    }
    beginResetModel();
    m_minimum = s;
    rebuild();
    endResetModel();
}

QString FindingsModel::groupLabel(const core::Finding& f, Grouping g) {
    switch (g) {
        case Grouping::None:
            return {};
        case Grouping::Rule:
            return QStringLiteral("%1 — %2").arg(fmt::qs(f.rule), fmt::qs(core::ruleTitle(f.rule)));
        case Grouping::Member: {
            const QString where = firstLevel(f.path);
            return f.member.empty() ? where
                                    : QStringLiteral("%1 › %2").arg(fmt::qs(f.member), where);
        }
        case Grouping::Module: {
            const auto dot = f.symbol.rfind('.');
            if (f.symbol.empty() || f.symbol.rfind("CKPT-", 0) == 0 || dot == std::string::npos ||
                f.symbol.find(' ') != std::string::npos) {
                return tr("(no module)");
            }
            return fmt::qs(f.symbol.substr(0, dot));
        }
    }
    return {};
}

void FindingsModel::rebuild() {
    m_rows.clear();
    m_top.clear();
    m_shown = 0;
    if (!m_report) {
        return;
    }
    std::map<QString, int> groups;  // label -> row
    const auto siblingsOf = [this](int parent) -> std::vector<int>& {
        return parent < 0 ? m_top : m_rows[static_cast<std::size_t>(parent)].children;
    };
    const auto addRow = [&](Row r) {
        r.position = static_cast<int>(siblingsOf(r.parent).size());
        const int parent = r.parent;
        m_rows.push_back(std::move(r));  // may move the rows: look the siblings up again
        const int id = static_cast<int>(m_rows.size()) - 1;
        siblingsOf(parent).push_back(id);
        return id;
    };
    const auto& findings = m_report->findings;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const core::Finding& f = findings[i];
        if (f.severity > m_minimum) {
            continue;
        }
        ++m_shown;
        int parent = -1;
        if (m_grouping != Grouping::None) {
            const QString label = groupLabel(f, m_grouping);
            auto it = groups.find(label);
            if (it == groups.end()) {
                Row g;
                g.kind = GroupRow;
                g.label = label;
                g.worst = f.severity;
                it = groups.emplace(label, addRow(std::move(g))).first;
            }
            parent = it->second;
            auto& worst = m_rows[static_cast<std::size_t>(parent)].worst;
            worst = std::min(worst, f.severity);
        }
        Row r;
        r.kind = FindingRow;
        r.parent = parent;
        r.finding = static_cast<int>(i);
        const int id = addRow(std::move(r));
        for (std::size_t p = 0; p < f.parts.size(); ++p) {
            Row part;
            part.kind = PartRow;
            part.parent = id;
            part.finding = static_cast<int>(i);
            part.part = static_cast<int>(p);
            addRow(std::move(part));
        }
    }
}

QModelIndex FindingsModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= ColumnCount) {
        return {};
    }
    const std::vector<int>& siblings =
        parent.isValid() ? m_rows[static_cast<std::size_t>(parent.internalId())].children : m_top;
    if (static_cast<std::size_t>(row) >= siblings.size()) {
        return {};
    }
    return createIndex(row, column, static_cast<quintptr>(siblings[static_cast<std::size_t>(row)]));
}

QModelIndex FindingsModel::parent(const QModelIndex& child) const {
    if (!child.isValid()) {
        return {};
    }
    const int p = m_rows[static_cast<std::size_t>(child.internalId())].parent;
    if (p < 0) {
        return {};
    }
    return createIndex(m_rows[static_cast<std::size_t>(p)].position, 0, static_cast<quintptr>(p));
}

int FindingsModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return static_cast<int>(m_top.size());
    }
    if (parent.column() != 0) {
        return 0;
    }
    return static_cast<int>(m_rows[static_cast<std::size_t>(parent.internalId())].children.size());
}

int FindingsModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant FindingsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_report) {
        return {};
    }
    const Row& r = m_rows[static_cast<std::size_t>(index.internalId())];
    if (role == KindRole) {
        return static_cast<int>(r.kind);
    }
    if (role == FindingRole) {
        return r.kind == GroupRow ? -1 : r.finding;
    }
    if (r.kind == GroupRow) {
        return groupData(r, index.column(), role);
    }
    const core::Finding& f = m_report->findings[static_cast<std::size_t>(r.finding)];
    if (r.kind == PartRow) {
        return partData(f, f.parts[static_cast<std::size_t>(r.part)], index.column(), role);
    }
    return findingData(f, index.column(), role);
}

QVariant FindingsModel::groupData(const Row& r, int column, int role) const {
    switch (role) {
        case Qt::DisplayRole:
            if (column == SeverityColumn) {
                return QStringLiteral("%1 (%2)").arg(r.label).arg(r.children.size());
            }
            return {};
        case Qt::DecorationRole:
            return column == SeverityColumn ? QVariant(severityIcon(r.worst)) : QVariant();
        case SortRole:
            return column == SeverityColumn ? QVariant(static_cast<int>(r.worst))
                                            : QVariant(r.label);
        case Qt::ToolTipRole:
        case DetailRole:
            return tr("<b>%1</b><br>%2 finding(s); select one to see it here.")
                .arg(r.label.toHtmlEscaped())
                .arg(r.children.size());
        default:
            return {};
    }
}

QVariant FindingsModel::partData(const core::Finding& f, const core::FindingPart& p, int column,
                                 int role) const {
    switch (role) {
        case Qt::DisplayRole:
            switch (column) {
                case SeverityColumn:
                    return tr("part");
                case PathColumn:
                    return fmt::qs(p.path);
                case MessageColumn:
                    return oneLine(p.message);
                default:
                    return {};
            }
        case Qt::ToolTipRole:
        case DetailRole: {
            QString html = tr("<b>Part of %1</b> (%2)<br>%3")
                               .arg(fmt::qs(f.path).toHtmlEscaped(), fmt::qs(f.rule),
                                    fmt::qs(p.message).toHtmlEscaped());
            if (!p.symbol.empty()) {
                html += QStringLiteral("<br><i>%1</i> %2")
                            .arg(tr("symbol"), fmt::qs(p.symbol).toHtmlEscaped());
            }
            if (p.offset) {
                html += QStringLiteral("<br><i>%1</i> %2")
                            .arg(tr("offset"), QString::number(*p.offset));
            }
            return html;
        }
        case SortRole:
            return column == SeverityColumn ? QVariant(static_cast<int>(f.severity))
                                            : partData(f, p, column, Qt::DisplayRole);
        case PathRole:
            return fmt::qs(p.path);
        case AdviceRole:
            return fmt::qs(f.advice);
        default:
            return {};
    }
}

QVariant FindingsModel::findingData(const core::Finding& f, int column, int role) const {
    switch (role) {
        case Qt::DisplayRole:
            switch (column) {
                case SeverityColumn:
                    return fmt::qs(std::string(core::severityName(f.severity)));
                case RuleColumn:
                    return fmt::qs(f.rule);
                case CategoryColumn:
                    return fmt::qs(std::string(core::categoryName(f.category)));
                case PathColumn:
                    if (f.parts.empty()) {
                        return fmt::qs(f.path);
                    }
                    if (f.parts.size() == 1) {
                        return tr("%1 (+1 part)").arg(fmt::qs(f.path));
                    }
                    return tr("%1 (+%2 parts)").arg(fmt::qs(f.path)).arg(f.parts.size());
                case MessageColumn:
                    return oneLine(f.message);
                case AdviceColumn:
                    return oneLine(f.advice);
                default:
                    return {};
            }
        case Qt::DecorationRole:
            return column == SeverityColumn ? QVariant(severityIcon(f.severity)) : QVariant();
        case Qt::ToolTipRole:
            if (column == AdviceColumn) {  // the advice in full, wrapped by the tooltip
                return QStringLiteral("<p>%1</p>").arg(fmt::qs(f.advice).toHtmlEscaped());
            }
            [[fallthrough]];
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
                html += QStringLiteral("<br><i>%1</i> %2%3")
                            .arg(tr("offset"), QString::number(*f.offset),
                                 f.member.empty()
                                     ? QString()
                                     : tr(" in %1").arg(fmt::qs(f.member).toHtmlEscaped()));
            }
            if (!f.parts.empty()) {
                QStringList parts;
                for (const auto& p : f.parts) {
                    parts << fmt::qs(p.path).toHtmlEscaped();
                }
                html += QStringLiteral("<br><i>%1</i> %2")
                            .arg(tr("parts"), parts.join(QStringLiteral(", ")));
            }
            if (!f.advice.empty()) {
                html += QStringLiteral("<br><b>%1</b> %2")
                            .arg(tr("What to do:"), fmt::qs(f.advice).toHtmlEscaped());
            }
            return html;
        }
        case SortRole:
            if (column == SeverityColumn) {
                return static_cast<int>(f.severity);
            }
            return findingData(f, column, Qt::DisplayRole);
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
