#pragma once
// The Tensor tab's value table with what goes with it: for tensors of 3 or more dims, HDFView's
// slicing (a row dim, a column dim, a spin box for each other dim); a table that uses the width
// it has (few columns stretch, a vector wraps into as many columns as fit); and a context menu
// to copy the selected cells and to save the shown values as .npy or CSV.

#include <QWidget>
#include <memory>
#include <vector>

#include "ui/models/tensor_matrix_view.h"

class QAction;
class QComboBox;
class QLabel;
class QSpinBox;
class QTableView;
class QTimer;

namespace ckpt::core {
class Tensor;
}

namespace ckpt::ui {

class TensorValueModel;

/// Lays out the Tensor tab's table (reparented to the pane) with its controls; the model stays its
/// owner's.
class ValueTablePane : public QWidget {
    Q_OBJECT

public:
    /// What saveShown() writes: .npy or CSV.
    enum class SaveFormat { Npy, Csv };

    ValueTablePane(QTableView* table, TensorValueModel* model, QWidget* parent = nullptr);

    /// Shows `tensor` (null clears) with the default layout; `tensorPath` names saved files.
    void setTensor(std::shared_ptr<const core::Tensor> tensor,
                   std::shared_ptr<const void> keepAlive, const QString& tensorPath);

    /// Chooses the row and column dims (rowAxis < 0: the default layout) and the other dims'
    /// indices, as the controls do.
    void setSlice(int rowAxis, int colAxis, const std::vector<std::uint64_t>& index = {});
    /// The row and column dim choosers (the row box also offers the flattened default layout).
    [[nodiscard]] QComboBox* rowAxisBox() const { return m_rowAxis; }
    [[nodiscard]] QComboBox* colAxisBox() const { return m_colAxis; }
    /// The spin box that holds dim `axis`'s index, or null (a row/column dim, or no slicing).
    [[nodiscard]] QSpinBox* indexBox(int axis) const;
    /// True when the slicing controls are offered (3 or more dims).
    [[nodiscard]] bool slicingShown() const;

    /// The selected cells as tab-separated lines (read from the tensor, full precision).
    [[nodiscard]] QString selectionText() const;
    /// Puts selectionText() on the clipboard and says so in statusMessage(); a selection spanning
    /// more than 2^20 cells is refused with a message.
    void copySelection() const;
    /// Writes what the table shows to `path`; false with `error` set on failure.
    bool saveShown(const QString& path, SaveFormat format, QString* error) const;
    /// The context menu's actions: Copy, Save as .npy…, Save as CSV….
    [[nodiscard]] QList<QAction*> menuActions() const { return m_menuActions; }

signals:
    /// A note for the status bar: what was copied or saved, or why not.
    void statusMessage(const QString& message);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuildControls();
    void applyControls();
    void fitWidth();
    void showMenu(const QPoint& pos);
    void chooseAndSave(SaveFormat format);
    [[nodiscard]] QString suggestedName(SaveFormat format) const;

    QTableView* m_table;
    TensorValueModel* m_model;
    std::shared_ptr<const core::Tensor> m_tensor;
    QString m_tensorPath;
    QWidget* m_controls;
    QComboBox* m_rowAxis;
    QComboBox* m_colAxis;
    QWidget* m_indexRow;
    std::vector<QSpinBox*> m_indexBoxes;  ///< one per dim; null for row/column dims
    QTimer* m_fitTimer;
    QList<QAction*> m_menuActions;
    bool m_updating = false;
};

}  // namespace ckpt::ui
