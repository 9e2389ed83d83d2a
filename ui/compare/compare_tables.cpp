#include "ui/compare/compare_tables.h"

#include <QBrush>
#include <QFont>
#include <cmath>
#include <limits>

#include "ui/compare/compare_style.h"
#include "ui/jobs/compare_job.h"
#include "ui/util/format.h"

namespace ckpt::ui {

using core::ConfigChangeKind;
using core::TensorDiff;
using core::TensorDiffStatus;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The metric of a column, NaN when the pair has none.
double metricOf(const TensorDiff& t, int column) {
    if (!t.metrics) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const core::TensorMetrics& m = *t.metrics;
    switch (column) {
        case CompareMetricsModel::NumelColumn:
            return static_cast<double>(m.numel);
        case CompareMetricsModel::MaxAbsColumn:
            return m.maxAbsDiff;
        case CompareMetricsModel::MeanAbsColumn:
            return m.meanAbsDiff;
        case CompareMetricsModel::RmsColumn:
            return m.rmsDiff;
        case CompareMetricsModel::RelL2Column:
            return m.relL2;
        case CompareMetricsModel::CosineColumn:
            return m.cosine;
        case CompareMetricsModel::MismatchedColumn:
            return static_cast<double>(m.mismatched);
        default:
            return std::numeric_limits<double>::quiet_NaN();
    }
}

QString valueText(const core::Json& v) {
    if (v.is_null()) {
        return {};
    }
    // Short enough that old and new stay beside each other; the whole value is the tooltip.
    constexpr qsizetype kMax = 28;
    QString s = fmt::json(v);
    if (s.size() > kMax) {
        s = s.left(kMax - 1) + QStringLiteral("…");
    }
    return s;
}

}  // namespace

// ---- CompareMetricsModel ----

CompareMetricsModel::CompareMetricsModel(QObject* parent) : QAbstractTableModel(parent) {}

void CompareMetricsModel::setResult(std::shared_ptr<const CompareResult> result) {
    beginResetModel();
    m_result = std::move(result);
    endResetModel();
}

int CompareMetricsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_result ? 0 : static_cast<int>(m_result->report.tensors.size());
}

int CompareMetricsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CompareMetricsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_result) {
        return {};
    }
    const TensorDiff& t = m_result->report.tensors[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
        case Qt::DisplayRole: {
            if (column == KeyColumn) {
                return compare_style::tensorName(t);
            }
            if (column == StatusColumn) {
                return compare_style::statusText(t.status);
            }
            if (column == PairedByColumn) {
                return compare_style::pairedByText(t.pairedBy);
            }
            if (!t.metrics) {
                return QStringLiteral("—");
            }
            if (column == NumelColumn) {
                return fmt::count(t.metrics->numel);
            }
            if (column == MismatchedColumn) {
                return t.metrics->mismatched == 0
                           ? QStringLiteral("0")
                           : QStringLiteral("%1 (%2)").arg(
                                 fmt::count(t.metrics->mismatched),
                                 fmt::percent(t.metrics->mismatched, t.metrics->numel));
            }
            const double v = metricOf(t, column);
            // Three significant digits, as `ckpt diff` prints them.
            return std::isnan(v) ? QStringLiteral("—") : fmt::number(v, 3);
        }
        case compare_style::kSortRole: {
            if (column == KeyColumn) {
                return compare_style::tensorName(t);
            }
            if (column == StatusColumn) {
                return static_cast<int>(t.status);
            }
            if (column == PairedByColumn) {
                return static_cast<int>(t.pairedBy);
            }
            const double v = metricOf(t, column);
            if (std::isnan(v)) {
                // As `ckpt diff` ranks them: structural changes above every number, equal
                // rows without values below.
                return t.status == TensorDiffStatus::Equal ? -kInf : kInf;
            }
            return v;
        }
        case Qt::TextAlignmentRole:
            return column <= PairedByColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                            : QVariant(Qt::AlignRight | Qt::AlignVCenter);
        case Qt::DecorationRole:
            return column == PairedByColumn && core::pairedByGuess(t.pairedBy)
                       ? QVariant(compare_style::guessedPairIcon())
                       : QVariant();
        case Qt::BackgroundRole: {
            const QColor c = compare_style::statusBackground(t.status);
            return c.isValid() && column <= StatusColumn ? QVariant(QBrush(c)) : QVariant();
        }
        case Qt::ForegroundRole: {
            const QColor c = compare_style::statusForeground(t.status);
            return c.isValid() && column <= StatusColumn ? QVariant(QBrush(c)) : QVariant();
        }
        case Qt::ToolTipRole:
            if (column == PairedByColumn) {
                return compare_style::pairedByToolTip(t.pairedBy);
            }
            if (!t.note.empty()) {
                return fmt::qs(t.note);
            }
            if (column == KeyColumn) {
                QString tip =
                    tr("A: %1\nB: %2\npairing key: %3")
                        .arg(t.aPath.empty() ? tr("—") : fmt::qs(t.aPath),
                             t.bPath.empty() ? tr("—") : fmt::qs(t.bPath), fmt::qs(t.key));
                return tip;
            }
            return QVariant();
        case compare_style::kStatusRole:
            return static_cast<int>(t.status);
        case compare_style::kReportRowRole:
            return index.row();
        default:
            return {};
    }
}

QVariant CompareMetricsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) {
        return {};
    }
    static const char* const names[] = {"tensor",   "status", "paired by", "numel",  "max_abs",
                                        "mean_abs", "rms",    "rel_l2",    "cosine", "mismatched"};
    static const char* const tips[] = {
        "The tensor's path in A (in B when only B has it), as in the tree",
        "What happened to the tensor",
        "How A's tensor was matched with B's: name, layer, weight order (Keras 3 against "
        "legacy), or the guesses position and shape (marked ≈)",
        "Elements compared",
        "Largest |B − A|",
        "Mean |B − A|",
        "Root mean square of B − A",
        "‖B − A‖ / ‖A‖",
        "Cosine similarity of A and B",
        "Elements outside |B − A| ≤ atol + rtol·|B|",
    };
    if (section < 0 || section >= ColumnCount) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        return tr(names[section]);
    }
    if (role == Qt::ToolTipRole) {
        return tr(tips[section]);
    }
    return {};
}

// ---- CompareFilterProxy ----

CompareFilterProxy::CompareFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(compare_style::kSortRole);
    setFilterKeyColumn(CompareMetricsModel::KeyColumn);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void CompareFilterProxy::setOnlyChanged(bool on) {
    if (m_onlyChanged != on) {
        m_onlyChanged = on;
        invalidateFilter();
    }
}

void CompareFilterProxy::setReportRows(std::optional<std::set<int>> rows) {
    m_rows = std::move(rows);
    invalidateFilter();
}

bool CompareFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& parent) const {
    if (m_rows) {
        const QModelIndex i = sourceModel()->index(sourceRow, 0, parent);
        if (m_rows->count(i.data(compare_style::kReportRowRole).toInt()) == 0) {
            return false;
        }
    }
    if (m_onlyChanged) {
        const QModelIndex i = sourceModel()->index(sourceRow, 0, parent);
        if (i.data(compare_style::kStatusRole).toInt() ==
            static_cast<int>(TensorDiffStatus::Equal)) {
            return false;
        }
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, parent);
}

bool CompareFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    const QVariant l = left.data(compare_style::kSortRole);
    const QVariant r = right.data(compare_style::kSortRole);
    if (l.typeId() == QMetaType::Double && r.typeId() == QMetaType::Double) {
        return l.toDouble() < r.toDouble();
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

// ---- ConfigChangeModel ----

ConfigChangeModel::ConfigChangeModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConfigChangeModel::setResult(std::shared_ptr<const CompareResult> result) {
    beginResetModel();
    m_result = std::move(result);
    endResetModel();
}

int ConfigChangeModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_result ? 0
                                         : static_cast<int>(m_result->report.config.changes.size());
}

int ConfigChangeModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConfigChangeModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_result) {
        return {};
    }
    const core::ConfigChange& c =
        m_result->report.config.changes[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
        case Qt::DisplayRole:
            switch (column) {
                case KindColumn:
                    return compare_style::configKindText(c.kind);
                case PathColumn:
                    return fmt::qs(c.path);
                case LayerColumn:
                    return c.className.empty() ? fmt::qs(c.layer)
                                               : QStringLiteral("%1 (%2)").arg(
                                                     fmt::qs(c.layer), fmt::qs(c.className));
                case OldColumn:
                    return valueText(c.oldValue);
                case NewColumn:
                    return valueText(c.newValue);
                default:
                    return {};
            }
        case Qt::ToolTipRole:
            if (column == OldColumn || column == NewColumn) {
                const core::Json& v = column == OldColumn ? c.oldValue : c.newValue;
                return v.is_null() ? QVariant() : QVariant(fmt::json(v));
            }
            return fmt::qs(c.path);
        case Qt::BackgroundRole: {
            // The kind and the values carry the tint; a changed field shows old → new in amber.
            const bool tinted = column == KindColumn || column == OldColumn || column == NewColumn;
            return tinted ? QVariant(QBrush(compare_style::configBackground(c.kind))) : QVariant();
        }
        case Qt::ForegroundRole: {
            const bool tinted = column == KindColumn || column == OldColumn || column == NewColumn;
            return tinted ? QVariant(QBrush(QColor(0x20, 0x20, 0x20))) : QVariant();
        }
        case Qt::FontRole:
            if (column == NewColumn && c.kind == ConfigChangeKind::FieldChanged) {
                QFont f;
                f.setBold(true);
                return f;
            }
            return {};
        case compare_style::kStatusRole:
            return static_cast<int>(c.kind);
        default:
            return {};
    }
}

QVariant ConfigChangeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case KindColumn:
            return tr("Change");
        case PathColumn:
            return tr("JSON path");
        case LayerColumn:
            return tr("Layer");
        case OldColumn:
            return tr("A (old)");
        case NewColumn:
            return tr("B (new)");
        default:
            return {};
    }
}

}  // namespace ckpt::ui
