#include "ui/panels/overview_panel.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "core/analysis/overview.h"
#include "core/model/checkpoint.h"
#include "core/model/tensor.h"
#include "ui/models/layer_table_model.h"
#include "ui/models/module_table_model.h"
#include "ui/util/format.h"
#include "ui/widgets/breakdown_bar.h"
#include "ui/widgets/eliding_label.h"
#include "ui/widgets/share_bar_delegate.h"

namespace ckpt::ui {

namespace {

QString jsonText(const core::Json& v) {
    if (v.is_string()) {
        return fmt::qs(v.get<std::string>());
    }
    QString s = fmt::json(v);
    return s.size() > 300 ? s.left(299) + QChar(0x2026) : s;
}

QFormLayout* makeForm() {
    auto* form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignLeft);
    form->setHorizontalSpacing(14);
    form->setVerticalSpacing(5);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    return form;
}

}  // namespace

OverviewPanel::OverviewPanel(QWidget* parent)
    : QWidget(parent),
      m_title(new ElidingLabel(this)),
      m_badge(new FindingsBadge(this)),
      m_subtitle(new QLabel(this)),
      m_details(new QWidget(this)),
      m_fileForm(makeForm()),
      m_metaForm(makeForm()),
      m_metaEmpty(new QLabel(tr("No metadata in this file"), this)),
      m_warnings(new QLabel(this)),
      m_layers(new QTableView(this)),
      m_layerModel(new LayerTableModel(this)),
      m_layerProxy(new QSortFilterProxyModel(this)),
      m_totals(new QLabel(this)),
      m_noLayers(new QLabel(this)),
      m_modules(new QTableView(this)),
      m_moduleModel(new ModuleTableModel(this)),
      m_moduleProxy(new QSortFilterProxyModel(this)),
      m_valuesBox(nullptr),
      m_valuesForm(makeForm()),
      m_storageTitle(new QLabel(this)),
      m_storage(new BreakdownBar(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 8);
    layout->setSpacing(8);

    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.45);
    big.setBold(true);
    m_title->setFont(big);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_subtitle->setForegroundRole(QPalette::PlaceholderText);
    auto* header = new QHBoxLayout;
    header->setSpacing(12);
    header->addWidget(m_title, 1);
    header->addWidget(m_badge, 0, Qt::AlignVCenter);
    layout->addLayout(header);
    connect(m_badge, &QPushButton::clicked, this, &OverviewPanel::findingsRequested);
    layout->addWidget(m_subtitle);

    auto* detailsLayout = new QHBoxLayout(m_details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->setSpacing(12);
    auto* fileBox = new QGroupBox(tr("File"), m_details);
    fileBox->setLayout(m_fileForm);
    auto* metaBox = new QGroupBox(tr("Metadata"), m_details);
    auto* metaLayout = new QVBoxLayout(metaBox);
    metaLayout->addLayout(m_metaForm);
    m_metaEmpty->setForegroundRole(QPalette::PlaceholderText);
    metaLayout->addWidget(m_metaEmpty);
    metaLayout->addStretch(1);
    auto* valuesBox = new QGroupBox(tr("Top-level values"), m_details);
    valuesBox->setObjectName(QStringLiteral("topLevelValues"));
    auto* valuesLayout = new QVBoxLayout(valuesBox);
    valuesLayout->addLayout(m_valuesForm);
    valuesLayout->addStretch(1);
    m_valuesBox = valuesBox;
    detailsLayout->addWidget(fileBox, 3);
    detailsLayout->addWidget(metaBox, 2);
    detailsLayout->addWidget(valuesBox, 2);
    m_details->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    layout->addWidget(m_details);

    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->setObjectName(QStringLiteral("overviewWarnings"));
    m_warnings->setStyleSheet(QStringLiteral(
        "QLabel { background: rgba(230, 160, 20, 0.16); border: 1px solid rgba(200, 130, 0, 0.6);"
        " border-radius: 4px; padding: 6px 8px; }"));
    m_warnings->hide();
    layout->addWidget(m_warnings);

    m_layersTitle = new QLabel(this);
    layout->addWidget(m_layersTitle);
    m_layerProxy->setSourceModel(m_layerModel);
    m_layerProxy->setSortRole(LayerTableModel::SortRole);
    m_layers->setObjectName(QStringLiteral("layerTable"));
    m_layers->setModel(m_layerProxy);
    m_layers->setItemDelegateForColumn(LayerTableModel::ParamsColumn,
                                       new ShareBarDelegate(LayerTableModel::ShareRole, m_layers));
    setupTable(m_layers);
    m_layers->sortByColumn(LayerTableModel::OrderColumn, Qt::AscendingOrder);
    layout->addWidget(m_layers, 1);
    m_moduleProxy->setSourceModel(m_moduleModel);
    m_moduleProxy->setSortRole(ModuleTableModel::SortRole);
    m_modules->setObjectName(QStringLiteral("moduleTable"));
    m_modules->setModel(m_moduleProxy);
    m_modules->setItemDelegateForColumn(
        ModuleTableModel::BytesColumn,
        new ShareBarDelegate(ModuleTableModel::ShareRole, m_modules));
    setupTable(m_modules);
    m_modules->horizontalHeader()->setStretchLastSection(false);
    m_modules->horizontalHeader()->setSectionResizeMode(ModuleTableModel::NameColumn,
                                                        QHeaderView::Stretch);
    m_modules->setTextElideMode(Qt::ElideMiddle);
    m_modules->sortByColumn(ModuleTableModel::NameColumn, Qt::AscendingOrder);
    m_modules->hide();
    layout->addWidget(m_modules, 1);
    m_noLayers->setForegroundRole(QPalette::PlaceholderText);
    m_noLayers->setWordWrap(true);
    m_noLayers->hide();
    layout->addWidget(m_noLayers);
    m_totals->setObjectName(QStringLiteral("layerTotals"));
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_totals);
    m_storageTitle->setText(tr("<b>Where the bytes are</b>"));
    layout->addSpacing(6);
    layout->addWidget(m_storageTitle);
    m_storage->setObjectName(QStringLiteral("storageBreakdown"));
    layout->addWidget(m_storage);
    layout->addStretch(0);  // a short table keeps its totals right under it

    connect(m_layers, &QTableView::clicked, this, [this](const QModelIndex& index) {
        const QString path = index.data(LayerTableModel::FirstWeightPathRole).toString();
        if (!path.isEmpty()) {
            emit layerActivated(path);
        }
    });
    connect(m_layers, &QTableView::activated, m_layers, &QTableView::clicked);
    connect(m_modules, &QTableView::clicked, this, [this](const QModelIndex& index) {
        const QString path = index.data(ModuleTableModel::FirstTensorPathRole).toString();
        if (!path.isEmpty()) {
            emit layerActivated(path);
        }
    });
    connect(m_modules, &QTableView::activated, m_modules, &QTableView::clicked);
    setCheckpoint(nullptr, {});
}

void OverviewPanel::setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint,
                                  const QString& displayPath) {
    clearForm(m_fileForm);
    clearForm(m_metaForm);
    clearForm(m_valuesForm);
    m_layerModel->setCheckpoint(checkpoint);
    m_moduleModel->setOverview({});
    if (!checkpoint) {
        m_title->setFullText(tr("No checkpoint open"));
        m_subtitle->setText(
            tr("Open a file with File ▸ Open (Ctrl+O) or drop it on this "
               "window. Nothing in a checkpoint is ever executed."));
        m_details->hide();
        m_warnings->hide();
        m_layers->hide();
        m_modules->hide();
        m_layersTitle->hide();
        m_noLayers->hide();
        m_totals->clear();
        m_storageTitle->hide();
        m_storage->hide();
        return;
    }
    const core::Checkpoint& c = *checkpoint;
    m_details->show();
    m_title->setFullText(displayPath.section(QLatin1Char('/'), -1));
    m_subtitle->setText(fmt::qs(c.formatDescription()));
    fillFileFacts(c, displayPath);
    fillMetadata(c);

    QStringList warnings;
    for (const auto& w : c.warnings()) {
        warnings << fmt::qs(w).toHtmlEscaped();
    }
    m_warnings->setText(
        QStringLiteral("<b>⚠ %1</b><br>%2")
            .arg((warnings.size() == 1 ? tr("1 warning while reading")
                                       : tr("%1 warnings while reading").arg(warnings.size())),
                 warnings.join(QStringLiteral("<br>"))));
    m_warnings->setVisible(!warnings.isEmpty());

    const bool hasLayers = !c.layers().empty();
    const bool hasModules = !hasLayers && m_moduleModel->rowCount() > 0;
    m_layers->setVisible(hasLayers);
    m_modules->setVisible(hasModules);
    m_layersTitle->setVisible(hasLayers || hasModules);
    m_layersTitle->setText(hasLayers ? tr("<b>Layers</b>")
                                     : tr("<b>Modules</b>  <small>(tensors grouped by their "
                                          "path's first parts)</small>"));
    m_noLayers->setVisible(!hasLayers && !hasModules);
    m_noLayers->setText(tr("This checkpoint holds no tensors; browse its contents in the tree."));
    m_layers->sortByColumn(LayerTableModel::OrderColumn, Qt::AscendingOrder);
    m_modules->sortByColumn(ModuleTableModel::NameColumn, Qt::AscendingOrder);
    if (hasModules) {
        fitTable(m_modules, m_moduleModel->rowCount(), ModuleTableModel::ColumnCount);
        const auto& o = m_moduleModel->overview();
        m_totals->setText(
            tr("<b>Total params:</b> %1  &nbsp;·&nbsp;  %2  &nbsp;·&nbsp;  %3 tensors, %4")
                .arg(fmt::count(o.params),
                     o.optimizerParams > 0
                         ? tr("<b>Optimizer state:</b> %1").arg(fmt::count(o.optimizerParams))
                         : tr("no optimizer state"),
                     fmt::count(o.tensors), fmt::bytes(o.bytes)));
    } else if (hasLayers) {
        fitTable(m_layers, static_cast<int>(c.layers().size()), LayerTableModel::WeightsColumn);
        m_totals->setText(tr("<b>Total params:</b> %1  &nbsp;·&nbsp;  <b>Trainable:</b> %2"
                             "  &nbsp;·&nbsp;  <b>Non-trainable:</b> %3  &nbsp;·&nbsp;  %4")
                              .arg(fmt::count(c.totalParams()), fmt::count(c.trainableParams()),
                                   fmt::count(c.nonTrainableParams()),
                                   (c.layers().size() == 1
                                        ? tr("1 layer")
                                        : tr("%1 layers").arg(fmt::count(c.layers().size())))));
    } else {
        m_totals->clear();
    }
}

void OverviewPanel::setupTable(QTableView* table) {
    table->setSortingEnabled(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    QHeaderView* h = table->horizontalHeader();
    h->setStretchLastSection(true);
    h->setHighlightSections(false);
    h->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    h->setResizeContentsPrecision(200);  // size columns from a sample of rows, not all
}

void OverviewPanel::fitTable(QTableView* table, int rows, int lastSizedColumn) {
    // No taller than its rows: the totals follow the table instead of the window's bottom.
    table->setMaximumHeight(table->horizontalHeader()->sizeHint().height() +
                            table->verticalHeader()->defaultSectionSize() * std::min(rows, 100000) +
                            2 * table->frameWidth() + 2);
    QHeaderView* h = table->horizontalHeader();
    for (int col = 0; col < lastSizedColumn; ++col) {
        if (h->sectionResizeMode(col) == QHeaderView::Stretch) {
            continue;
        }
        table->resizeColumnToContents(col);
        h->resizeSection(col, std::min(h->sectionSize(col) + 16, 260));
    }
}

void OverviewPanel::fillModules(const core::Checkpoint& c) {
    const core::CheckpointOverview overview = core::summarizeCheckpoint(c);
    for (const auto& s : overview.scalars) {
        QLabel* value = addField(m_valuesForm, fmt::qs(s.name), fmt::qs(s.value));
        value->setObjectName(QStringLiteral("value_") + fmt::qs(s.name));
        value->setToolTip(fmt::qs(s.type));
    }
    m_valuesBox->setVisible(!overview.scalars.empty());
    // Where the bytes are: the same modules, labelled by their names.
    std::vector<BreakdownBar::Part> parts;
    for (const auto& m : overview.modules) {
        parts.push_back({m.name.empty() ? tr("(top level)") : fmt::qs(m.name), m.bytes});
    }
    m_storage->setParts(std::move(parts));
    m_storageTitle->setVisible(m_storage->parts().size() > 1);
    m_storage->setVisible(m_storage->parts().size() > 1);
    m_moduleModel->setOverview(overview);
}

void OverviewPanel::fillFileFacts(const core::Checkpoint& c, const QString& displayPath) {
    addField(m_fileForm, tr("Format"),
             QStringLiteral("%1  (%2)").arg(fmt::qs(c.formatDescription()), fmt::qs(c.format())));
    // A long path must not widen the panel (and squeeze the tree): it wraps anywhere.
    QLabel* path = addField(m_fileForm, tr("Path"), displayPath);
    path->setToolTip(displayPath);
    path->setWordWrap(true);
    path->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    path->setMinimumWidth(80);
    addField(
        m_fileForm, tr("Size"),
        QStringLiteral("%1  (%2 bytes)").arg(fmt::bytes(c.fileSize()), fmt::count(c.fileSize())));
    fillModules(c);
    const auto& o = m_moduleModel->overview();
    addField(m_fileForm, tr("Tensors"),
             tr("%1, holding %2").arg(fmt::count(o.tensors), fmt::bytes(o.bytes)));
    QString params =
        c.layers().empty()
            ? fmt::count(o.params)
            : tr("%1 in %2 layers").arg(fmt::count(o.params), fmt::count(c.layers().size()));
    if (o.optimizerParams > 0) {
        params += tr("  (+ %1 in optimizer state)").arg(fmt::count(o.optimizerParams));
    }
    addField(m_fileForm, tr("Parameters"), params);
}

void OverviewPanel::fillMetadata(const core::Checkpoint& c) {
    const core::Json& meta = c.metadata();
    int shown = 0;
    if (meta.is_object()) {
        for (auto it = meta.begin(); it != meta.end() && shown < 16; ++it, ++shown) {
            QLabel* value = addField(m_metaForm, fmt::qs(it.key()), jsonText(it.value()));
            value->setWordWrap(true);
        }
    }
    m_metaEmpty->setVisible(shown == 0);
}

QLabel* OverviewPanel::addField(QFormLayout* form, const QString& name, const QString& value) {
    auto* label = new QLabel(name, this);
    label->setForegroundRole(QPalette::PlaceholderText);
    auto* field = new QLabel(value, this);
    field->setTextInteractionFlags(Qt::TextSelectableByMouse);
    field->setObjectName(QStringLiteral("field_") + name);
    form->addRow(label, field);
    return field;
}

void OverviewPanel::clearForm(QFormLayout* form) {
    while (form->rowCount() > 0) {
        form->removeRow(0);
    }
}

QString OverviewPanel::fieldText(const QString& name) const {
    const auto* label = findChild<QLabel*>(
        name.startsWith(QLatin1String("value_")) ? name : QStringLiteral("field_") + name);
    return label != nullptr ? label->text() : QString();
}

QString OverviewPanel::totalsText() const {
    return m_totals->text();
}

void OverviewPanel::setFindingsStatus(const FindingsStatus& status) {
    m_badge->setStatus(status);
}

QString OverviewPanel::warningsText() const {
    return m_warnings->isVisibleTo(this) ? m_warnings->text() : QString();
}

}  // namespace ckpt::ui
