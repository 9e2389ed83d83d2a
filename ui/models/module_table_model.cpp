#include "ui/models/module_table_model.h"

#include <QGuiApplication>
#include <QPalette>

#include "ui/util/format.h"

namespace ckpt::ui {

ModuleTableModel::ModuleTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ModuleTableModel::setOverview(const core::CheckpointOverview& overview) {
    beginResetModel();
    m_overview = overview;
    endResetModel();
}

int ModuleTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_overview.modules.size());
}

int ModuleTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ModuleTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const core::ModuleSummary& m = m_overview.modules[static_cast<std::size_t>(index.row())];
    const int col = index.column();
    if (role == Qt::DisplayRole) {
        switch (col) {
            case NameColumn:
                return m.name.empty() ? tr("(top level)") : fmt::qs(m.name);
            case TensorsColumn:
                return fmt::count(m.tensors);
            case ParamsColumn:
                return fmt::count(m.params);
            case BytesColumn:
                return fmt::bytes(m.bytes);
            default:
                return {};
        }
    }
    if (role == SortRole) {
        switch (col) {
            case TensorsColumn:
                return static_cast<qulonglong>(m.tensors);
            case ParamsColumn:
                return static_cast<qulonglong>(m.params);
            case BytesColumn:
                return static_cast<qulonglong>(m.bytes);
            default:
                return index.row();  // the file's order
        }
    }
    if (role == Qt::TextAlignmentRole && col != NameColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::ForegroundRole && m.optimizerState) {
        return QGuiApplication::palette().color(QPalette::PlaceholderText);
    }
    if (role == Qt::ToolTipRole) {
        QString tip = QStringLiteral("<b>%1</b>").arg(fmt::qs(m.name).toHtmlEscaped());
        if (m.optimizerState) {
            tip += tr("<br>optimizer or training state, not model weights");
        }
        if (!m.firstTensor.empty()) {
            tip += tr("<br><i>Click to show %1</i>").arg(fmt::qs(m.firstTensor).toHtmlEscaped());
        }
        return tip;
    }
    if (role == FirstTensorPathRole) {
        return fmt::qs(m.firstTensor);
    }
    if (role == ShareRole && col == BytesColumn && m_overview.bytes > 0) {
        return static_cast<double>(m.bytes) / static_cast<double>(m_overview.bytes);
    }
    return {};
}

QVariant ModuleTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
            case NameColumn:
                return tr("Module");
            case TensorsColumn:
                return tr("Tensors");
            case ParamsColumn:
                return tr("Params");
            case BytesColumn:
                return tr("Bytes");
            default:
                return {};
        }
    }
    if (role == Qt::TextAlignmentRole && section != NameColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

}  // namespace ckpt::ui
