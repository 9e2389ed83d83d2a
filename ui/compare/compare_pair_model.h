#pragma once
// The two checkpoints' tensors side by side, aligned by the diff's pairing: one row per pair
// (A path | status | B path), grouped under their layer, tinted by status (added green, removed
// red, changed amber, shape and dtype changes in their own colours, equal plain).

#include <QAbstractItemModel>
#include <memory>
#include <vector>

namespace ckpt::ui {

struct CompareResult;

/// A CompareResult as a two-level tree: one row per layer (TensorDiff::layer, in order of first
/// appearance; "(other tensors)" for pairs without one), its pairs below. Pair rows carry
/// compare_style::kStatusRole and kReportRowRole; group rows a summary status and report row -1.
class ComparePairModel : public QAbstractItemModel {
    Q_OBJECT

public:
    /// A's path ("—" when only B has the tensor), the status ("old → new" for a shape or dtype
    /// change), B's path. A group row shows its layer under each side that has it.
    enum Column { AColumn, StatusColumn, BColumn, ColumnCount };

    explicit ComparePairModel(QObject* parent = nullptr);

    /// Shows `result`'s pairs (null: nothing); the model shares the result.
    void setResult(std::shared_ptr<const CompareResult> result);
    /// Shows nothing, as setResult(nullptr).
    void clear();

    /// The index of the pair at report row `reportRow` (column `column`), or invalid.
    [[nodiscard]] QModelIndex indexForReportRow(int reportRow, int column = AColumn) const;

    /// QAbstractItemModel: groups at the top level, pairs below them. The headers name the files
    /// ("A: <file name>", "Status", "B: <file name>") once a result is set.
    [[nodiscard]] QModelIndex index(int row, int column,
                                    const QModelIndex& parent = {}) const override;
    [[nodiscard]] QModelIndex parent(const QModelIndex& child) const override;
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    struct Group {
        QString layer;
        std::vector<int> rows;  ///< report rows
        int status = 0;         ///< TensorDiffStatus summarising the rows
        bool inA = false;
        bool inB = false;
    };

    [[nodiscard]] QVariant pairData(int reportRow, int column, int role) const;
    [[nodiscard]] QVariant groupData(const Group& g, int column, int role) const;

    std::shared_ptr<const CompareResult> m_result;
    std::vector<Group> m_groups;
    std::vector<std::pair<int, int>> m_location;  ///< report row -> (group, row in group)
};

}  // namespace ckpt::ui
