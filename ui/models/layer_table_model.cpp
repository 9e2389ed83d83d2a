#include "ui/models/layer_table_model.h"

#include "core/model/checkpoint.h"
#include "ui/util/format.h"

namespace ckpt::ui {

namespace {

// "dense/kernel:0" -> "kernel"; "layers/dense/vars/0" -> "0".
QString shortWeightName(const std::string& path) {
    QString name = fmt::qs(path).section(QLatin1Char('/'), -1);
    const auto colon = name.lastIndexOf(QLatin1Char(':'));
    return colon > 0 ? name.left(colon) : name;
}

}  // namespace

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

LayerTableModel::~LayerTableModel() = default;

void LayerTableModel::setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint) {
    beginResetModel();
    m_checkpoint = std::move(checkpoint);
    m_weightsText.assign(m_checkpoint ? m_checkpoint->layers().size() : 0, QString());
    m_tensorsByPath.clear();
    endResetModel();
}

const core::Layer& LayerTableModel::layer(int row) const {
    return m_checkpoint->layers()[static_cast<std::size_t>(row)];
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_checkpoint ? 0 : static_cast<int>(m_checkpoint->layers().size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString LayerTableModel::weightsText(int row) const {
    QString& cached = m_weightsText[static_cast<std::size_t>(row)];
    if (!cached.isNull()) {
        return cached;
    }
    if (m_tensorsByPath.empty()) {
        for (const core::Node* n : m_checkpoint->tensorNodes()) {
            m_tensorsByPath.emplace(n->path(), n);
        }
    }
    QStringList parts;
    for (const auto& path : layer(row).weightPaths) {
        const auto it = m_tensorsByPath.find(path);
        const core::Node* n = it == m_tensorsByPath.end() ? nullptr : it->second;
        // Keras 3 numbers its variables ("vars/0"): a bare index says nothing, the shape does.
        const QString name = shortWeightName(path);
        bool numeric = false;
        (void)name.toInt(&numeric);
        QString part = numeric ? QString() : name;
        if (n != nullptr && n->tensor()) {
            part += (part.isEmpty() ? QString() : QStringLiteral(" ")) +
                    fmt::shape(n->tensor()->shape());
        }
        parts << part;
    }
    cached = parts.isEmpty() ? QStringLiteral("") : parts.join(QStringLiteral("  ·  "));
    return cached;
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_checkpoint || index.row() >= rowCount()) {
        return {};
    }
    const core::Layer& l = layer(index.row());
    const int col = index.column();
    if (role == Qt::DisplayRole) {
        switch (col) {
            case OrderColumn:
                return index.row() + 1;
            case NameColumn:
                return fmt::qs(l.name);
            case ClassColumn:
                return l.className.empty() ? QStringLiteral("–") : fmt::qs(l.className);
            case ParamsColumn:
                return fmt::count(l.params);
            case TrainableColumn:
                return fmt::count(l.trainableParams);
            case NonTrainableColumn:
                return fmt::count(l.nonTrainableParams);
            case WeightsColumn:
                return weightsText(index.row());
            default:
                return {};
        }
    }
    if (role == SortRole) {
        switch (col) {
            case OrderColumn:
                return index.row();
            case ParamsColumn:
                return static_cast<qulonglong>(l.params);
            case TrainableColumn:
                return static_cast<qulonglong>(l.trainableParams);
            case NonTrainableColumn:
                return static_cast<qulonglong>(l.nonTrainableParams);
            default:
                return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::TextAlignmentRole) {
        if (col == OrderColumn || col == ParamsColumn || col == TrainableColumn ||
            col == NonTrainableColumn) {
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    }
    if (role == Qt::ToolTipRole) {
        QStringList paths;
        for (const auto& p : l.weightPaths) {
            paths << fmt::qs(p).toHtmlEscaped();
        }
        return paths.isEmpty()
                   ? tr("%1 has no weights").arg(fmt::qs(l.name))
                   : tr("<b>%1</b><br>%2<br><i>Click to show the first weight</i>")
                         .arg(fmt::qs(l.name).toHtmlEscaped(), paths.join(QStringLiteral("<br>")));
    }
    if (role == FirstWeightPathRole) {
        return l.weightPaths.empty() ? QString() : fmt::qs(l.weightPaths.front());
    }
    if (role == LayerRowRole) {
        return index.row();
    }
    if (role == ShareRole && col == ParamsColumn && m_checkpoint->totalParams() > 0) {
        return static_cast<double>(l.params) / static_cast<double>(m_checkpoint->totalParams());
    }
    return {};
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
            case OrderColumn:
                return tr("#");
            case NameColumn:
                return tr("Layer");
            case ClassColumn:
                return tr("Class");
            case ParamsColumn:
                return tr("Params");
            case TrainableColumn:
                return tr("Trainable");
            case NonTrainableColumn:
                return tr("Non-trainable");
            case WeightsColumn:
                return tr("Weights");
            default:
                return {};
        }
    }
    if (role == Qt::TextAlignmentRole && section >= ParamsColumn && section <= NonTrainableColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

}  // namespace ckpt::ui
