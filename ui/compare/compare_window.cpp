#include "ui/compare/compare_window.h"

#include <QCheckBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <cmath>

#include "core/diff/checkpoint_diff.h"
#include "core/model/checkpoint.h"
#include "ui/compare/compare_graph_pane.h"
#include "ui/compare/compare_pair_model.h"
#include "ui/compare/compare_style.h"
#include "ui/compare/compare_tables.h"
#include "ui/jobs/delta_job.h"
#include "ui/util/format.h"
#include "ui/widgets/heatmap_widget.h"
#include "ui/widgets/histogram_widget.h"
#include "ui/widgets/node_icons.h"

namespace ckpt::ui {

using core::TensorDiffStatus;

namespace {

QString fileName(const std::string& path) {
    const QString p = fmt::qs(path);
    const QString name = QFileInfo(p).fileName();
    return name.isEmpty() ? p : name;
}

/// The tensor with the largest rel_l2, named as the tree and the table name it.
QString maxRelL2Name(const core::DiffReport& r) {
    for (const auto& t : r.tensors) {
        if (t.key == r.summary.maxRelL2Key && t.metrics) {
            return compare_style::tensorName(t);
        }
    }
    return fmt::qs(r.summary.maxRelL2Key);
}

}  // namespace

CompareWindow::CompareWindow(QWidget* parent)
    : QMainWindow(parent),
      m_job(new CompareJob(this)),
      m_delta(new DeltaJob(this)),
      m_pairs(new ComparePairModel(this)),
      m_metrics(new CompareMetricsModel(this)),
      m_proxy(new CompareFilterProxy(this)),
      m_config(new ConfigChangeModel(this)) {
    setWindowTitle(tr("Compare — Checkpoint Inspector"));
    setWindowIcon(NodeIcons::application());
    m_presentError = [this](const QString& title, const QString& message) {
        auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setTextInteractionFlags(Qt::TextSelectableByMouse);
        box->open();
    };
    m_proxy->setSourceModel(m_metrics);
    buildLayout();
    resetLayout();

    connect(m_job, &CompareJob::started, this, [this] { setBusy(true); });
    connect(m_job, &CompareJob::progress, this, [this](int permille, const QString& phase) {
        m_phase->setText(phase);
        if (permille < 0) {
            m_bar->setRange(0, 0);
        } else {
            m_bar->setRange(0, 1000);
            m_bar->setValue(std::min(permille, 1000));
        }
    });
    connect(m_job, &CompareJob::finished, this, &CompareWindow::onFinished);
    connect(m_job, &CompareJob::failed, this, [this](const QString& message) {
        setBusy(false);
        m_summary->setText(tr("<span style='color:#b00020'>Comparison failed: %1</span>")
                               .arg(message.toHtmlEscaped()));
        m_presentError(tr("Cannot compare"), message);
        emit compareDone();
    });
    connect(m_job, &CompareJob::cancelled, this, [this] {
        setBusy(false);
        m_summary->setText(tr("Comparison cancelled."));
        emit compareDone();
    });
    connect(m_cancel, &QPushButton::clicked, m_job, &CompareJob::cancel);
    connect(m_delta, &DeltaJob::ready, this, &CompareWindow::onDelta);
    connect(m_delta, &DeltaJob::failed, this, &CompareWindow::onDeltaFailed);
    connect(m_delta, &DeltaJob::progress, this, [this](int permille) {
        m_heatmap->setMessage(tr("Reading values… %1 %").arg(std::max(0, permille) / 10));
    });
}

CompareWindow::~CompareWindow() = default;

void CompareWindow::buildLayout() {
    auto* central = new QWidget(this);
    auto* outer = new QVBoxLayout(central);
    outer->setContentsMargins(8, 6, 8, 4);
    outer->setSpacing(6);

    auto* header = new QHBoxLayout;
    auto* texts = new QVBoxLayout;
    texts->setSpacing(2);
    m_files = new QLabel(central);
    m_files->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary = new QLabel(central);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    texts->addWidget(m_files);
    texts->addWidget(m_summary);
    header->addLayout(texts, 1);
    m_phase = new QLabel(central);
    m_bar = new QProgressBar(central);
    m_bar->setFixedWidth(200);
    m_bar->setMaximumHeight(16);
    m_bar->setTextVisible(false);
    m_cancel = new QPushButton(tr("Cancel"), central);
    m_cancel->setObjectName(QStringLiteral("cancelCompare"));
    m_cancel->setToolTip(tr("Stop the comparison"));
    header->addWidget(m_phase);
    header->addWidget(m_bar);
    header->addWidget(m_cancel);
    outer->addLayout(header);

    m_pairView = new QTreeView(central);
    m_pairView->setObjectName(QStringLiteral("comparePairs"));
    m_pairView->setModel(m_pairs);
    m_pairView->setUniformRowHeights(true);
    m_pairView->setAlternatingRowColors(false);
    m_pairView->header()->setStretchLastSection(false);
    m_pairView->header()->setSectionResizeMode(ComparePairModel::AColumn, QHeaderView::Stretch);
    m_pairView->header()->setSectionResizeMode(ComparePairModel::StatusColumn,
                                               QHeaderView::ResizeToContents);
    m_pairView->header()->setSectionResizeMode(ComparePairModel::BColumn, QHeaderView::Stretch);
    m_pairView->setTextElideMode(Qt::ElideLeft);

    m_heatmap = new HeatmapWidget(central);
    m_heatmap->setTitle(tr("Delta B − A"));
    m_heatmap->clear(tr("Select a changed tensor pair to see where it changed."));
    m_histogram = new HistogramWidget(central);
    m_histogram->setTitle(tr("Histogram of B − A"));
    m_histogram->clear(tr("Select a tensor pair."));

    m_top = new QSplitter(Qt::Horizontal, central);
    m_top->setChildrenCollapsible(false);
    m_leftTabs = new QTabWidget(central);
    m_leftTabs->setDocumentMode(true);
    m_leftTabs->addTab(m_pairView, tr("Tensors"));
    m_graphPane = new CompareGraphPane(m_leftTabs);
    m_leftTabs->addTab(m_graphPane, tr("Graph"));
    m_top->addWidget(m_leftTabs);
    m_top->addWidget(buildMetricsPane());
    m_bottom = new QSplitter(Qt::Horizontal, central);
    m_bottom->setChildrenCollapsible(false);
    m_bottom->addWidget(m_heatmap);
    m_bottom->addWidget(m_histogram);
    m_bottom->addWidget(buildConfigPane());
    m_vertical = new QSplitter(Qt::Vertical, central);
    m_vertical->setChildrenCollapsible(false);
    m_vertical->addWidget(m_top);
    m_vertical->addWidget(m_bottom);
    outer->addWidget(m_vertical, 1);
    setCentralWidget(central);
    setBusy(false);

    connect(m_graphPane, &CompareGraphPane::nodeChosen, this, &CompareWindow::showNodePairs);
    connect(m_pairView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                if (!m_syncing) {
                    const int row = current.data(compare_style::kReportRowRole).toInt();
                    if (current.isValid() && row >= 0) {
                        selectReportRow(row);
                    }
                }
            });
    connect(m_metricsView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                if (!m_syncing && current.isValid()) {
                    selectReportRow(current.data(compare_style::kReportRowRole).toInt());
                }
            });
}

QWidget* CompareWindow::buildMetricsPane() {
    auto* pane = new QWidget(this);
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* row = new QHBoxLayout;
    m_filter = new QLineEdit(pane);
    m_filter->setObjectName(QStringLiteral("compareFilter"));
    m_filter->setPlaceholderText(tr("Filter tensors by path…"));
    m_filter->setClearButtonEnabled(true);
    m_onlyChanged = new QCheckBox(tr("Only changed"), pane);
    m_onlyChanged->setObjectName(QStringLiteral("onlyChanged"));
    row->addWidget(m_filter, 1);
    row->addWidget(m_onlyChanged);
    m_weightsOnly = new QCheckBox(tr("Model weights only"), pane);
    m_weightsOnly->setObjectName(QStringLiteral("weightsOnly"));
    m_weightsOnly->setToolTip(
        tr("Hide optimizer and training state (optimizer groups, schedulers, epoch and step "
           "counters, seed generators) and the training config"));
    row->addWidget(m_weightsOnly);
    layout->addLayout(row);
    // Shown while the table holds only the pairs of a node chosen in the graph diff.
    auto* nodeRow = new QHBoxLayout;
    m_nodeFilter = new QLabel(pane);
    m_nodeFilter->setObjectName(QStringLiteral("nodeFilter"));
    m_showAll = new QToolButton(pane);
    m_showAll->setText(tr("Show all pairs"));
    m_showAll->setAutoRaise(true);
    nodeRow->addWidget(m_nodeFilter, 1);
    nodeRow->addWidget(m_showAll);
    layout->addLayout(nodeRow);
    m_nodeFilter->hide();
    m_showAll->hide();
    connect(m_showAll, &QToolButton::clicked, this, [this] { showNodePairs({}, {}); });

    m_metricsView = new QTableView(pane);
    m_metricsView->setObjectName(QStringLiteral("compareMetrics"));
    m_metricsView->setModel(m_proxy);
    m_metricsView->setSortingEnabled(true);
    m_metricsView->sortByColumn(CompareMetricsModel::RelL2Column, Qt::DescendingOrder);
    m_metricsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_metricsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_metricsView->setWordWrap(false);
    m_metricsView->verticalHeader()->hide();
    m_metricsView->verticalHeader()->setDefaultSectionSize(m_metricsView->fontMetrics().height() +
                                                           6);
    // Every metric column fits its content and header; the tensor path has a width of its own
    // (drag to widen), elided in the middle and whole in its tooltip; the table scrolls
    // sideways when the pane is narrow rather than cutting a column.
    QHeaderView* header = m_metricsView->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(CompareMetricsModel::KeyColumn, QHeaderView::Interactive);
    header->setStretchLastSection(false);
    header->resizeSection(CompareMetricsModel::KeyColumn,
                          m_metricsView->fontMetrics().horizontalAdvance(QLatin1Char('m')) * 18);
    m_metricsView->setTextElideMode(Qt::ElideMiddle);
    layout->addWidget(m_metricsView, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_onlyChanged, &QCheckBox::toggled, m_proxy, &CompareFilterProxy::setOnlyChanged);
    connect(m_weightsOnly, &QCheckBox::toggled, this, [this] {
        if (m_job->result()) {
            showResult();
        }
    });
    return pane;
}

QWidget* CompareWindow::buildConfigPane() {
    auto* pane = new QWidget(this);
    m_configPane = pane;
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    m_configTitle = new QLabel(tr("Configuration changes"), pane);
    QFont bold = m_configTitle->font();
    bold.setBold(true);
    m_configTitle->setFont(bold);
    m_configView = new QTableView(pane);
    m_configView->setObjectName(QStringLiteral("compareConfig"));
    m_configView->setModel(m_config);
    m_configView->setWordWrap(false);
    m_configView->verticalHeader()->hide();
    m_configView->verticalHeader()->setDefaultSectionSize(m_configView->fontMetrics().height() + 6);
    // The path gives way (elided on the left, whole in its tooltip) so old → new stay visible.
    m_configView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_configView->horizontalHeader()->setSectionResizeMode(ConfigChangeModel::PathColumn,
                                                           QHeaderView::Stretch);
    m_configView->horizontalHeader()->setStretchLastSection(false);
    m_configView->setTextElideMode(Qt::ElideLeft);
    m_configView->setSelectionBehavior(QAbstractItemView::SelectRows);
    layout->addWidget(m_configTitle);
    layout->addWidget(m_configView, 1);
    return pane;
}

void CompareWindow::resetLayout() {
    resize(1280, 800);
    m_vertical->setSizes({430, 330});
    m_top->setSizes({500, 780});
    m_bottom->setSizes({360, 340, 580});
}

void CompareWindow::compare(CompareSide a, CompareSide b) {
    const auto title = [](const CompareSide& s) {
        if (!s.title.isEmpty()) {
            return s.title;
        }
        return s.checkpoint ? fileName(s.checkpoint->filePath()) : QFileInfo(s.path).fileName();
    };
    m_files->setText(tr("<b>A</b> %1 &nbsp;⇄&nbsp; <b>B</b> %2")
                         .arg(title(a).toHtmlEscaped(), title(b).toHtmlEscaped()));
    setWindowTitle(tr("%1 ⇄ %2 — Compare").arg(title(a), title(b)));
    m_summary->setText(tr("Comparing…"));
    m_delta->cancel();
    m_selectedRow = -1;
    m_job->start(std::move(a), std::move(b));
}

void CompareWindow::setBusy(bool busy) {
    m_phase->setVisible(busy);
    m_bar->setVisible(busy);
    m_cancel->setVisible(busy);
    m_cancel->setEnabled(busy);
}

void CompareWindow::onFinished(const std::shared_ptr<const CompareResult>&) {
    setBusy(false);
    showResult();
    emit compareDone();
}

void CompareWindow::showResult() {
    const auto& full = m_job->result();
    if (m_weightsOnly->isChecked()) {
        auto filtered = std::make_shared<CompareResult>(*full);
        core::keepModelWeightsOnly(filtered->report);
        m_shown = std::move(filtered);
    } else {
        m_shown = full;
    }
    m_delta->cancel();
    m_selectedRow = -1;
    m_pairs->setResult(m_shown);
    m_metrics->setResult(m_shown);
    m_config->setResult(m_shown);
    m_graphPane->setResult(m_shown);
    showNodePairs({}, {});
    m_pairView->expandAll();
    showSummary(*m_shown);
    const int row = defaultReportRow();
    if (row >= 0) {
        selectReportRow(row);
    }
}

void CompareWindow::showSummary(const CompareResult& result) {
    const core::DiffReport& r = result.report;
    const core::DiffSummary& s = r.summary;
    QStringList parts;
    parts << tr("%n equal", nullptr, static_cast<int>(s.equal))
          << tr("%n changed", nullptr, static_cast<int>(s.changed + s.dtypeChanged));
    if (s.shapeChanged > 0) {
        parts << tr("%n shape changed", nullptr, static_cast<int>(s.shapeChanged));
    }
    parts << tr("%1 added / %2 removed").arg(s.added).arg(s.removed);
    if (const std::size_t guessed = s.pairedByPosition + s.pairedByShape; guessed > 0) {
        parts << tr("<span style='color:#8a5a00'>≈ %n paired by position or shape</span>", nullptr,
                    static_cast<int>(guessed));
    }
    if (!std::isnan(s.maxRelL2)) {
        parts << tr("max rel_l2 %1 (%2)").arg(fmt::number(s.maxRelL2, 3), maxRelL2Name(r));
    }
    if (r.config.compared || r.config.trainingCompared) {
        parts << tr("%n config change(s)", nullptr, static_cast<int>(s.configChanges));
    }
    QString text = parts.join(QStringLiteral(" · "));
    if (!s.different) {
        text = tr("Identical within tolerance — ") + text;
    }
    if (s.classMismatch) {
        text = tr("<span style='color:#b00020'><b>Different classes:</b> A is %1, B is %2. "
                  "Tensors are paired by position and shape, not by meaning.</span><br>")
                   .arg(fmt::qs(r.aClass).toHtmlEscaped(), fmt::qs(r.bClass).toHtmlEscaped()) +
               text;
    }
    for (std::size_t i = s.classMismatch ? 1 : 0; i < r.notes.size(); ++i) {
        text += QStringLiteral("<br><i>%1</i>").arg(fmt::qs(r.notes[i]).toHtmlEscaped());
    }
    m_summary->setText(text);
    m_files->setText(tr("<b>A</b> %1 (%2) &nbsp;⇄&nbsp; <b>B</b> %3 (%4)")
                         .arg(fileName(r.aFile).toHtmlEscaped(), fmt::qs(r.aFormat),
                              fileName(r.bFile).toHtmlEscaped(), fmt::qs(r.bFormat)));
    // Nothing to compare, or nothing changed: the summary says so; the delta views get the room.
    m_configPane->setVisible(!r.config.changes.empty());
    m_configTitle->setText(r.config.compared || r.config.trainingCompared
                               ? tr("Configuration changes (%1)").arg(r.config.changes.size())
                               : tr("Configuration changes — not compared (a side has no config)"));
}

QString CompareWindow::summaryText() const {
    return m_summary->text();
}

int CompareWindow::defaultReportRow() const {
    // The first row in table order with values compared, preferring a changed matrix.
    int fallback = -1;
    for (int i = 0; i < m_proxy->rowCount(); ++i) {
        const QModelIndex index = m_proxy->index(i, 0);
        const int row = index.data(compare_style::kReportRowRole).toInt();
        const core::TensorDiff& t = m_shown->report.tensors[static_cast<std::size_t>(row)];
        if (!t.metrics) {
            continue;
        }
        if (t.aShape.size() >= 2 && t.status != TensorDiffStatus::Equal) {
            return row;
        }
        if (fallback < 0) {
            fallback = row;
        }
    }
    return fallback;
}

void CompareWindow::selectReportRow(int reportRow) {
    const auto& result = m_shown;
    if (!result || reportRow < 0 ||
        static_cast<std::size_t>(reportRow) >= result->report.tensors.size()) {
        return;
    }
    m_syncing = true;
    const QModelIndex pair = m_pairs->indexForReportRow(reportRow);
    m_pairView->setCurrentIndex(pair);
    m_pairView->scrollTo(pair);
    if (!m_fromGraph) {
        m_graphPane->revealReportRow(reportRow);
    }
    const QModelIndex source = m_metrics->index(reportRow, 0);
    const QModelIndex proxied = m_proxy->mapFromSource(source);
    if (proxied.isValid()) {
        m_metricsView->setCurrentIndex(proxied);
        m_metricsView->scrollTo(proxied);
    } else {
        m_metricsView->clearSelection();
    }
    m_syncing = false;
    if (reportRow == m_selectedRow) {
        return;
    }
    m_selectedRow = reportRow;
    const core::TensorDiff& t = result->report.tensors[static_cast<std::size_t>(reportRow)];
    const QString shape = fmt::shape(t.aShape.empty() ? t.bShape : t.aShape);
    m_heatmap->setTitle(tr("Delta B − A: %1  %2").arg(compare_style::tensorName(t), shape));
    m_histogram->setTitle(tr("Histogram of B − A: %1").arg(compare_style::tensorName(t)));
    if (!t.metrics) {
        m_delta->cancel();
        onDeltaFailed(t.note.empty()
                          ? tr("%1: no values to compare").arg(compare_style::statusText(t.status))
                          : fmt::qs(t.note));
        return;
    }
    if (t.metrics->maxAbsDiff == 0.0 && t.metrics->nanMismatched == 0 &&
        t.metrics->infMismatched == 0) {
        m_delta->cancel();
        onDeltaFailed(tr("No difference: B − A is 0 everywhere."));
        return;
    }
    m_heatmap->clear(tr("Computing…"));
    m_histogram->clear(tr("Computing…"));
    m_delta->start(result, reportRow);
}

void CompareWindow::onDelta(const DeltaView& view) {
    if (view.heatmap.isEmpty()) {
        m_heatmap->clear(
            tr("A heatmap needs two or more dimensions; the histogram shows all "
               "the differences."));
    } else {
        m_heatmap->setData(view.heatmap);
    }
    m_histogram->setHistogram(view.lo, view.hi, view.counts);
    emit deltaShown();
}

void CompareWindow::onDeltaFailed(const QString& message) {
    m_heatmap->clear(message);
    m_histogram->clear(message);
    emit deltaShown();
}

}  // namespace ckpt::ui

namespace ckpt::ui {

void CompareWindow::showNodePairs(const QString& name, const std::vector<int>& rows) {
    if (name.isEmpty()) {
        m_proxy->setReportRows(std::nullopt);
        m_nodeFilter->hide();
        m_showAll->hide();
        return;
    }
    m_proxy->setReportRows(std::set<int>(rows.begin(), rows.end()));
    m_nodeFilter->setText(
        rows.empty() ? tr("<b>%1</b> holds no tensors").arg(name.toHtmlEscaped())
                     : tr("Pairs of <b>%1</b> (%2)").arg(name.toHtmlEscaped()).arg(rows.size()));
    m_nodeFilter->show();
    m_showAll->show();
    if (!rows.empty()) {
        m_fromGraph = true;
        selectReportRow(rows.front());
        m_fromGraph = false;
    }
}

}  // namespace ckpt::ui
