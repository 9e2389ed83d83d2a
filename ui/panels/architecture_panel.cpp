#include "ui/panels/architecture_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include "core/model/checkpoint.h"
#include "ui/models/json_tree_model.h"
#include "ui/models/layer_settings_model.h"

namespace ckpt::ui {

namespace {

QWidget* titled(const QString& title, QWidget* content, QWidget* parent) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(title), box));
    layout->addWidget(content, 1);
    return box;
}

}  // namespace

ArchitecturePanel::ArchitecturePanel(QWidget* parent)
    : QWidget(parent),
      m_search(new QLineEdit(this)),
      m_empty(new QLabel(this)),
      m_layers(new QTableView(this)),
      m_layerModel(new LayerSettingsModel(this)),
      m_layerProxy(new QSortFilterProxyModel(this)),
      m_json(new QTreeView(this)),
      m_jsonModel(new JsonTreeModel(this)),
      m_jsonProxy(new QSortFilterProxyModel(this)),
      m_searchTimer(new QTimer(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 8);
    layout->setSpacing(8);
    m_search->setPlaceholderText(tr("Search layers and config (name, class, key or value)"));
    m_search->setClearButtonEnabled(true);
    m_search->setObjectName(QStringLiteral("architectureSearch"));
    layout->addWidget(m_search);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_empty->setWordWrap(true);
    m_empty->hide();
    layout->addWidget(m_empty);

    m_layerProxy->setSourceModel(m_layerModel);
    m_layerProxy->setFilterRole(LayerSettingsModel::SearchTextRole);
    m_layerProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_layers->setModel(m_layerProxy);
    m_layers->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_layers->setSelectionMode(QAbstractItemView::SingleSelection);
    m_layers->setAlternatingRowColors(true);
    m_layers->setWordWrap(false);
    m_layers->verticalHeader()->hide();
    m_layers->verticalHeader()->setDefaultSectionSize(m_layers->fontMetrics().height() + 8);
    m_layers->horizontalHeader()->setStretchLastSection(true);
    m_layers->horizontalHeader()->setResizeContentsPrecision(200);
    m_layers->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);

    m_jsonProxy->setSourceModel(m_jsonModel);
    m_jsonProxy->setFilterRole(JsonTreeModel::SearchTextRole);
    m_jsonProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_jsonProxy->setRecursiveFilteringEnabled(true);
    m_jsonProxy->setAutoAcceptChildRows(true);
    m_json->setModel(m_jsonProxy);
    m_json->setUniformRowHeights(true);
    m_json->setAlternatingRowColors(true);
    m_json->header()->setStretchLastSection(false);
    m_json->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    m_json->header()->resizeSection(JsonTreeModel::KeyColumn, 240);
    m_json->header()->resizeSection(JsonTreeModel::TypeColumn, 60);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("architectureSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(titled(tr("Layers in order"), m_layers, splitter));
    splitter->addWidget(titled(tr("Configuration"), m_json, splitter));
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);

    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_searchTimer, &QTimer::timeout, this, &ArchitecturePanel::applySearch);
    connect(m_layers->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ArchitecturePanel::revealLayerConfig);
    connect(m_layers->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid()) {
                    emit layerSelected(
                        current.siblingAtColumn(LayerSettingsModel::NameColumn).data().toString());
                }
            });
    setCheckpoint(nullptr);
}

void ArchitecturePanel::setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint) {
    m_layerModel->setCheckpoint(checkpoint);
    std::vector<std::pair<QString, const core::Json*>> roots;
    if (checkpoint) {
        if (!checkpoint->config().is_null()) {
            roots.emplace_back(tr("model_config"), &checkpoint->config());
        }
        if (!checkpoint->trainingConfig().is_null()) {
            roots.emplace_back(tr("training_config"), &checkpoint->trainingConfig());
        }
    }
    const bool hasConfig = !roots.empty();
    m_jsonModel->setRoots(std::move(roots), checkpoint);
    m_empty->setText(!checkpoint ? tr("Open a checkpoint to see its architecture.")
                                 : tr("This file holds no architecture config (a weights-only "
                                      "file): only the tensors in the tree are known."));
    m_empty->setVisible(!hasConfig);
    m_layers->setVisible(m_layerModel->rowCount() > 0);
    m_json->setVisible(hasConfig);
    if (hasConfig) {
        m_json->expandToDepth(0);
        m_layers->resizeColumnToContents(LayerSettingsModel::OrderColumn);
        m_layers->resizeColumnToContents(LayerSettingsModel::NameColumn);
        m_layers->resizeColumnToContents(LayerSettingsModel::ClassColumn);
    }
    if (!m_search->text().isEmpty()) {
        applySearch();
    }
}

void ArchitecturePanel::applySearch() {
    m_searchTimer->stop();
    const QString text = m_search->text().trimmed();
    m_layerProxy->setFilterFixedString(text);
    m_jsonProxy->setFilterFixedString(text);
    if (!text.isEmpty() && m_jsonProxy->rowCount() > 0) {
        m_json->expandRecursively(QModelIndex(), 6);
    } else {
        m_json->collapseAll();
        m_json->expandToDepth(0);
    }
}

void ArchitecturePanel::revealLayer(int configIndex) {
    if (!m_search->text().isEmpty()) {
        m_search->clear();
        applySearch();
    }
    // The table follows the model's layers, which need not be the config's order: match the
    // config entry's JSON pointer ("/config/layers/2").
    int row = configIndex;
    for (int r = 0; r < m_layerProxy->rowCount(); ++r) {
        const QString pointer =
            m_layerProxy->index(r, 0).data(LayerSettingsModel::ConfigPointerRole).toString();
        if (pointer.endsWith(QLatin1Char('/') + QString::number(configIndex)) &&
            pointer.count(QLatin1Char('/')) <= 3) {  // a top-level entry, not a nested one
            row = r;
            break;
        }
    }
    const QModelIndex index = m_layerProxy->index(row, 0);
    if (index.isValid()) {
        m_layers->setCurrentIndex(index);
        m_layers->scrollTo(index);
    }
}

bool ArchitecturePanel::selectLayerNamed(const QString& name) {
    if (name.isEmpty()) {
        return false;
    }
    if (!m_search->text().isEmpty()) {
        m_search->clear();
        applySearch();
    }
    for (int r = 0; r < m_layerProxy->rowCount(); ++r) {
        const QModelIndex index = m_layerProxy->index(r, LayerSettingsModel::NameColumn);
        if (index.data(Qt::DisplayRole).toString() == name) {
            m_layers->setCurrentIndex(index);
            m_layers->scrollTo(index);
            return true;
        }
    }
    return false;
}

void ArchitecturePanel::revealLayerConfig(const QModelIndex& layerIndex) {
    const QString pointer = layerIndex.data(LayerSettingsModel::ConfigPointerRole).toString();
    if (pointer.isEmpty()) {
        return;
    }
    const QModelIndex source = m_jsonModel->indexForPointer(0, pointer);
    const QModelIndex index = m_jsonProxy->mapFromSource(source);
    if (!index.isValid()) {
        return;
    }
    m_json->collapseAll();
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent()) {
        m_json->expand(p);
    }
    m_json->expand(index);
    m_json->setCurrentIndex(index);
    m_json->scrollTo(index, QAbstractItemView::PositionAtTop);
}

}  // namespace ckpt::ui
