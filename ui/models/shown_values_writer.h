#pragma once
// Saves what the value table shows (the 2-D slice or matrix, a whole 1-D tensor, a scalar) as
// a .npy file numpy can load, or as CSV. Values are read in bounded row chunks; the file is
// written through QSaveFile, so a failure leaves no half-written file.

#include <QString>
#include <cstdint>

namespace ckpt::ui {

class TensorMatrixView;

/// Writes the values a TensorMatrixView shows to a file; static functions only.
class ShownValuesWriter {
public:
    /// Elements read per chunk.
    static constexpr std::uint64_t kChunkElements = 1u << 18;

    /// .npy v1.0: float tensors as '<f8', integer ones as '<i8', bool as '|b1', in the shape of
    /// TensorMatrixView::shownShape(). False with `error` set when it cannot be written.
    static bool writeNpy(const TensorMatrixView& view, const QString& path, QString* error);
    /// CSV: one line per row of the matrix (a 1-D tensor: one value per line), numbers in
    /// shortest round-trip form for the tensor's dtype.
    static bool writeCsv(const TensorMatrixView& view, const QString& path, QString* error);
    /// The text of one value as copy and CSV write it.
    [[nodiscard]] static QString valueText(const TensorMatrixView& view, double v);
};

}  // namespace ckpt::ui
