#include "ui/models/json_tree_model.h"

#include <QFont>
#include <algorithm>

#include "ui/util/format.h"

namespace ckpt::ui {

struct JsonTreeModel::Item {
    QString key;
    const core::Json* value = nullptr;
    Item* parent = nullptr;
    int row = 0;
    bool populated = false;
    std::vector<std::unique_ptr<Item>> children;
};

JsonTreeModel::JsonTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

JsonTreeModel::~JsonTreeModel() = default;

void JsonTreeModel::setRoots(std::vector<std::pair<QString, const core::Json*>> roots,
                             std::shared_ptr<const void> keepAlive) {
    beginResetModel();
    m_roots.clear();
    for (auto& [name, json] : roots) {
        if (json == nullptr) {
            continue;
        }
        auto item = std::make_unique<Item>();
        item->key = name;
        item->value = json;
        item->row = static_cast<int>(m_roots.size());
        m_roots.push_back(std::move(item));
    }
    m_keepAlive = std::move(keepAlive);
    endResetModel();
}

void JsonTreeModel::clear() {
    setRoots({});
}

void JsonTreeModel::populate(Item* item) {
    if (item->populated) {
        return;
    }
    item->populated = true;
    const core::Json& v = *item->value;
    if (v.is_object()) {
        item->children.reserve(v.size());
        for (auto it = v.begin(); it != v.end(); ++it) {
            auto child = std::make_unique<Item>();
            child->key = fmt::qs(it.key());
            child->value = &it.value();
            child->parent = item;
            child->row = static_cast<int>(item->children.size());
            item->children.push_back(std::move(child));
        }
    } else if (v.is_array()) {
        item->children.reserve(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            auto child = std::make_unique<Item>();
            child->key = QString::number(i);
            child->value = &v[i];
            child->parent = item;
            child->row = static_cast<int>(i);
            item->children.push_back(std::move(child));
        }
    }
}

JsonTreeModel::Item* JsonTreeModel::itemOf(const QModelIndex& index) const {
    return index.isValid() ? static_cast<Item*>(index.internalPointer()) : nullptr;
}

QModelIndex JsonTreeModel::indexForPointer(int root, const QString& pointer) {
    if (root < 0 || root >= static_cast<int>(m_roots.size())) {
        return {};
    }
    Item* item = m_roots[static_cast<std::size_t>(root)].get();
    const QStringList parts = pointer.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    for (QString part : parts) {
        part.replace(QStringLiteral("~1"), QStringLiteral("/"));
        part.replace(QStringLiteral("~0"), QStringLiteral("~"));
        populate(item);
        Item* next = nullptr;
        for (const auto& c : item->children) {
            if (c->key == part) {
                next = c.get();
                break;
            }
        }
        if (next == nullptr) {
            return {};
        }
        item = next;
    }
    return createIndex(item->row, 0, item);
}

QString JsonTreeModel::pointerOf(const Item* item) const {
    QStringList parts;
    for (; item != nullptr && item->parent != nullptr; item = item->parent) {
        QString k = item->key;
        k.replace(QStringLiteral("~"), QStringLiteral("~0"));
        k.replace(QStringLiteral("/"), QStringLiteral("~1"));
        parts.prepend(k);
    }
    return parts.isEmpty() ? QString() : QLatin1Char('/') + parts.join(QLatin1Char('/'));
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= ColumnCount) {
        return {};
    }
    if (!parent.isValid()) {
        return row < static_cast<int>(m_roots.size())
                   ? createIndex(row, column, m_roots[static_cast<std::size_t>(row)].get())
                   : QModelIndex();
    }
    Item* p = itemOf(parent);
    populate(p);
    if (row >= static_cast<int>(p->children.size())) {
        return {};
    }
    return createIndex(row, column, p->children[static_cast<std::size_t>(row)].get());
}

QModelIndex JsonTreeModel::parent(const QModelIndex& child) const {
    const Item* item = itemOf(child);
    if (item == nullptr || item->parent == nullptr) {
        return {};
    }
    return createIndex(item->parent->row, 0, item->parent);
}

int JsonTreeModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return static_cast<int>(m_roots.size());
    }
    if (parent.column() != 0) {
        return 0;
    }
    const core::Json& v = *itemOf(parent)->value;
    return v.is_structured() ? static_cast<int>(v.size()) : 0;
}

int JsonTreeModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

bool JsonTreeModel::hasChildren(const QModelIndex& parent) const {
    return rowCount(parent) > 0;
}

QString JsonTreeModel::typeText(const core::Json& v) {
    switch (v.type()) {
        case core::Json::value_t::object:
            return QStringLiteral("object");
        case core::Json::value_t::array:
            return QStringLiteral("array");
        case core::Json::value_t::string:
            return QStringLiteral("string");
        case core::Json::value_t::boolean:
            return QStringLiteral("bool");
        case core::Json::value_t::number_integer:
        case core::Json::value_t::number_unsigned:
            return QStringLiteral("int");
        case core::Json::value_t::number_float:
            return QStringLiteral("float");
        case core::Json::value_t::null:
            return QStringLiteral("null");
        default:
            return QStringLiteral("other");
    }
}

QString JsonTreeModel::valueText(const core::Json& v) {
    if (v.is_string()) {
        return fmt::qs(v.get<std::string>());
    }
    if (v.is_object()) {
        // A Keras layer entry reads better as "Dense  dense_1" than as "{4 keys}".
        const auto cls = v.find("class_name");
        if (cls != v.end() && cls->is_string()) {
            QString text = fmt::qs(cls->get<std::string>());
            const auto cfg = v.find("config");
            if (cfg != v.end() && cfg->is_object()) {
                const auto name = cfg->find("name");
                if (name != cfg->end() && name->is_string()) {
                    text += QStringLiteral("  ·  ") + fmt::qs(name->get<std::string>());
                }
            }
            return text;
        }
        return QStringLiteral("{%1 keys}").arg(v.size());
    }
    if (v.is_array()) {
        const bool flat =
            std::all_of(v.begin(), v.end(), [](const core::Json& e) { return e.is_primitive(); });
        if (flat && v.size() <= 8) {
            return fmt::json(v);
        }
        return QStringLiteral("[%1 items]").arg(v.size());
    }
    return fmt::json(v);
}

QVariant JsonTreeModel::data(const QModelIndex& index, int role) const {
    const Item* item = itemOf(index);
    if (item == nullptr) {
        return {};
    }
    const core::Json& v = *item->value;
    switch (role) {
        case Qt::DisplayRole:
            switch (index.column()) {
                case KeyColumn:
                    return item->key;
                case ValueColumn: {
                    QString text = valueText(v);
                    return text.size() > 200 ? text.left(199) + QChar(0x2026) : text;
                }
                case TypeColumn:
                    return typeText(v);
                default:
                    return {};
            }
        case Qt::ToolTipRole:
            if (index.column() == ValueColumn && v.is_primitive()) {
                return valueText(v).left(4000);
            }
            return pointerOf(item);
        case Qt::FontRole:
            if (item->parent == nullptr && index.column() == KeyColumn) {
                QFont f;
                f.setBold(true);
                return f;
            }
            return {};
        case JsonPointerRole:
            return pointerOf(item);
        case SearchTextRole:
            return v.is_primitive() ? item->key + QLatin1Char(' ') + valueText(v) : item->key;
        default:
            return {};
    }
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case KeyColumn:
            return tr("Key");
        case ValueColumn:
            return tr("Value");
        case TypeColumn:
            return tr("Type");
        default:
            return {};
    }
}

Qt::ItemFlags JsonTreeModel::flags(const QModelIndex& index) const {
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

}  // namespace ckpt::ui
