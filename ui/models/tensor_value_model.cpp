#include "ui/models/tensor_value_model.h"

#include <QFontDatabase>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QPalette>
#include <QtConcurrent>
#include <cmath>

#include "core/model/tensor.h"
#include "ui/models/tensor_matrix_view.h"
#include "ui/util/format.h"
#include "ui/widgets/color_scale.h"

namespace ckpt::ui {
namespace {
// QHeaderView sums section sizes in an int: at ~30 px per row, 2^31 / 30 rows overflow it and
// crash the view. Larger tensors show their first rows and columns.
constexpr std::uint64_t kMaxDisplayRows = std::uint64_t{1} << 20;
constexpr std::uint64_t kMaxDisplayCols = std::uint64_t{1} << 16;
}  // namespace

TensorValueModel::TensorValueModel(QObject* parent) : QAbstractTableModel(parent) {
    m_cache.setMaxCost(kCacheTiles);
    m_pool.setMaxThreadCount(1);
}

TensorValueModel::~TensorValueModel() {
    m_pool.waitForDone();
}

void TensorValueModel::setTensor(std::shared_ptr<const core::Tensor> tensor,
                                 std::shared_ptr<const void> keepAlive) {
    m_colorRange = 0.0;
    m_keepAlive = std::move(keepAlive);
    m_tensor = tensor && tensor->readable() ? std::move(tensor) : nullptr;
    if (m_tensor) {
        m_integral = !core::dtypeIsFloat(m_tensor->dtype()) &&
                     !core::dtypeIsComplex(m_tensor->dtype()) &&
                     m_tensor->dtype() != core::DType::Bool;
        m_bool = m_tensor->dtype() == core::DType::Bool;
    }
    rebuildView({});
}

void TensorValueModel::rebuildView(const TensorMatrixView::Slice& slice) {
    beginResetModel();
    ++m_token;
    m_cache.clear();
    m_pending.clear();
    m_view.reset();
    if (m_tensor) {
        m_view = std::make_shared<TensorMatrixView>(m_tensor, m_wrapWidth, slice);
    }
    endResetModel();
}

void TensorValueModel::setSlice(const TensorMatrixView::Slice& slice) {
    if (m_view && m_view->slice() == slice) {
        return;
    }
    rebuildView(slice);
}

void TensorValueModel::setWrapWidth(int columns) {
    columns = std::clamp(columns, 1, 256);
    if (columns == m_wrapWidth) {
        return;
    }
    m_wrapWidth = columns;
    if (m_view && m_view->wrapped()) {
        rebuildView({});
    }
}

void TensorValueModel::setColorRange(double maxAbs) {
    m_colorRange = std::isfinite(maxAbs) ? maxAbs : 0.0;
    if (rowCount() > 0 && columnCount() > 0) {
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1),
                         {Qt::BackgroundRole});
    }
}

int TensorValueModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() || !m_view) {
        return 0;
    }
    return static_cast<int>(std::min<std::uint64_t>(m_view->rows(), kMaxDisplayRows));
}

int TensorValueModel::columnCount(const QModelIndex& parent) const {
    if (parent.isValid() || !m_view) {
        return 0;
    }
    return static_cast<int>(std::min<std::uint64_t>(m_view->cols(), kMaxDisplayCols));
}

quint64 TensorValueModel::tileKey(int row, int col) {
    return (static_cast<quint64>(row / kTileRows) << 32) | static_cast<quint64>(col / kTileCols);
}

void TensorValueModel::requestTile(quint64 key) const {
    if (m_pending.contains(key)) {
        return;
    }
    m_pending.insert(key);
    auto* self = const_cast<TensorValueModel*>(this);
    const auto view = m_view;
    const quint64 token = m_token;
    const quint64 tileRow = key >> 32;
    const quint64 tileCol = key & 0xffffffffu;
    auto* watcher = new QFutureWatcher<TileResult>(self);
    connect(watcher, &QFutureWatcher<TileResult>::finished, self, [self, watcher] {
        watcher->deleteLater();
        if (watcher->future().resultCount() > 0) {
            self->onTileRead(watcher->result());
        }
    });
    watcher->setFuture(QtConcurrent::run(&self->m_pool, [view, token, key, tileRow, tileCol] {
        TileResult result{token, key, std::make_shared<Tile>()};
        const std::uint64_t r0 = tileRow * kTileRows;
        const std::uint64_t c0 = tileCol * kTileCols;
        const std::uint64_t nr = std::min<std::uint64_t>(kTileRows, view->rows() - r0);
        const std::uint64_t nc = std::min<std::uint64_t>(kTileCols, view->cols() - c0);
        result.tile->cols = static_cast<int>(nc);
        try {
            result.tile->values.resize(static_cast<std::size_t>(nr * nc));
            view->readTile(r0, nr, c0, nc, result.tile->values.data());
        } catch (const std::exception& e) {
            result.tile->values.clear();
            result.tile->error = QString::fromUtf8(e.what());
        }
        return result;
    }));
}

void TensorValueModel::onTileRead(const TileResult& result) {
    if (result.token != m_token) {
        return;  // a tile of a tensor no longer shown
    }
    m_pending.remove(result.key);
    m_cache.insert(result.key, new std::shared_ptr<Tile>(result.tile));
    const int r0 = static_cast<int>(result.key >> 32) * kTileRows;
    const int c0 = static_cast<int>(result.key & 0xffffffffu) * kTileCols;
    const int r1 = std::min(rowCount(), r0 + kTileRows) - 1;
    const int c1 = std::min(columnCount(), c0 + kTileCols) - 1;
    if (r1 >= r0 && c1 >= c0) {
        emit dataChanged(index(r0, c0), index(r1, c1));
    }
    emit tileLoaded();
}

QString TensorValueModel::cellText(double v) const {
    if (m_bool) {
        return v != 0.0 ? QStringLiteral("True") : QStringLiteral("False");
    }
    if (m_integral && std::isfinite(v)) {
        return QString::number(static_cast<qint64>(v));
    }
    return fmt::number(v, 6);
}

QVariant TensorValueModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_view) {
        return {};
    }
    const auto row = static_cast<std::uint64_t>(index.row());
    const auto col = static_cast<std::uint64_t>(index.column());
    if (!m_view->contains(row, col)) {
        return role == LoadedRole ? QVariant(true) : QVariant();
    }
    if (role == Qt::TextAlignmentRole) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::FontRole) {
        return QFontDatabase::systemFont(QFontDatabase::FixedFont);
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::BackgroundRole &&
        role != Qt::ForegroundRole && role != ValueRole && role != LoadedRole) {
        return {};
    }
    const quint64 key = tileKey(index.row(), index.column());
    const std::shared_ptr<Tile>* tile = m_cache.object(key);
    if (tile == nullptr) {
        if (role == Qt::DisplayRole) {
            requestTile(key);
            return QStringLiteral("…");
        }
        if (role == Qt::ForegroundRole) {
            return QGuiApplication::palette().color(QPalette::PlaceholderText);
        }
        return role == LoadedRole ? QVariant(false) : QVariant();
    }
    const Tile& t = **tile;
    if (!t.error.isEmpty()) {
        switch (role) {
            case Qt::DisplayRole:
                return tr("error");
            case Qt::ToolTipRole:
                return t.error;
            case LoadedRole:
                return true;
            default:
                return {};
        }
    }
    const auto i =
        static_cast<std::size_t>((index.row() % kTileRows) * t.cols + index.column() % kTileCols);
    const double v = t.values[i];
    switch (role) {
        case Qt::DisplayRole:
            return cellText(v);
        case Qt::ToolTipRole:
            return QStringLiteral("[%1, %2] = %3")
                .arg(m_view->rowLabel(row), m_view->colLabel(col), QString::number(v, 'g', 17));
        case Qt::BackgroundRole: {
            if (m_colorRange <= 0.0) {
                return {};
            }
            QColor c = ColorScale::diverging(std::isfinite(v) ? v / m_colorRange : NAN);
            c.setAlpha(std::isfinite(v)
                           ? static_cast<int>(110 * std::min(1.0, std::fabs(v) / m_colorRange))
                           : 120);
            return c;
        }
        case ValueRole:
            return v;
        case LoadedRole:
            return true;
        default:
            return {};
    }
}

QVariant TensorValueModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole || !m_view || section < 0) {
        return {};
    }
    const auto s = static_cast<std::uint64_t>(section);
    return orientation == Qt::Horizontal ? m_view->colLabel(s) : m_view->rowLabel(s);
}

}  // namespace ckpt::ui
