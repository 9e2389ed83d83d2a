#pragma once
// The Architecture tab: the layers in order with their key settings, and the model and
// training configs as a searchable JSON tree. Choosing a layer reveals its config entry.

#include <QWidget>
#include <memory>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class QTreeView;

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

class JsonTreeModel;
class LayerSettingsModel;

/// The Architecture tab; shares the checkpoint it shows.
class ArchitecturePanel : public QWidget {
    Q_OBJECT

public:
    explicit ArchitecturePanel(QWidget* parent = nullptr);

    /// Shows `checkpoint`'s layers and its model and training configs (null: a hint to open a
    /// file); a search in the box is applied again.
    void setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint);

    /// The panel's widgets and models, for tests and wiring.
    [[nodiscard]] QLineEdit* searchEdit() const { return m_search; }
    [[nodiscard]] QTreeView* jsonView() const { return m_json; }
    [[nodiscard]] QTableView* layerView() const { return m_layers; }
    [[nodiscard]] JsonTreeModel* jsonModel() const { return m_jsonModel; }
    [[nodiscard]] LayerSettingsModel* layerModel() const { return m_layerModel; }
    /// Applies the search text now instead of after the typing pause.
    void applySearch();
    /// Selects the layer of entry `configIndex` of the model config's layer list (the row whose
    /// config pointer names it; row `configIndex` when none does) and reveals its config entry,
    /// clearing the search.
    void revealLayer(int configIndex);
    /// Selects the layer row named `name` (a top-level or nested layer), clearing the search;
    /// false when no row has that name.
    bool selectLayerNamed(const QString& name);

signals:
    /// The current row of the layer table became the layer named `name` (by the user or by a
    /// call).
    void layerSelected(const QString& name);

private:
    void revealLayerConfig(const QModelIndex& layerIndex);

    QLineEdit* m_search;
    QLabel* m_empty;
    QTableView* m_layers;
    LayerSettingsModel* m_layerModel;
    QSortFilterProxyModel* m_layerProxy;
    QTreeView* m_json;
    JsonTreeModel* m_jsonModel;
    QSortFilterProxyModel* m_jsonProxy;
    QTimer* m_searchTimer;
};

}  // namespace ckpt::ui
