#include "ui/panels/graph_panel.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QShowEvent>
#include <QStackedLayout>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/model/checkpoint.h"
#include "ui/jobs/graph_job.h"
#include "ui/util/format.h"
#include "ui/widgets/graph_view.h"

namespace ckpt::ui {

namespace {

QToolButton* toolButton(const QString& text, const QString& tip, QWidget* parent) {
    auto* b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}

bool startsWithFolder(const std::string& path, const std::string& folder) {
    return path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 &&
           path[folder.size()] == '/';
}

}  // namespace

GraphPanel::GraphPanel(QWidget* parent)
    : QWidget(parent),
      m_job(new GraphJob(this)),
      m_view(new GraphView(this)),
      m_search(new QLineEdit(this)),
      m_matches(new QLabel(this)),
      m_info(new QLabel(this)),
      m_empty(new QLabel(tr("Open a checkpoint to see its architecture as a graph."), this)),
      m_progress(new QProgressBar(this)) {
    m_search->setPlaceholderText(tr("Find a layer or module (Ctrl+F, Enter for the next)"));
    m_search->setClearButtonEnabled(true);
    m_search->setObjectName(QStringLiteral("graphSearch"));
    connect(m_search, &QLineEdit::returnPressed, this, [this] { findNext(m_search->text()); });
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_lastFound = core::kNoGraphNode;
        m_matches->clear();
        if (text.size() >= 2) {
            findNext(text);
        }
    });

    auto* fit = toolButton(tr("Fit"), tr("Show the whole graph (0)"), this);
    auto* zoomIn = toolButton(tr("+"), tr("Zoom in (+, or the mouse wheel)"), this);
    auto* zoomOut = toolButton(tr("−"), tr("Zoom out (-)"), this);
    auto* expand = toolButton(tr("Expand all"), tr("Unfold every nested model"), this);
    auto* collapse = toolButton(tr("Collapse all"), tr("Fold every nested model"), this);
    connect(fit, &QToolButton::clicked, m_view, &GraphView::fitAll);
    connect(zoomIn, &QToolButton::clicked, this, [this] { m_view->zoomBy(1.25); });
    connect(zoomOut, &QToolButton::clicked, this, [this] { m_view->zoomBy(0.8); });
    connect(expand, &QToolButton::clicked, this, [this] {
        m_collapsed.clear();
        relayout(false);
    });
    connect(collapse, &QToolButton::clicked, this, [this] {
        if (!m_graph) {
            return;
        }
        m_collapsed.clear();
        for (const core::GraphNodeId id : m_graph->roots()) {
            if (!m_graph->node(id).children.empty()) {
                m_collapsed.insert(id);
            }
        }
        relayout(false);
    });

    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(160);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setObjectName(QStringLiteral("graphInfo"));

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_matches);
    bar->addWidget(fit);
    bar->addWidget(zoomIn);
    bar->addWidget(zoomOut);
    bar->addWidget(expand);
    bar->addWidget(collapse);
    bar->addWidget(m_progress);

    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    auto* stack = new QStackedLayout;
    stack->addWidget(m_empty);
    stack->addWidget(m_view);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_info);
    layout->addLayout(stack, 1);
    m_info->setContentsMargins(6, 0, 6, 0);

    connect(m_job, &GraphJob::progress, this, [this](int permille) {
        m_progress->show();
        if (permille < 0) {
            m_progress->setRange(0, 0);
        } else {
            m_progress->setRange(0, 1000);
            m_progress->setValue(permille);
        }
    });
    connect(m_job, &GraphJob::ready, this, &GraphPanel::onDrawing);
    connect(m_job, &GraphJob::failed, this, [this, stack](const QString& message) {
        m_progress->hide();
        m_empty->setText(tr("The graph could not be drawn: %1").arg(message));
        stack->setCurrentWidget(m_empty);
        m_graph.reset();
        m_view->setDrawing(nullptr, {});
        emit ready();
    });
    connect(m_view, &GraphView::nodeSelected, this, [this](core::GraphNodeId id) {
        if (id != core::kNoGraphNode) {
            emit layerChosen(treePathOf(id), fmt::qs(m_graph->node(id).name));
        }
    });
    connect(m_view, &GraphView::nodeActivated, this, &GraphPanel::onActivated);
    connect(this, &GraphPanel::ready, this, [this, stack] {
        stack->setCurrentWidget(m_graph ? static_cast<QWidget*>(m_view) : m_empty);
    });
}

GraphPanel::~GraphPanel() = default;

void GraphPanel::focusSearch() {
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

bool GraphPanel::isBusy() const {
    return m_job->isRunning();
}

void GraphPanel::setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint) {
    if (checkpoint == m_checkpoint) {
        return;
    }
    m_checkpoint = std::move(checkpoint);
    m_graph.reset();
    m_collapsed.clear();
    m_lastFound = core::kNoGraphNode;
    m_focusAfterLayout = core::kNoGraphNode;
    m_view->setDrawing(nullptr, {});
    m_info->clear();
    m_pending = false;
    if (!m_checkpoint) {
        m_job->cancel();
        m_progress->hide();
        m_empty->setText(tr("Open a checkpoint to see its architecture as a graph."));
        emit ready();
        return;
    }
    m_empty->setText(tr("Reading the architecture…"));
    m_pending = !isVisible();
    if (!m_pending) {
        relayout(true);
    }
}

void GraphPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_pending) {
        m_pending = false;
        relayout(true);
    }
}

void GraphPanel::relayout(bool autoCollapse) {
    if (!m_checkpoint && !m_graph) {
        return;
    }
    m_job->start(m_checkpoint, m_graph,
                 std::vector<core::GraphNodeId>(m_collapsed.begin(), m_collapsed.end()),
                 autoCollapse);
}

void GraphPanel::onDrawing(const GraphDrawing& drawing) {
    m_progress->hide();
    const bool first = m_graph != drawing.graph;
    const core::GraphNodeId keep =
        m_focusAfterLayout != core::kNoGraphNode ? m_focusAfterLayout : m_view->selectedNode();
    m_graph = drawing.graph;
    m_collapsed = std::set<core::GraphNodeId>(drawing.collapsed.begin(), drawing.collapsed.end());
    m_view->setDrawing(m_graph, drawing.layout);
    updateInfo(drawing.layoutMs);
    emit ready();
    if (first) {
        m_view->fitAll();
        m_view->showReadable();
    }
    if (keep != core::kNoGraphNode) {
        m_view->selectNode(keep, m_focusAfterLayout != core::kNoGraphNode);
    }
    m_focusAfterLayout = core::kNoGraphNode;
}

void GraphPanel::updateInfo(double layoutMs) {
    if (!m_graph) {
        m_info->clear();
        return;
    }
    std::size_t layers = 0;
    for (const auto& n : m_graph->nodes()) {
        layers += n.children.empty() ? 1 : 0;
    }
    QStringList parts;
    parts << fmt::qs(m_graph->source());
    parts << tr("%1 nodes, %2 edges").arg(fmt::count(layers), fmt::count(m_graph->edges().size()));
    if (!m_graph->edgesAreDataFlow()) {
        parts << tr("nesting only: this file does not state how data flows between modules");
    }
    if (!m_collapsed.empty()) {
        parts << tr("%n folded (double-click to unfold)", nullptr,
                    static_cast<int>(m_collapsed.size()));
    }
    if (!m_graph->warnings.empty()) {
        parts << tr("%n warning(s)", nullptr, static_cast<int>(m_graph->warnings.size()));
        QStringList tips;
        for (const auto& w : m_graph->warnings) {
            tips << fmt::qs(w).toHtmlEscaped();
        }
        m_info->setToolTip(tips.join(QStringLiteral("<br>")));
    } else {
        m_info->setToolTip({});
    }
    parts << tr("layout %1 ms").arg(layoutMs, 0, 'f', 0);
    m_info->setText(parts.join(QStringLiteral(" · ")));
}

void GraphPanel::toggleCollapsed(core::GraphNodeId id) {
    if (!m_graph || id >= m_graph->nodes().size() || m_graph->node(id).children.empty()) {
        return;
    }
    if (m_collapsed.erase(id) == 0) {
        m_collapsed.insert(id);
    }
    m_focusAfterLayout = id;
    relayout(false);
}

void GraphPanel::onActivated(core::GraphNodeId id) {
    if (!m_graph || id >= m_graph->nodes().size()) {
        return;
    }
    const core::GraphNode& node = m_graph->node(id);
    if (!node.children.empty()) {
        toggleCollapsed(id);
    } else if (!node.tensors.empty()) {
        emit tensorRequested(fmt::qs(node.tensors.front()));
    }
}

bool GraphPanel::unfold(core::GraphNodeId id) {
    bool changed = false;
    for (core::GraphNodeId p = m_graph->node(id).parent; p != core::kNoGraphNode;
         p = m_graph->node(p).parent) {
        changed |= m_collapsed.erase(p) != 0;
    }
    return changed;
}

bool GraphPanel::findNext(const QString& text) {
    if (!m_graph || text.isEmpty()) {
        return false;
    }
    const auto& nodes = m_graph->nodes();
    const std::size_t n = nodes.size();
    std::vector<core::GraphNodeId> hits;
    for (core::GraphNodeId id = 0; id < n; ++id) {
        const auto& node = nodes[id];
        if (fmt::qs(node.name).contains(text, Qt::CaseInsensitive) ||
            fmt::qs(node.path).contains(text, Qt::CaseInsensitive) ||
            fmt::qs(node.className).contains(text, Qt::CaseInsensitive)) {
            hits.push_back(id);
        }
    }
    if (hits.empty()) {
        m_matches->setText(tr("no match"));
        return false;
    }
    auto next = std::upper_bound(hits.begin(), hits.end(), m_lastFound);
    if (m_lastFound == core::kNoGraphNode || next == hits.end()) {
        next = hits.begin();
    }
    m_lastFound = *next;
    m_matches->setText(tr("%1 of %2").arg(next - hits.begin() + 1).arg(hits.size()));
    if (unfold(m_lastFound)) {
        m_focusAfterLayout = m_lastFound;
        relayout(false);
    } else {
        m_view->selectNode(m_lastFound);
        emit layerChosen(treePathOf(m_lastFound), fmt::qs(m_graph->node(m_lastFound).name));
    }
    return true;
}

QString GraphPanel::treePathOf(core::GraphNodeId id) const {
    if (!m_graph || id >= m_graph->nodes().size()) {
        return {};
    }
    const auto& tensors = m_graph->node(id).tensors;
    if (tensors.empty()) {
        return {};
    }
    // The tensors' common folder.
    std::string folder = tensors.front();
    for (const auto& t : tensors) {
        while (!folder.empty() && !(t == folder || startsWithFolder(t, folder))) {
            const auto slash = folder.rfind('/');
            folder = slash == std::string::npos ? std::string() : folder.substr(0, slash);
        }
    }
    if (tensors.size() == 1 || folder.empty() || folder == tensors.front()) {
        return fmt::qs(tensors.front());
    }
    // Only when no other node's tensor lives in it (torch keys share one state_dict folder).
    for (core::GraphNodeId other = 0; other < m_graph->nodes().size(); ++other) {
        if (other == id || m_graph->contains(id, other)) {
            continue;
        }
        for (const auto& t : m_graph->node(other).tensors) {
            if (startsWithFolder(t, folder)) {
                return fmt::qs(tensors.front());
            }
        }
    }
    return fmt::qs(folder);
}

core::GraphNodeId GraphPanel::nodeForPath(const std::string& path) const {
    core::GraphNodeId inFolder = core::kNoGraphNode;
    for (core::GraphNodeId id = 0; id < m_graph->nodes().size(); ++id) {
        for (const auto& t : m_graph->node(id).tensors) {
            if (t == path) {
                return id;
            }
            if (inFolder == core::kNoGraphNode && startsWithFolder(t, path)) {
                inFolder = id;
            }
        }
    }
    return inFolder;
}

bool GraphPanel::revealName(const QString& name) {
    if (!m_graph || name.isEmpty()) {
        return false;
    }
    const std::string wanted = name.toStdString();
    for (core::GraphNodeId id = 0; id < m_graph->nodes().size(); ++id) {
        if (m_graph->node(id).name == wanted) {
            return m_view->selectNode(id);
        }
    }
    return false;
}

bool GraphPanel::revealPath(const QString& path) {
    if (!m_graph || path.isEmpty()) {
        return false;
    }
    core::GraphNodeId id = nodeForPath(path.toStdString());
    if (id == core::kNoGraphNode) {
        return false;
    }
    // Folded away: select the fold that hides it.
    for (core::GraphNodeId p = id; p != core::kNoGraphNode; p = m_graph->node(p).parent) {
        if (m_collapsed.count(p) != 0) {
            id = p;
        }
    }
    return m_view->selectNode(id);
}

}  // namespace ckpt::ui
