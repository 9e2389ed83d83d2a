#pragma once
// The model.summary() table: one row per layer with its class and parameter counts.

#include <QAbstractTableModel>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ckpt::core {
class Checkpoint;
class Node;
struct Layer;
}  // namespace ckpt::core

namespace ckpt::ui {

/// The Overview's layer table; shares the checkpoint it shows.
class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    /// Position from 1, name, class ("–" when unknown), parameters (all, trainable, non-trainable),
    /// and the weights as short names with shapes.
    enum Column {
        OrderColumn,
        NameColumn,
        ClassColumn,
        ParamsColumn,
        TrainableColumn,
        NonTrainableColumn,
        WeightsColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole,  ///< numbers for the count columns, text otherwise
        FirstWeightPathRole,      ///< QString: path of the layer's first weight, or empty
        LayerRowRole,             ///< int: the layer's index in Checkpoint::layers()
        ShareRole,                ///< double: Params column only, the layer's share of all
    };

    explicit LayerTableModel(QObject* parent = nullptr);
    ~LayerTableModel() override;

    /// Shows the layers of `checkpoint` (null clears the table).
    void setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint);

public:  // QAbstractItemModel API
    /// QAbstractTableModel: one row per Checkpoint::layers() entry, in model order; a row's weights
    /// text is built when it is first shown.
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    [[nodiscard]] const core::Layer& layer(int row) const;
    [[nodiscard]] QString weightsText(int row) const;

    std::shared_ptr<const core::Checkpoint> m_checkpoint;
    mutable std::vector<QString> m_weightsText;  ///< filled on first display of a row
    /// Tensor path -> node, built on first need: Node::find scans siblings, which adds up
    /// over thousands of layers.
    mutable std::unordered_map<std::string, const core::Node*> m_tensorsByPath;
};

}  // namespace ckpt::ui
