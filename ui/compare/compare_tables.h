#pragma once
// The compare view's tables: per-tensor metrics (sortable, filterable through
// CompareFilterProxy) and the configuration changes.

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <memory>

namespace ckpt::ui {

struct CompareResult;

/// One row per tensor pair, in report order; sort keys under compare_style::kSortRole.
class CompareMetricsModel : public QAbstractTableModel {
    Q_OBJECT

public:
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
    void setResult(std::shared_ptr<const CompareResult> result);

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
    void setOnlyChanged(bool on);
    [[nodiscard]] bool onlyChanged() const { return m_onlyChanged; }

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow, const QModelIndex& parent) const override;
    [[nodiscard]] bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    bool m_onlyChanged = false;
};

/// The configuration changes: kind | JSON path | old | new | layer, tinted by kind.
class ConfigChangeModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { KindColumn, PathColumn, OldColumn, NewColumn, LayerColumn, ColumnCount };

    explicit ConfigChangeModel(QObject* parent = nullptr);
    void setResult(std::shared_ptr<const CompareResult> result);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    std::shared_ptr<const CompareResult> m_result;
};

}  // namespace ckpt::ui
