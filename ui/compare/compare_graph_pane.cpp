#include "ui/compare/compare_graph_pane.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QShowEvent>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <set>

#include "core/graph/graph_builder.h"
#include "core/model/checkpoint.h"
#include "ui/jobs/compare_job.h"
#include "ui/jobs/graph_job.h"
#include "ui/util/format.h"
#include "ui/widgets/graph_view.h"

namespace ckpt::ui {

namespace {

/// Boxes shown at first; deeper levels fold beyond.
constexpr std::size_t kDefaultBoxes = 400;

QColor colorOf(const std::string& hex) {
    return hex.empty() ? QColor() : QColor(QString::fromStdString(hex));
}

/// Changed nodes shaded by their largest rel_l2: pale at 1e-4 and below, deep at 1 and above
/// (log scale), so that where a model moved most shows at a glance.
QColor relL2Shade(double relL2) {
    const double t = std::clamp((std::log10(std::max(relL2, 1e-12)) + 4.0) / 4.0, 0.0, 1.0);
    const QColor pale(0xff, 0xf4, 0xd9);
    const QColor deep(0xf0, 0x8c, 0x1a);
    return QColor::fromRgbF(pale.redF() + (deep.redF() - pale.redF()) * t,
                            pale.greenF() + (deep.greenF() - pale.greenF()) * t,
                            pale.blueF() + (deep.blueF() - pale.blueF()) * t);
}

QString changesTooltip(const core::GraphNodeDiff& d) {
    QStringList lines;
    lines << QStringLiteral("<b>%1</b>").arg(QString::fromUtf8(core::graphDiffStateName(d.state)));
    if (!std::isnan(d.maxRelL2)) {
        lines << QObject::tr("largest rel_l2 %1 (%2)")
                     .arg(fmt::number(d.maxRelL2, 3), fmt::qs(d.maxRelL2Key).toHtmlEscaped());
    }
    if (d.tensors > 0) {
        lines << QObject::tr("%1 of %2 tensors differ").arg(d.tensorsChanged).arg(d.tensors);
    }
    constexpr std::size_t kShown = 12;
    for (std::size_t i = 0; i < d.configChanges.size() && i < kShown; ++i) {
        const auto& c = d.configChanges[i];
        lines << QStringLiteral("%1: %2 → %3")
                     .arg(fmt::qs(c.path).toHtmlEscaped(), fmt::json(c.oldValue).toHtmlEscaped(),
                          fmt::json(c.newValue).toHtmlEscaped());
    }
    if (d.configChanges.size() > kShown) {
        lines << QObject::tr("… %1 more config changes").arg(d.configChanges.size() - kShown);
    }
    return lines.join(QStringLiteral("<br>"));
}

}  // namespace

CompareGraphPane::CompareGraphPane(QWidget* parent)
    : QWidget(parent),
      m_view(new GraphView(this)),
      m_search(new QLineEdit(this)),
      m_info(new QLabel(this)),
      m_progress(new QProgressBar(this)),
      m_job(
          this, tr("draw the graph diff"),
          [this](int permille) {
              m_progress->show();
              m_progress->setValue(std::max(0, permille));
          },
          [this](BackgroundJob<GraphDiffDrawing>::Outcome out) {
              m_progress->hide();
              if (out.value) {
                  onDrawing(*out.value);
              } else {
                  m_diff.reset();
                  m_view->setDrawing(nullptr, {});
                  m_info->setText(tr("The graph diff could not be drawn: %1")
                                      .arg(out.failure.error.toHtmlEscaped()));
                  emit ready();
              }
          }) {
    m_search->setPlaceholderText(tr("Find a layer (Ctrl+F, Enter for the next)"));
    m_search->setClearButtonEnabled(true);
    auto* find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(find);
    connect(find, &QAction::triggered, this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { findNext(m_search->text()); });
    auto* fit = new QToolButton(this);
    fit->setText(tr("Fit"));
    fit->setToolTip(tr("Show the whole graph (0)"));
    fit->setAutoRaise(true);
    connect(fit, &QToolButton::clicked, m_view, &GraphView::fitAll);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(140);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_info->setWordWrap(true);
    m_info->setObjectName(QStringLiteral("graphDiffInfo"));

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_search, 1);
    bar->addWidget(fit);
    bar->addWidget(m_progress);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(m_info);
    layout->addWidget(m_view, 1);

    connect(m_view, &GraphView::nodeSelected, this, [this](core::GraphNodeId id) {
        if (m_diff && id != core::kNoGraphNode) {
            emit nodeChosen(fmt::qs(m_diff->graph.node(id).path), reportRowsOf(id));
        }
    });
    connect(m_view, &GraphView::nodeActivated, this, [this](core::GraphNodeId id) {
        if (m_diff && id != core::kNoGraphNode) {
            emit nodeChosen(fmt::qs(m_diff->graph.node(id).path), reportRowsOf(id));
        }
    });
}

CompareGraphPane::~CompareGraphPane() = default;

void CompareGraphPane::setResult(std::shared_ptr<const CompareResult> result) {
    m_result = std::move(result);
    m_diff.reset();
    m_lastFound = core::kNoGraphNode;
    m_view->setDrawing(nullptr, {});
    m_info->setText(m_result ? tr("Reading both architectures…") : QString());
    m_job.cancel();
    m_progress->hide();
    m_pending = m_result != nullptr && !isVisible();
    if (m_result && !m_pending) {
        start();
    }
}

void CompareGraphPane::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_pending) {
        m_pending = false;
        start();
    }
}

void CompareGraphPane::start() {
    m_job.start([result = m_result](const JobContext& ctx) {
        ctx.progress(0, 4);
        const core::Graph a = core::buildGraph(*result->a);
        ctx.progress(1, 4);
        const core::Graph b = core::buildGraph(*result->b);
        ctx.progress(2, 4);
        auto diff = std::make_shared<core::GraphDiff>(core::diffGraphs(a, b, result->report));
        if (ctx.stopRequested()) {
            throw core::CancelledError();
        }
        ctx.progress(3, 4);
        core::GraphLayoutOptions options;
        options.collapsed = GraphJob::defaultCollapsed(diff->graph, kDefaultBoxes);
        // Changed nodes stay visible: unfold the folds that would hide them.
        std::set<core::GraphNodeId> folded(options.collapsed.begin(), options.collapsed.end());
        for (core::GraphNodeId id = 0; id < diff->nodes.size(); ++id) {
            if (diff->nodes[id].state == core::GraphDiffState::Same) {
                continue;
            }
            for (core::GraphNodeId p = diff->graph.node(id).parent; p != core::kNoGraphNode;
                 p = diff->graph.node(p).parent) {
                folded.erase(p);
            }
        }
        options.collapsed.assign(folded.begin(), folded.end());
        GraphDiffDrawing drawing;
        drawing.layout = core::layoutGraph(diff->graph, options);
        drawing.diff = std::move(diff);
        return drawing;
    });
}

void CompareGraphPane::onDrawing(const GraphDiffDrawing& drawing) {
    m_diff = drawing.diff;
    const core::GraphStyle style = core::graphDiffStyle(*m_diff);
    std::vector<GraphNodeLook> nodeLooks(m_diff->graph.nodes().size());
    for (std::size_t i = 0; i < nodeLooks.size(); ++i) {
        const core::GraphNodeDiff& d = m_diff->nodes[i];
        GraphNodeLook& look = nodeLooks[i];
        if (i < style.nodes.size()) {
            look.fill = colorOf(style.nodes[i].fillColor);
            look.note = fmt::qs(style.nodes[i].extraLabel);
            look.bold = style.nodes[i].bold;
        }
        if (d.state == core::GraphDiffState::Changed && !std::isnan(d.maxRelL2)) {
            look.fill = relL2Shade(d.maxRelL2);
        }
        look.tooltip = changesTooltip(d);
    }
    std::vector<GraphEdgeLook> edgeLooks(m_diff->graph.edges().size());
    for (std::size_t i = 0; i < edgeLooks.size() && i < style.edges.size(); ++i) {
        edgeLooks[i].color = colorOf(style.edges[i].color);
        edgeLooks[i].dashed = style.edges[i].dashed;
    }
    m_view->setDrawing(std::shared_ptr<const core::Graph>(m_diff, &m_diff->graph), drawing.layout,
                       std::move(nodeLooks), std::move(edgeLooks));
    const auto counts = stateCounts();
    std::size_t rewired = 0;
    for (const auto s : m_diff->edges) {
        rewired += s == core::GraphDiffState::Same ? 0 : 1;
    }
    m_info->setText(
        tr("<span style='background:#f8b860'>&nbsp;%1 changed&nbsp;</span> "
           "<span style='background:#c8ecd0'>&nbsp;%2 added&nbsp;</span> "
           "<span style='background:#f8c9c4'>&nbsp;%3 removed&nbsp;</span> · %4 unchanged · "
           "%5 rewired edges · changed layers darker the larger their rel_l2 (10⁻⁴ … 1) · %6")
            .arg(counts[1])
            .arg(counts[2])
            .arg(counts[3])
            .arg(counts[0])
            .arg(rewired)
            .arg(fmt::qs(m_diff->graph.source()).toHtmlEscaped()));
    m_view->showReadable();
    emit ready();
}

std::vector<std::size_t> CompareGraphPane::stateCounts() const {
    std::vector<std::size_t> counts(4, 0);
    if (m_diff) {
        for (std::size_t i = 0; i < m_diff->nodes.size(); ++i) {
            if (m_diff->graph.node(static_cast<core::GraphNodeId>(i)).children.empty()) {
                ++counts[static_cast<std::size_t>(m_diff->nodes[i].state)];
            }
        }
    }
    return counts;
}

std::vector<int> CompareGraphPane::reportRowsOf(core::GraphNodeId id) const {
    std::vector<int> rows;
    if (!m_diff || !m_result || id >= m_diff->nodes.size()) {
        return rows;
    }
    // The node's own tensors and those of the nodes inside it.
    std::set<std::string> paths;
    for (core::GraphNodeId n = 0; n < m_diff->graph.nodes().size(); ++n) {
        if (m_diff->graph.contains(id, n)) {
            for (const auto& t : m_diff->graph.node(n).tensors) {
                paths.insert(t);
            }
        }
    }
    const auto& tensors = m_result->report.tensors;
    int best = -1;
    double bestRel = -1.0;
    for (int r = 0; r < static_cast<int>(tensors.size()); ++r) {
        const auto& t = tensors[static_cast<std::size_t>(r)];
        if (paths.count(t.aPath) == 0 && paths.count(t.bPath) == 0) {
            continue;
        }
        rows.push_back(r);
        const double rel = t.metrics ? t.metrics->relL2 : -1.0;
        if (!std::isnan(rel) && rel > bestRel) {
            bestRel = rel;
            best = r;
        }
    }
    if (best >= 0) {
        std::iter_swap(rows.begin(), std::find(rows.begin(), rows.end(), best));
    }
    return rows;
}

bool CompareGraphPane::revealReportRow(int row) {
    if (!m_diff || !m_result || row < 0 ||
        row >= static_cast<int>(m_result->report.tensors.size())) {
        return false;
    }
    const auto& t = m_result->report.tensors[static_cast<std::size_t>(row)];
    for (core::GraphNodeId id = 0; id < m_diff->graph.nodes().size(); ++id) {
        for (const auto& path : m_diff->graph.node(id).tensors) {
            if (path == t.aPath || path == t.bPath) {
                for (core::GraphNodeId p = id; p != core::kNoGraphNode;
                     p = m_diff->graph.node(p).parent) {
                    if (m_view->isDrawn(p)) {
                        return m_view->selectNode(p);
                    }
                }
                return false;
            }
        }
    }
    return false;
}

bool CompareGraphPane::findNext(const QString& text) {
    if (!m_diff || text.isEmpty()) {
        return false;
    }
    const auto& nodes = m_diff->graph.nodes();
    for (std::size_t step = 1; step <= nodes.size(); ++step) {
        const auto id = static_cast<core::GraphNodeId>(
            (m_lastFound == core::kNoGraphNode ? step - 1 : m_lastFound + step) % nodes.size());
        const auto& n = nodes[id];
        if ((fmt::qs(n.name).contains(text, Qt::CaseInsensitive) ||
             fmt::qs(n.path).contains(text, Qt::CaseInsensitive)) &&
            m_view->isDrawn(id)) {
            m_lastFound = id;
            m_view->selectNode(id);
            return true;
        }
    }
    return false;
}

}  // namespace ckpt::ui
