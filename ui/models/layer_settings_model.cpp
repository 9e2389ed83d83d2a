#include "ui/models/layer_settings_model.h"

#include <QRegularExpression>
#include <array>
#include <unordered_map>

#include "core/model/checkpoint.h"
#include "core/model/keras_config.h"
#include "ui/util/format.h"

namespace ckpt::ui {

namespace {

const core::Json* innerConfig(const core::Json& layer) {
    const auto cfg = layer.find("config");
    if (layer.contains("class_name") && cfg != layer.end() && cfg->is_object()) {
        return &*cfg;
    }
    return &layer;
}

QString layerName(const core::Json& entry) {
    return fmt::qs(core::kerasLayerName(entry));
}

QString className(const core::Json& entry) {
    const auto it = entry.find("class_name");
    return it != entry.end() && it->is_string() ? fmt::qs(it->get<std::string>()) : QString();
}

}  // namespace

LayerSettingsModel::LayerSettingsModel(QObject* parent) : QAbstractTableModel(parent) {}

LayerSettingsModel::~LayerSettingsModel() = default;

void LayerSettingsModel::setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint) {
    beginResetModel();
    m_checkpoint = std::move(checkpoint);
    m_rows.clear();
    if (m_checkpoint) {
        const auto found = core::kerasLayerList(m_checkpoint->config());
        const core::Json* list = found.layers;
        const QString prefix = fmt::qs(found.pointer);
        std::unordered_map<std::string, QString> pointers;
        if (list != nullptr) {
            for (std::size_t i = 0; i < list->size(); ++i) {
                pointers[layerName((*list)[i]).toStdString()] =
                    prefix + QLatin1Char('/') + QString::number(i);
            }
        }
        if (!m_checkpoint->layers().empty()) {
            for (const auto& l : m_checkpoint->layers()) {
                Row r;
                r.name = fmt::qs(l.name);
                r.className = fmt::qs(l.className);
                r.config = &l.config;
                const auto it = pointers.find(l.name);
                r.pointer = it == pointers.end() ? QString() : it->second;
                if (r.className.isEmpty()) {
                    r.className = className(l.config);
                }
                m_rows.push_back(std::move(r));
            }
        } else if (list != nullptr) {
            for (std::size_t i = 0; i < list->size(); ++i) {
                const core::Json& entry = (*list)[i];
                m_rows.push_back({layerName(entry), className(entry), QString(),
                                  prefix + QLatin1Char('/') + QString::number(i), &entry});
            }
        }
    }
    endResetModel();
}

QString LayerSettingsModel::valueText(const core::Json& v) {
    if (v.is_string()) {
        return fmt::qs(v.get<std::string>());
    }
    if (v.is_boolean()) {
        return v.get<bool>() ? QStringLiteral("True") : QStringLiteral("False");
    }
    if (v.is_array()) {
        QStringList parts;
        for (const auto& e : v) {
            parts << valueText(e);
        }
        return QLatin1Char('(') + parts.join(QStringLiteral(", ")) +
               (parts.size() == 1 ? QStringLiteral(",)") : QStringLiteral(")"));
    }
    if (v.is_object()) {
        // Keras 3 serialises some settings as {"class_name": ..., "config": ...}.
        const auto cls = v.find("class_name");
        if (cls != v.end() && cls->is_string()) {
            return fmt::qs(cls->get<std::string>());
        }
        return fmt::json(v);
    }
    if (v.is_null()) {
        return QStringLiteral("None");
    }
    return fmt::json(v);
}

QString LayerSettingsModel::summarize(const core::Json& layerConfig) {
    static const std::array<const char*, 35> keys = {"units",
                                                     "filters",
                                                     "kernel_size",
                                                     "strides",
                                                     "pool_size",
                                                     "padding",
                                                     "dilation_rate",
                                                     "depth_multiplier",
                                                     "activation",
                                                     "recurrent_activation",
                                                     "rate",
                                                     "use_bias",
                                                     "return_sequences",
                                                     "return_state",
                                                     "input_dim",
                                                     "output_dim",
                                                     "num_heads",
                                                     "key_dim",
                                                     "axis",
                                                     "momentum",
                                                     "epsilon",
                                                     "target_shape",
                                                     "dims",
                                                     "size",
                                                     "cropping",
                                                     "n",
                                                     "batch_input_shape",
                                                     "batch_shape",
                                                     "input_shape",
                                                     "mask_zero",
                                                     "stateful",
                                                     "groups",
                                                     "data_format",
                                                     "interpolation",
                                                     "function"};
    const core::Json* cfg = innerConfig(layerConfig);
    if (!cfg->is_object()) {
        return {};
    }
    QStringList parts;
    for (const char* key : keys) {
        const auto it = cfg->find(key);
        if (it == cfg->end() || it->is_null()) {
            continue;
        }
        const std::string k(key);
        // Defaults that only add noise.
        if ((k == "dilation_rate" || k == "groups" || k == "depth_multiplier") &&
            valueText(*it).remove(QRegularExpression(QStringLiteral("[(),1 ]"))).isEmpty()) {
            continue;
        }
        if (k == "data_format" && it->is_string() && it->get<std::string>() == "channels_last") {
            continue;
        }
        if (k == "use_bias" && it->is_boolean() && it->get<bool>()) {
            continue;  // the default; only use_bias=False is news
        }
        if (k == "function") {
            // A Lambda layer's body: marshalled bytecode (a list) or source; never shown raw.
            parts << QStringLiteral("function=<%1>")
                         .arg(it->is_string() && it->get<std::string>().size() < 40
                                  ? fmt::qs(it->get<std::string>())
                                  : QObject::tr("Python code, runs when the model loads"));
            continue;
        }
        parts << QStringLiteral("%1=%2").arg(QLatin1String(key), valueText(*it));
    }
    return parts.join(QStringLiteral(", "));
}

const QString& LayerSettingsModel::settings(int row) const {
    Row& r = m_rows[static_cast<std::size_t>(row)];
    if (r.settings.isNull()) {
        r.settings = r.config != nullptr ? summarize(*r.config) : QString();
        if (r.settings.isNull()) {
            r.settings = QStringLiteral("");
        }
    }
    return r.settings;
}

int LayerSettingsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int LayerSettingsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerSettingsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const Row& r = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
        case Qt::DisplayRole:
            switch (index.column()) {
                case OrderColumn:
                    return index.row() + 1;
                case NameColumn:
                    return r.name;
                case ClassColumn:
                    return r.className.isEmpty() ? QStringLiteral("–") : r.className;
                case SettingsColumn:
                    return settings(index.row());
                default:
                    return {};
            }
        case Qt::ToolTipRole:
            return index.column() == SettingsColumn ? settings(index.row()) : r.name;
        case Qt::TextAlignmentRole:
            return index.column() == OrderColumn
                       ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter)
                       : QVariant();
        case ConfigPointerRole:
            return r.pointer;
        case SearchTextRole:
            return r.name + QLatin1Char(' ') + r.className + QLatin1Char(' ') +
                   settings(index.row());
        default:
            return {};
    }
}

QVariant LayerSettingsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case OrderColumn:
            return tr("#");
        case NameColumn:
            return tr("Layer");
        case ClassColumn:
            return tr("Class");
        case SettingsColumn:
            return tr("Key settings");
        default:
            return {};
    }
}

}  // namespace ckpt::ui
