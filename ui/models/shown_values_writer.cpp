#include "ui/models/shown_values_writer.h"

#include <QSaveFile>
#include <QtEndian>
#include <cmath>
#include <functional>
#include <vector>

#include "core/model/tensor.h"
#include "ui/models/tensor_matrix_view.h"

namespace ckpt::ui {

namespace {

enum class Kind { Float, Int, Bool };

Kind kindOf(const TensorMatrixView& view) {
    const auto dt = view.tensor().dtype();
    if (dt == core::DType::Bool) {
        return Kind::Bool;
    }
    return core::dtypeIsFloat(dt) || core::dtypeIsComplex(dt) ? Kind::Float : Kind::Int;
}

/// Calls `sink` with every shown value in row-major order, a chunk of rows at a time.
bool forEachChunk(
    const TensorMatrixView& view,
    const std::function<bool(const double*, std::uint64_t n, std::uint64_t cols)>& sink,
    QString* error) {
    const std::uint64_t cols = std::max<std::uint64_t>(1, view.cols());
    const std::uint64_t rowsPerChunk =
        std::max<std::uint64_t>(1, ShownValuesWriter::kChunkElements / cols);
    std::vector<double> buf;
    try {
        for (std::uint64_t r0 = 0; r0 < view.rows(); r0 += rowsPerChunk) {
            const std::uint64_t nr = std::min(rowsPerChunk, view.rows() - r0);
            buf.resize(static_cast<std::size_t>(nr * view.cols()));
            view.readTile(r0, nr, 0, view.cols(), buf.data());
            std::uint64_t n = nr * view.cols();
            if (view.wrapped()) {
                // The last wrapped row may run past the end of the vector.
                const std::uint64_t end = std::min(view.tensor().numel(), (r0 + nr) * view.cols());
                n = end - r0 * view.cols();
            }
            if (!sink(buf.data(), n, view.cols())) {
                return false;
            }
        }
    } catch (const std::exception& e) {
        *error = QString::fromUtf8(e.what());
        return false;
    }
    return true;
}

bool finish(QSaveFile& file, QString* error) {
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

}  // namespace

QString ShownValuesWriter::valueText(const TensorMatrixView& view, double v) {
    switch (kindOf(view)) {
        case Kind::Bool:
            return v != 0.0 ? QStringLiteral("True") : QStringLiteral("False");
        case Kind::Int:
            if (std::isfinite(v)) {
                return QString::number(static_cast<qint64>(v));
            }
            break;
        case Kind::Float:
            break;
    }
    if (std::isnan(v)) {
        return QStringLiteral("nan");
    }
    if (std::isinf(v)) {
        return v > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    }
    // Shortest text that reads back as the same value of the tensor's own precision.
    const auto dt = view.tensor().dtype();
    const int digits = dt == core::DType::Float64 ? 17 : 9;
    return QString::number(v, 'g', digits);
}

bool ShownValuesWriter::writeNpy(const TensorMatrixView& view, const QString& path,
                                 QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    const Kind kind = kindOf(view);
    const char* descr = kind == Kind::Float ? "<f8" : kind == Kind::Int ? "<i8" : "|b1";
    QStringList dims;
    for (const auto d : view.shownShape()) {
        dims << QString::number(d);
    }
    const QString shape = dims.size() == 1 ? dims.front() + QLatin1Char(',') : dims.join(", ");
    QByteArray header = QStringLiteral("{'descr': '%1', 'fortran_order': False, 'shape': (%2), }")
                            .arg(QLatin1String(descr), shape)
                            .toLatin1();
    // Magic (6) + version (2) + length (2) + header, padded with spaces and a newline to 64.
    const qsizetype unpadded = 10 + header.size() + 1;
    header.append(QByteArray((64 - unpadded % 64) % 64, ' '));
    header.append('\n');
    QByteArray preamble("\x93NUMPY\x01\x00", 8);
    const quint16 len = qToLittleEndian(static_cast<quint16>(header.size()));
    preamble.append(reinterpret_cast<const char*>(&len), 2);
    file.write(preamble + header);
    const bool ok = forEachChunk(
        view,
        [&](const double* v, std::uint64_t n, std::uint64_t) {
            QByteArray out;
            out.reserve(static_cast<qsizetype>(n * 8));
            for (std::uint64_t i = 0; i < n; ++i) {
                if (kind == Kind::Float) {
                    const double le = qToLittleEndian(v[i]);
                    out.append(reinterpret_cast<const char*>(&le), 8);
                } else if (kind == Kind::Int) {
                    const qint64 le = qToLittleEndian(static_cast<qint64>(v[i]));
                    out.append(reinterpret_cast<const char*>(&le), 8);
                } else {
                    out.append(v[i] != 0.0 ? '\x01' : '\x00');
                }
            }
            return file.write(out) == out.size();
        },
        error);
    if (!ok) {
        if (error->isEmpty()) {
            *error = file.errorString();
        }
        file.cancelWriting();
        return false;
    }
    return finish(file, error);
}

bool ShownValuesWriter::writeCsv(const TensorMatrixView& view, const QString& path,
                                 QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        *error = file.errorString();
        return false;
    }
    const bool vector = view.wrapped() || view.shownShape().empty();
    const bool ok = forEachChunk(
        view,
        [&](const double* v, std::uint64_t n, std::uint64_t cols) {
            QByteArray out;
            for (std::uint64_t i = 0; i < n; ++i) {
                out += valueText(view, v[i]).toLatin1();
                const bool endOfRow = vector || (i + 1) % cols == 0;
                out += endOfRow ? '\n' : ',';
            }
            return file.write(out) == out.size();
        },
        error);
    if (!ok) {
        if (error->isEmpty()) {
            *error = file.errorString();
        }
        file.cancelWriting();
        return false;
    }
    return finish(file, error);
}

}  // namespace ckpt::ui
