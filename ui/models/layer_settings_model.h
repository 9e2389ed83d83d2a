#pragma once
// The layers in model order with their key settings (units, activation, filters, kernel_size,
// strides, rate, ...), read from the architecture config.

#include <QAbstractTableModel>
#include <QString>
#include <memory>
#include <vector>

#include "core/model/json.h"

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

/// The Architecture tab's layer table; shares the checkpoint it shows.
class LayerSettingsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    /// Position from 1, layer name, class ("–" when unknown), summarize() of its config.
    enum Column { OrderColumn, NameColumn, ClassColumn, SettingsColumn, ColumnCount };
    enum Role {
        ConfigPointerRole = Qt::UserRole,  ///< QString: JSON pointer of the layer in config()
        SearchTextRole,                    ///< QString: name, class and settings, for filtering
    };

    explicit LayerSettingsModel(QObject* parent = nullptr);
    ~LayerSettingsModel() override;

    /// Shows `checkpoint`'s layers: Checkpoint::layers(), or the config's layer list when that is
    /// empty; null clears. Settings are summarised when a row is first shown.
    void setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint);

    /// "units=64, activation=relu" for a layer config ({class_name, config} or the inner
    /// config itself).
    [[nodiscard]] static QString summarize(const core::Json& layerConfig);

public:  // QAbstractItemModel API
    /// QAbstractTableModel: one row per layer, in model order.
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    struct Row {
        QString name;
        QString className;
        QString settings;
        QString pointer;
        const core::Json* config = nullptr;
    };

    [[nodiscard]] static QString valueText(const core::Json& v);
    [[nodiscard]] const QString& settings(int row) const;

    std::shared_ptr<const core::Checkpoint> m_checkpoint;
    mutable std::vector<Row> m_rows;
};

}  // namespace ckpt::ui
