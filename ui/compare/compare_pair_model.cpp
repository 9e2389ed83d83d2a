#include "ui/compare/compare_pair_model.h"

#include <QBrush>
#include <QFont>
#include <map>

#include "ui/compare/compare_style.h"
#include "ui/jobs/compare_job.h"
#include "ui/util/format.h"

namespace ckpt::ui {

using core::TensorDiff;
using core::TensorDiffStatus;

namespace {

/// Internal id of a group row; pair rows carry their group index + 1.
constexpr quintptr kGroupId = 0;

QString dtypeShape(core::DType dtype, const std::vector<std::uint64_t>& shape) {
    return QStringLiteral("%1 %2").arg(compare_style::sv(core::dtypeName(dtype)),
                                       fmt::shape(shape));
}

}  // namespace

ComparePairModel::ComparePairModel(QObject* parent) : QAbstractItemModel(parent) {}

void ComparePairModel::clear() {
    beginResetModel();
    m_result.reset();
    m_groups.clear();
    m_location.clear();
    endResetModel();
}

void ComparePairModel::setResult(std::shared_ptr<const CompareResult> result) {
    beginResetModel();
    m_result = std::move(result);
    m_groups.clear();
    m_location.clear();
    if (m_result) {
        const auto& tensors = m_result->report.tensors;
        std::map<std::string, std::size_t> groupOf;
        m_location.resize(tensors.size());
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const TensorDiff& t = tensors[i];
            const auto [it, fresh] = groupOf.try_emplace(t.layer, m_groups.size());
            if (fresh) {
                Group g;
                g.layer = t.layer.empty() ? tr("(other tensors)") : fmt::qs(t.layer);
                g.status = static_cast<int>(t.status);
                m_groups.push_back(g);
            }
            Group& g = m_groups[it->second];
            m_location[i] = {static_cast<int>(it->second), static_cast<int>(g.rows.size())};
            g.rows.push_back(static_cast<int>(i));
            g.inA = g.inA || !t.aPath.empty();
            g.inB = g.inB || !t.bPath.empty();
            if (g.status != static_cast<int>(t.status)) {
                // Mixed children: the group changed, structurally if any child did.
                const bool structural =
                    t.status == TensorDiffStatus::ShapeChanged ||
                    g.status == static_cast<int>(TensorDiffStatus::ShapeChanged);
                g.status = static_cast<int>(structural ? TensorDiffStatus::ShapeChanged
                                                       : TensorDiffStatus::Changed);
            }
        }
    }
    endResetModel();
}

QModelIndex ComparePairModel::indexForReportRow(int reportRow, int column) const {
    if (reportRow < 0 || static_cast<std::size_t>(reportRow) >= m_location.size()) {
        return {};
    }
    const auto [group, row] = m_location[static_cast<std::size_t>(reportRow)];
    return createIndex(row, column, static_cast<quintptr>(group + 1));
}

QModelIndex ComparePairModel::index(int row, int column, const QModelIndex& parent) const {
    if (column < 0 || column >= ColumnCount || row < 0) {
        return {};
    }
    if (!parent.isValid()) {
        return row < static_cast<int>(m_groups.size()) ? createIndex(row, column, kGroupId)
                                                       : QModelIndex();
    }
    if (parent.internalId() != kGroupId) {
        return {};
    }
    const Group& g = m_groups[static_cast<std::size_t>(parent.row())];
    return row < static_cast<int>(g.rows.size())
               ? createIndex(row, column, static_cast<quintptr>(parent.row() + 1))
               : QModelIndex();
}

QModelIndex ComparePairModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == kGroupId) {
        return {};
    }
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kGroupId);
}

int ComparePairModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return static_cast<int>(m_groups.size());
    }
    if (parent.internalId() == kGroupId && parent.column() == 0) {
        return static_cast<int>(m_groups[static_cast<std::size_t>(parent.row())].rows.size());
    }
    return 0;
}

int ComparePairModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant ComparePairModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_result) {
        return {};
    }
    if (index.internalId() == kGroupId) {
        return groupData(m_groups[static_cast<std::size_t>(index.row())], index.column(), role);
    }
    const Group& g = m_groups[static_cast<std::size_t>(index.internalId() - 1)];
    return pairData(g.rows[static_cast<std::size_t>(index.row())], index.column(), role);
}

QVariant ComparePairModel::groupData(const Group& g, int column, int role) const {
    const auto status = static_cast<TensorDiffStatus>(g.status);
    switch (role) {
        case Qt::DisplayRole:
            if (column == AColumn) {
                return g.inA ? g.layer : QString();
            }
            if (column == BColumn) {
                return g.inB ? g.layer : QString();
            }
            return compare_style::statusText(status);
        case Qt::BackgroundRole: {
            const QColor c = compare_style::statusBackground(status);
            return c.isValid() ? QVariant(QBrush(c.lighter(106))) : QVariant();
        }
        case Qt::ForegroundRole: {
            const QColor c = compare_style::statusForeground(status);
            return c.isValid() ? QVariant(QBrush(c)) : QVariant();
        }
        case Qt::FontRole: {
            QFont f;
            f.setBold(true);
            return f;
        }
        case compare_style::kStatusRole:
            return g.status;
        case compare_style::kReportRowRole:
            return -1;
        default:
            return {};
    }
}

QVariant ComparePairModel::pairData(int reportRow, int column, int role) const {
    const TensorDiff& t = m_result->report.tensors[static_cast<std::size_t>(reportRow)];
    switch (role) {
        case Qt::DisplayRole:
            if (column == AColumn) {
                return t.aPath.empty() ? QStringLiteral("—") : fmt::qs(t.aPath);
            }
            if (column == BColumn) {
                return t.bPath.empty() ? QStringLiteral("—") : fmt::qs(t.bPath);
            }
            if (t.status == TensorDiffStatus::ShapeChanged) {
                return tr("%1 → %2").arg(fmt::shape(t.aShape), fmt::shape(t.bShape));
            }
            if (t.status == TensorDiffStatus::DtypeChanged) {
                return tr("%1 → %2").arg(compare_style::sv(core::dtypeName(t.aDtype)),
                                         compare_style::sv(core::dtypeName(t.bDtype)));
            }
            return compare_style::statusText(t.status);
        case Qt::ToolTipRole: {
            QStringList lines;
            lines << tr("<b>%1</b>: %2")
                         .arg(fmt::qs(t.key).toHtmlEscaped(), compare_style::statusText(t.status));
            if (!t.aPath.empty()) {
                lines << tr("A: %1  %2")
                             .arg(fmt::qs(t.aPath).toHtmlEscaped(), dtypeShape(t.aDtype, t.aShape));
            }
            if (!t.bPath.empty()) {
                lines << tr("B: %1  %2")
                             .arg(fmt::qs(t.bPath).toHtmlEscaped(), dtypeShape(t.bDtype, t.bShape));
            }
            if (t.pairedBy != core::PairedBy::None) {
                lines << compare_style::pairedByToolTip(t.pairedBy).toHtmlEscaped();
            }
            if (!t.note.empty()) {
                lines << fmt::qs(t.note).toHtmlEscaped();
            }
            return lines.join(QStringLiteral("<br>"));
        }
        case Qt::DecorationRole:
            return column == StatusColumn && core::pairedByGuess(t.pairedBy)
                       ? QVariant(compare_style::guessedPairIcon())
                       : QVariant();
        case Qt::BackgroundRole: {
            const QColor c = compare_style::statusBackground(t.status);
            return c.isValid() ? QVariant(QBrush(c)) : QVariant();
        }
        case Qt::ForegroundRole: {
            const QColor c = compare_style::statusForeground(t.status);
            return c.isValid() ? QVariant(QBrush(c)) : QVariant();
        }
        case compare_style::kStatusRole:
            return static_cast<int>(t.status);
        case compare_style::kReportRowRole:
            return reportRow;
        default:
            return {};
    }
}

QVariant ComparePairModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    if (!m_result) {
        return section == AColumn ? tr("A") : section == BColumn ? tr("B") : tr("Status");
    }
    const auto name = [](const std::string& file) {
        const auto slash = file.find_last_of("/\\");
        return fmt::qs(slash == std::string::npos ? file : file.substr(slash + 1));
    };
    switch (section) {
        case AColumn:
            return tr("A: %1").arg(name(m_result->report.aFile));
        case BColumn:
            return tr("B: %1").arg(name(m_result->report.bFile));
        default:
            return tr("Status");
    }
}

}  // namespace ckpt::ui
