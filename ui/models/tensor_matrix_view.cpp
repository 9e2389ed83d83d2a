#include "ui/models/tensor_matrix_view.h"

#include <QObject>
#include <QStringList>
#include <limits>

#include "core/model/tensor.h"

namespace ckpt::ui {

TensorMatrixView::TensorMatrixView(std::shared_ptr<const core::Tensor> tensor, int wrapWidth,
                                   Slice slice)
    : m_tensor(std::move(tensor)) {
    m_shape = m_tensor->shape();
    m_numel = m_tensor->numel();
    m_fortran = m_tensor->fortranOrder() && m_shape.size() > 1;
    const int dims = static_cast<int>(m_shape.size());
    const bool sliced = dims >= 2 && slice.rowAxis >= 0 && slice.colAxis >= 0 &&
                        slice.rowAxis < dims && slice.colAxis < dims &&
                        slice.rowAxis != slice.colAxis;
    if (sliced) {
        m_slice = std::move(slice);
        m_slice.index.resize(m_shape.size(), 0);
        m_cStride.assign(m_shape.size(), 1);
        for (std::size_t k = m_shape.size() - 1; k-- > 0;) {
            m_cStride[k] = m_cStride[k + 1] * m_shape[k + 1];
        }
        for (std::size_t k = 0; k < m_shape.size(); ++k) {
            const bool free =
                static_cast<int>(k) == m_slice.rowAxis || static_cast<int>(k) == m_slice.colAxis;
            auto& i = m_slice.index[k];
            i = free || m_shape[k] == 0 ? 0 : std::min(i, m_shape[k] - 1);
            m_sliceBase += i * m_cStride[k];
        }
        const auto r = static_cast<std::size_t>(m_slice.rowAxis);
        const auto c = static_cast<std::size_t>(m_slice.colAxis);
        const bool empty = m_numel == 0;
        m_rows = empty ? 0 : m_shape[r];
        m_cols = empty ? 0 : m_shape[c];
        return;
    }
    if (m_shape.empty()) {
        m_rows = m_cols = 1;
    } else if (m_shape.size() == 1) {
        m_wrapped = true;
        m_cols = std::min<std::uint64_t>(m_numel, static_cast<std::uint64_t>(wrapWidth));
        m_rows = m_cols == 0 ? 0 : (m_numel + m_cols - 1) / m_cols;
    } else {
        m_cols = m_shape.back();
        m_rows = m_cols == 0 ? 0 : m_numel / m_cols;
    }
}

bool TensorMatrixView::contains(std::uint64_t row, std::uint64_t col) const {
    if (!m_slice.isDefault()) {
        return row < m_rows && col < m_cols;
    }
    return row < m_rows && col < m_cols && row * m_cols + col < m_numel;
}

QString TensorMatrixView::rowLabel(std::uint64_t row) const {
    if (!m_slice.isDefault()) {
        return QString::number(row);
    }
    if (m_wrapped) {
        return QString::number(row * m_cols);
    }
    if (m_shape.size() <= 2) {
        return QString::number(row);
    }
    // Row r enumerates the leading dims in C order.
    QStringList parts;
    std::uint64_t rest = row;
    std::vector<std::uint64_t> idx(m_shape.size() - 1);
    for (std::size_t k = idx.size(); k-- > 0;) {
        const auto d = std::max<std::uint64_t>(1, m_shape[k]);
        idx[k] = rest % d;
        rest /= d;
    }
    for (const auto i : idx) {
        parts << QString::number(i);
    }
    return QLatin1Char('[') + parts.join(QStringLiteral(",")) + QLatin1Char(']');
}

QString TensorMatrixView::colLabel(std::uint64_t col) const {
    return QString::number(col);
}

QString TensorMatrixView::sliceText() const {
    if (m_slice.isDefault()) {
        return {};
    }
    QStringList parts;
    for (std::size_t k = 0; k < m_shape.size(); ++k) {
        const bool free =
            static_cast<int>(k) == m_slice.rowAxis || static_cast<int>(k) == m_slice.colAxis;
        parts << (free ? QStringLiteral(":") : QString::number(m_slice.index[k]));
    }
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']') +
           (m_slice.rowAxis > m_slice.colAxis ? QStringLiteral(".T") : QString());
}

std::vector<std::uint64_t> TensorMatrixView::shownShape() const {
    if (m_shape.empty()) {
        return {};
    }
    if (m_wrapped) {
        return {m_numel};
    }
    return {m_rows, m_cols};
}

std::uint64_t TensorMatrixView::logicalIndex(std::uint64_t row, std::uint64_t col) const {
    if (m_slice.isDefault()) {
        return row * m_cols + col;
    }
    return m_sliceBase + row * m_cStride[static_cast<std::size_t>(m_slice.rowAxis)] +
           col * m_cStride[static_cast<std::size_t>(m_slice.colAxis)];
}

QString TensorMatrixView::layoutDescription() const {
    if (!m_slice.isDefault()) {
        return QObject::tr("rows = dim %1 (%2), columns = dim %3 (%4), slice %5")
            .arg(m_slice.rowAxis)
            .arg(m_rows)
            .arg(m_slice.colAxis)
            .arg(m_cols)
            .arg(sliceText());
    }
    if (m_shape.size() <= 1) {
        return m_wrapped ? QObject::tr("a vector of %1, %2 per row").arg(m_numel).arg(m_cols)
                         : QString();
    }
    if (m_shape.size() == 2) {
        return QObject::tr("%1 rows × %2 columns").arg(m_rows).arg(m_cols);
    }
    QStringList lead;
    for (std::size_t k = 0; k + 1 < m_shape.size(); ++k) {
        lead << QString::number(m_shape[k]);
    }
    return QObject::tr("rows = dims 0..%1 (%2 = %3), columns = last dim (%4)")
        .arg(m_shape.size() - 2)
        .arg(lead.join(QStringLiteral(" × ")))
        .arg(m_rows)
        .arg(m_cols);
}

std::uint64_t TensorMatrixView::storageIndex(std::uint64_t logical) const {
    if (!m_fortran) {
        return logical;
    }
    // Logical order is C order over the shape; storage is column-major.
    std::uint64_t index = 0;
    std::uint64_t stride = 1;
    std::vector<std::uint64_t> idx(m_shape.size());
    for (std::size_t k = m_shape.size(); k-- > 0;) {
        idx[k] = logical % m_shape[k];
        logical /= m_shape[k];
    }
    for (std::size_t k = 0; k < m_shape.size(); ++k) {
        index += idx[k] * stride;
        stride *= m_shape[k];
    }
    return index;
}

void TensorMatrixView::readTile(std::uint64_t r0, std::uint64_t nr, std::uint64_t c0,
                                std::uint64_t nc, double* out) const {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::size_t total = static_cast<std::size_t>(nr * nc);
    std::fill(out, out + total, nan);
    // Storage index of every cell (or max for cells outside), then read consecutive runs.
    constexpr auto kNone = std::numeric_limits<std::uint64_t>::max();
    std::vector<std::uint64_t> idx(total, kNone);
    for (std::uint64_t i = 0; i < nr; ++i) {
        for (std::uint64_t j = 0; j < nc; ++j) {
            const std::uint64_t r = r0 + i;
            const std::uint64_t c = c0 + j;
            if (contains(r, c)) {
                idx[static_cast<std::size_t>(i * nc + j)] = storageIndex(logicalIndex(r, c));
            }
        }
    }
    std::size_t k = 0;
    while (k < total) {
        if (idx[k] == kNone) {
            ++k;
            continue;
        }
        std::size_t end = k + 1;
        while (end < total && idx[end] == idx[end - 1] + 1) {
            ++end;
        }
        m_tensor->readAsDouble(idx[k], end - k, out + k);
        k = end;
    }
}

}  // namespace ckpt::ui
