#pragma once
// The compare view's tables: per-tensor metrics (sortable, filterable through
// CompareFilterProxy) and the configuration changes.

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <memory>
#include <optional>
#include <set>

namespace ckpt::ui {

struct CompareResult;

/// One row per tensor pair, in report order; sort keys under compare_style::kSortRole.
class CompareMetricsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    /// The pair's name (compare_style::tensorName), status and pairing, then core::TensorMetrics:
    /// elements, max, mean and RMS of |B − A|, relative L2, cosine, mismatched elements ("—" when
    /// the pair has no values).
    enum Column {
        KeyColumn,
        StatusColumn,
        PairedByColumn,
        NumelColumn,
        MaxAbsColumn,
        MeanAbsColumn,
        RmsColumn,
        RelL2Column,
        CosineColumn,
        MismatchedColumn,
        ColumnCount
    };

    explicit CompareMetricsModel(QObject* parent = nullptr);
    /// Shows `result`'s tensor pairs (null: no rows); the model shares the result.
    void setResult(std::shared_ptr<const CompareResult> result);

    /// QAbstractTableModel: row i is report row i (also under kReportRowRole); metrics to three
    /// significant digits. kSortRole holds the sort keys (numbers for the metrics); a pair without
    /// values sorts as +inf when it is not equal, as −inf when it is.
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    std::shared_ptr<const CompareResult> m_result;
};

/// Sorts by kSortRole and keeps rows whose key contains the filter text (case-insensitive),
/// optionally only those that are not equal.
class CompareFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT

public:
    explicit CompareFilterProxy(QObject* parent = nullptr);
    /// Hides the pairs whose status is Equal while `on`; onlyChanged() tells the setting.
    void setOnlyChanged(bool on);
    [[nodiscard]] bool onlyChanged() const { return m_onlyChanged; }
    /// Shows only the pairs of these report rows (a node chosen in the graph diff); an empty
    /// optional shows every row again.
    void setReportRows(std::optional<std::set<int>> rows);
    [[nodiscard]] bool restrictedToRows() const { return m_rows.has_value(); }

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow, const QModelIndex& parent) const override;
    [[nodiscard]] bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    bool m_onlyChanged = false;
    std::optional<std::set<int>> m_rows;
};

/// The configuration changes: kind | JSON path | old | new | layer, tinted by kind.
class ConfigChangeModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { KindColumn, PathColumn, OldColumn, NewColumn, LayerColumn, ColumnCount };

    explicit ConfigChangeModel(QObject* parent = nullptr);
    /// Shows `result`'s configuration changes (null: no rows); the model shares the result.
    void setResult(std::shared_ptr<const CompareResult> result);

    /// QAbstractTableModel: one row per core::ConfigChange, in report order. Old and new values are
    /// compact JSON cut to 28 characters (the whole value is the tooltip); the layer column adds
    /// the layer's class; kStatusRole holds the ConfigChangeKind.
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    std::shared_ptr<const CompareResult> m_result;
};

}  // namespace ckpt::ui
