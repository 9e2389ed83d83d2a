#include "ui/panels/tensor_panel.h"

#include <QFontDatabase>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>

#include "core/analysis/tensor_stats.h"
#include "core/model/tensor.h"
#include "ui/jobs/tensor_analysis.h"
#include "ui/models/tensor_matrix_view.h"
#include "ui/models/tensor_value_model.h"
#include "ui/panels/value_table_pane.h"
#include "ui/util/format.h"
#include "ui/widgets/heatmap_widget.h"
#include "ui/widgets/histogram_widget.h"
#include "ui/widgets/stats_view.h"

namespace ckpt::ui {

TensorPanel::TensorPanel(QWidget* parent)
    : QWidget(parent),
      m_analysis(new TensorAnalysis(this)),
      m_stack(new QStackedWidget(this)),
      m_path(new QLabel(this)),
      m_facts(new QLabel(this)),
      m_layout(new QLabel(this)),
      m_stats(new StatsView(this)),
      m_histogram(new HistogramWidget(this)),
      m_heatmap(new HeatmapWidget(this)),
      m_values(new QTableView(this)),
      m_valueModel(new TensorValueModel(this)),
      m_valuePane(new ValueTablePane(m_values, m_valueModel, this)) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_stack);

    auto* hint = new QLabel(tr("Select a tensor in the tree, or click a layer in the Overview, "
                               "to see its values and statistics."),
                            m_stack);
    hint->setAlignment(Qt::AlignCenter);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);
    m_stack->addWidget(hint);

    auto* page = new QWidget(m_stack);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(12, 10, 12, 8);
    layout->setSpacing(8);
    layout->addWidget(buildHeader());

    auto* statsBox = new QGroupBox(tr("Statistics"), page);
    auto* statsLayout = new QVBoxLayout(statsBox);
    statsLayout->addWidget(m_stats);

    m_values->setModel(m_valueModel);
    m_values->setObjectName(QStringLiteral("valueTable"));
    m_values->setWordWrap(false);
    // Wide enough for "-1.23457e-05" in the fixed font the cells use.
    const QFontMetrics fixed(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_values->horizontalHeader()->setDefaultSectionSize(fixed.horizontalAdvance("-0.000000000") +
                                                        14);
    m_values->horizontalHeader()->setMinimumSectionSize(40);
    m_values->verticalHeader()->setDefaultSectionSize(m_values->fontMetrics().height() + 6);
    m_values->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_values->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);

    auto* top = new QSplitter(Qt::Horizontal, page);
    top->setChildrenCollapsible(false);
    top->addWidget(statsBox);
    top->addWidget(m_histogram);
    top->setStretchFactor(0, 2);
    top->setStretchFactor(1, 3);
    auto* bottom = new QSplitter(Qt::Horizontal, page);
    bottom->setChildrenCollapsible(false);
    bottom->addWidget(m_heatmap);
    bottom->addWidget(m_valuePane);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 1);
    auto* vertical = new QSplitter(Qt::Vertical, page);
    vertical->setObjectName(QStringLiteral("tensorSplitter"));
    vertical->setChildrenCollapsible(false);
    vertical->addWidget(top);
    vertical->addWidget(bottom);
    vertical->setStretchFactor(0, 2);
    vertical->setStretchFactor(1, 3);
    layout->addWidget(vertical, 1);
    m_stack->addWidget(page);

    connect(m_valuePane, &ValueTablePane::statusMessage, this, &TensorPanel::statusMessage);
    connect(m_analysis, &TensorAnalysis::statsProgress, m_stats, &StatsView::showProgress);
    connect(m_analysis, &TensorAnalysis::statsReady, this, &TensorPanel::showStats);
    connect(m_analysis, &TensorAnalysis::statsFailed, this, [this](const QString& message) {
        m_stats->showMessage(message);
        m_histogram->clear(tr("No histogram: %1").arg(message));
    });
    connect(m_analysis, &TensorAnalysis::heatmapProgress, this, [this](int permille) {
        m_heatmap->setMessage(tr("Reading values… %1 %").arg(std::max(0, permille) / 10));
    });
    connect(m_analysis, &TensorAnalysis::heatmapReady, m_heatmap, &HeatmapWidget::setData);
    connect(m_analysis, &TensorAnalysis::focusHistogramReady, m_histogram,
            &HistogramWidget::setFocusHistogram);
    connect(m_analysis, &TensorAnalysis::heatmapFailed, this, [this](const QString& message) {
        m_heatmap->clear(tr("No heatmap: %1").arg(message));
    });
}

QWidget* TensorPanel::buildHeader() {
    auto* header = new QWidget(this);
    auto* layout = new QVBoxLayout(header);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    QFont big = m_path->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    m_path->setFont(big);
    m_path->setObjectName(QStringLiteral("tensorPath"));
    m_path->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long paths clip
    m_path->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_facts->setObjectName(QStringLiteral("tensorFacts"));
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_facts->setWordWrap(true);
    m_layout->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_path);
    layout->addWidget(m_facts);
    layout->addWidget(m_layout);
    return header;
}

void TensorPanel::setSelection(const TensorSelection& selection) {
    m_selection = selection;
    if (!selection.isValid()) {
        m_analysis->analyse(nullptr, nullptr);
        m_valuePane->setTensor(nullptr, nullptr, {});
        m_stack->setCurrentIndex(0);
        return;
    }
    const core::Tensor& t = *selection.tensor;
    m_stack->setCurrentIndex(1);
    // A scalar or a vector has nothing to draw as a heatmap: the table takes the room.
    m_heatmap->setVisible(t.shape().size() >= 2);
    m_path->setText(selection.path);
    m_path->setToolTip(selection.path);

    // A numpy structured type is named once, with its fields; messages say "structured".
    const bool structured = t.dtypeDetail().starts_with("[");
    QString dtype = structured ? tr("structured") : fmt::qs(t.typeLabel());
    if (!t.dtypeDetail().empty() && !structured) {
        dtype += QStringLiteral(" (%1)").arg(fmt::qs(t.dtypeDetail()));
    }
    QStringList facts;
    facts << QStringLiteral("<b>%1</b>").arg(dtype.toHtmlEscaped()) +
                 (structured ? QStringLiteral(" %1").arg(fmt::qs(t.dtypeDetail()).toHtmlEscaped())
                             : QString())
          << QStringLiteral("<b>%1</b>").arg(fmt::shape(t.shape()))
          << tr("%1 elements").arg(fmt::count(t.numel())) << fmt::bytes(t.storedBytes());
    if (t.source() != nullptr && !t.source()->storageDescription().empty()) {
        facts << fmt::qs(t.source()->storageDescription()).toHtmlEscaped();
    }
    if (core::dtypeIsComplex(t.dtype())) {
        facts << tr("table: real parts; statistics and histogram: |z|");
    }
    if (t.fortranOrder()) {
        facts << tr("Fortran order");
    }
    if (t.fileByteOrder() == core::ByteOrder::Big) {
        facts << tr("big-endian in the file");
    }
    m_facts->setText(facts.join(QStringLiteral("  ·  ")));

    std::shared_ptr<const void> keepAlive = selection.checkpoint;
    m_valuePane->setTensor(selection.tensor, keepAlive, selection.path);
    const auto* view = m_valueModel->view();
    m_layout->setText(view != nullptr && t.shape().size() > 2
                          ? tr("Heatmap and table show %1").arg(view->layoutDescription())
                          : QString());
    m_layout->setVisible(!m_layout->text().isEmpty());

    if (!t.readable()) {
        m_stats->showMessage(tr("The values of this tensor cannot be read (%1).").arg(dtype));
        m_histogram->clear(tr("No histogram for %1 values").arg(dtype));
        m_heatmap->clear(tr("No heatmap for %1 values").arg(dtype));
        m_analysis->analyse(nullptr, nullptr);
        return;
    }
    m_stats->showProgress(-1);
    m_histogram->clear(tr("Computing…"));
    if (t.shape().size() >= 2) {
        m_heatmap->clear(tr("Computing…"));
    } else {
        m_heatmap->clear(tr("A heatmap needs two or more dimensions; this tensor has %1.")
                             .arg(static_cast<int>(t.shape().size())));
    }
    m_heatmap->setTitle(tr("Heatmap  (%1)").arg(fmt::shape(t.shape())));
    m_analysis->analyse(selection.tensor, keepAlive);
}

void TensorPanel::showStats(const core::TensorStats& stats) {
    m_stats->showStats(stats);
    m_histogram->setHistogram(stats.histogram.lo, stats.histogram.hi, stats.histogram.counts,
                              stats.mean);
    const double maxAbs = std::max(std::fabs(stats.min), std::fabs(stats.max));
    m_valueModel->setColorRange(std::isfinite(maxAbs) ? maxAbs : 0.0);
}

QString TensorPanel::headerText() const {
    return m_path->text() + QLatin1Char('\n') + m_facts->text();
}

}  // namespace ckpt::ui
