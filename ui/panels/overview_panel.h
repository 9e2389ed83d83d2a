#pragma once
// The Overview tab: what the file is (format, path, size), its metadata, reader warnings, and
// the layer table (model.summary()) with totals. Clicking a layer asks to show its first weight.
// A badge beside the title sums up the validator's findings; clicking it asks for the Findings
// tab.

#include <QWidget>
#include <memory>

#include "ui/widgets/findings_badge.h"

class QFormLayout;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

class BreakdownBar;
class ElidingLabel;
class LayerTableModel;
class ModuleTableModel;

/// The Overview tab; shares the checkpoint it shows.
class OverviewPanel : public QWidget {
    Q_OBJECT

public:
    explicit OverviewPanel(QWidget* parent = nullptr);

    /// Shows `checkpoint` opened from `displayPath` (null shows the welcome text).
    void setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint,
                       const QString& displayPath);

    /// The layer table (shown when the checkpoint has a layer list) and its model.
    [[nodiscard]] QTableView* layerTable() const { return m_layers; }
    [[nodiscard]] LayerTableModel* layerModel() const { return m_layerModel; }
    /// Tensors, parameters and bytes per top-level module (shown when there is no layer list).
    [[nodiscard]] QTableView* moduleTable() const { return m_modules; }
    /// The module table's model; it also holds the overview the totals come from.
    [[nodiscard]] ModuleTableModel* moduleModel() const { return m_moduleModel; }
    /// The "Where the bytes are" bar: tensor bytes per top-level module (shown with two or more).
    [[nodiscard]] BreakdownBar* storageBar() const { return m_storage; }
    /// The text of a "File" field ("Format", "Path", "Size", "Parameters", "Tensors"), of a
    /// metadata key or of a top-level value ("value_epoch"), for tests.
    [[nodiscard]] QString fieldText(const QString& name) const;
    /// The totals line under the table (rich text): parameters, trainable, non-trainable and
    /// layers, or for modules parameters, optimizer state, tensors and bytes; empty with neither.
    [[nodiscard]] QString totalsText() const;
    /// The reader's warnings box (rich text), or empty when there are none.
    [[nodiscard]] QString warningsText() const;
    /// The findings badge beside the title.
    [[nodiscard]] FindingsBadge* findingsBadge() const { return m_badge; }

    /// Shows where the check of the current file stands on the badge.
    void setFindingsStatus(const ckpt::ui::FindingsStatus& status);

signals:
    /// The user clicked a layer with weights: show `tensorPath`.
    void layerActivated(const QString& tensorPath);
    /// The user clicked the findings badge.
    void findingsRequested();

private:
    void fillFileFacts(const core::Checkpoint& c, const QString& displayPath);
    void fillMetadata(const core::Checkpoint& c);
    void fillModules(const core::Checkpoint& c);
    static void setupTable(QTableView* table);
    static void fitTable(QTableView* table, int rows, int lastSizedColumn);
    static void clearForm(QFormLayout* form);
    QLabel* addField(QFormLayout* form, const QString& name, const QString& value);

    ElidingLabel* m_title;
    FindingsBadge* m_badge;
    QLabel* m_subtitle;
    QWidget* m_details;
    QFormLayout* m_fileForm;
    QFormLayout* m_metaForm;
    QLabel* m_metaEmpty;
    QLabel* m_warnings;
    QLabel* m_layersTitle = nullptr;
    QTableView* m_layers;
    LayerTableModel* m_layerModel;
    QSortFilterProxyModel* m_layerProxy;
    QLabel* m_totals;
    QLabel* m_noLayers;
    QTableView* m_modules;
    ModuleTableModel* m_moduleModel;
    QSortFilterProxyModel* m_moduleProxy;
    QWidget* m_valuesBox;
    QFormLayout* m_valuesForm;
    QLabel* m_storageTitle;
    BreakdownBar* m_storage;
};

}  // namespace ckpt::ui
