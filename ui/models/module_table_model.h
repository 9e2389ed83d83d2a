#pragma once
// The Overview's module table for every format: one row per top-level module (see
// core::summarizeCheckpoint) with its tensors, parameters and bytes.

#include <QAbstractTableModel>
#include <vector>

#include "core/analysis/overview.h"

namespace ckpt::ui {

/// Holds a copy of the overview it shows.
class ModuleTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    /// The module's name ("(top level)" for tensors at the root), its tensors, parameters and
    /// bytes.
    enum Column { NameColumn, TensorsColumn, ParamsColumn, BytesColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole,  ///< numbers for the count columns, the name otherwise
        FirstTensorPathRole,      ///< QString: the module's first tensor
        ShareRole,                ///< double: Bytes column only, the module's share of all bytes
    };

    explicit ModuleTableModel(QObject* parent = nullptr);

    /// Shows `overview`'s modules (copied); an empty overview clears the table. overview() is the
    /// copy, whose totals the Overview also shows.
    void setOverview(const core::CheckpointOverview& overview);
    [[nodiscard]] const core::CheckpointOverview& overview() const { return m_overview; }

public:  // QAbstractItemModel API
    /// QAbstractTableModel: one row per core::ModuleSummary, in the overview's order.
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    core::CheckpointOverview m_overview;
};

}  // namespace ckpt::ui
