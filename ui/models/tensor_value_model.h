#pragma once
// The values of one tensor as a table that pages lazily: only the tiles the view asks for are
// read (off the GUI thread), kept in a small cache, and shown as "…" until they arrive.

#include <QAbstractTableModel>
#include <QCache>
#include <QSet>
#include <QThreadPool>
#include <memory>
#include <vector>

#include "ui/models/tensor_matrix_view.h"

namespace ckpt::core {
class Tensor;
}

namespace ckpt::ui {

/// Tiles are read on a private one-thread pool; tiles of a tensor or layout no longer shown are
/// dropped when they arrive.
class TensorValueModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Role {
        ValueRole = Qt::UserRole,  ///< double, or invalid while loading / outside the tensor
        LoadedRole,                ///< bool: the cell's tile has been read
    };
    /// Rows and columns of a tile, the unit that is read and cached.
    static constexpr int kTileRows = 64;
    static constexpr int kTileCols = 64;
    /// Tiles kept in memory (each at most kTileRows * kTileCols doubles).
    static constexpr int kCacheTiles = 256;

    explicit TensorValueModel(QObject* parent = nullptr);
    ~TensorValueModel() override;

    /// Shows `tensor` (null clears). `keepAlive` owns what the tensor's source needs.
    void setTensor(std::shared_ptr<const core::Tensor> tensor,
                   std::shared_ptr<const void> keepAlive = {});
    /// Shows `slice` of the current tensor (a default slice: the default layout).
    void setSlice(const TensorMatrixView::Slice& slice);
    /// Columns a 1-D tensor is wrapped into (the width the table has room for).
    void setWrapWidth(int columns);
    [[nodiscard]] int wrapWidth() const { return m_wrapWidth; }
    /// Magnitude that maps to full colour in the cell tint; 0 turns the tint off.
    void setColorRange(double maxAbs);
    /// The 2-D layout in use, or null.
    [[nodiscard]] const TensorMatrixView* view() const { return m_view.get(); }
    /// Tile reads started and not yet delivered.
    [[nodiscard]] int pendingTiles() const { return static_cast<int>(m_pending.size()); }

signals:
    /// A tile arrived (mostly for tests and status displays).
    void tileLoaded();

public:  // QAbstractItemModel API
    /// QAbstractTableModel: at most 2^20 rows and 2^16 columns (the first ones of a larger matrix);
    /// a cell not yet read shows "…" and asks for its tile; headers are the view's row and column
    /// labels.
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    struct Tile {
        std::vector<double> values;
        int cols = 0;
        QString error;
    };
    struct TileResult {
        quint64 token = 0;
        quint64 key = 0;
        std::shared_ptr<Tile> tile;
    };

    [[nodiscard]] static quint64 tileKey(int row, int col);
    void requestTile(quint64 key) const;
    void onTileRead(const TileResult& result);
    [[nodiscard]] QString cellText(double v) const;
    void rebuildView(const TensorMatrixView::Slice& slice);

    std::shared_ptr<const core::Tensor> m_tensor;
    std::shared_ptr<const TensorMatrixView> m_view;
    int m_wrapWidth = 8;
    std::shared_ptr<const void> m_keepAlive;
    mutable QCache<quint64, std::shared_ptr<Tile>> m_cache;
    mutable QSet<quint64> m_pending;
    quint64 m_token = 0;
    double m_colorRange = 0.0;
    bool m_integral = false;
    bool m_bool = false;
    QThreadPool m_pool;
};

}  // namespace ckpt::ui
