#pragma once
// A read-only tree over JSON documents (the architecture and training configs). Items are built
// lazily per parent, so a config with thousands of layers costs nothing until expanded.

#include <QAbstractItemModel>
#include <memory>
#include <vector>

#include "core/model/json.h"

namespace ckpt::ui {

/// Items point into JSON the model does not own (see setRoots()).
class JsonTreeModel : public QAbstractItemModel {
    Q_OBJECT

public:
    /// The key (an index in an array), the value (a Keras layer entry as "class · name", containers
    /// summarised, cut to 200 characters), the JSON type.
    enum Column { KeyColumn, ValueColumn, TypeColumn, ColumnCount };
    enum Role {
        JsonPointerRole = Qt::UserRole,  ///< QString: RFC 6901 pointer of the item in its root
        SearchTextRole,                  ///< QString: key and scalar value, for filtering
    };

    explicit JsonTreeModel(QObject* parent = nullptr);
    ~JsonTreeModel() override;

    /// Shows `roots` as top-level items named by their first member. The JSON values must
    /// outlive the model's use of them: `keepAlive` is held until the next setRoots().
    void setRoots(std::vector<std::pair<QString, const core::Json*>> roots,
                  std::shared_ptr<const void> keepAlive = {});
    /// Shows nothing and releases the kept-alive owner.
    void clear();

    /// The index of the item at a JSON pointer ("/config/layers/2") under top-level row
    /// `root`, building items on the way; invalid when absent.
    [[nodiscard]] QModelIndex indexForPointer(int root, const QString& pointer);

public:  // QAbstractItemModel API
    /// QAbstractItemModel: an item's children are built when first asked for; the tooltip is the
    /// item's JSON pointer (a scalar's value in the value column).
    [[nodiscard]] QModelIndex index(int row, int column,
                                    const QModelIndex& parent = {}) const override;
    [[nodiscard]] QModelIndex parent(const QModelIndex& child) const override;
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] bool hasChildren(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    struct Item;

    [[nodiscard]] Item* itemOf(const QModelIndex& index) const;
    [[nodiscard]] static QString valueText(const core::Json& value);
    [[nodiscard]] static QString typeText(const core::Json& value);
    [[nodiscard]] QString pointerOf(const Item* item) const;
    static void populate(Item* item);

    std::vector<std::unique_ptr<Item>> m_roots;
    std::shared_ptr<const void> m_keepAlive;
};

}  // namespace ckpt::ui
