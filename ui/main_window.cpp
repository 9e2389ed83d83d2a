#include "ui/main_window.h"
#include "ui/controllers/validation_reports.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QScopedValueRollback>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeView>

#include "core/model/checkpoint.h"
#include "ui/compare/compare_launcher.h"
#include "ui/controllers/session_controller.h"
#include "ui/export/export_dialog.h"
#include "ui/jobs/load_controller.h"
#include "ui/main_actions.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/panels/architecture_panel.h"
#include "ui/panels/findings_panel.h"
#include "ui/panels/graph_panel.h"
#include "ui/panels/overview_panel.h"
#include "ui/panels/tensor_panel.h"
#include "ui/panels/tree_panel.h"
#include "ui/util/about_text.h"
#include "ui/util/file_filters.h"
#include "ui/util/format.h"
#include "ui/util/recent_files.h"
#include "ui/util/sample_checkpoints.h"
#include "ui/widgets/load_progress.h"
#include "ui/widgets/node_icons.h"
#include "ui/widgets/open_errors_dialog.h"

namespace ckpt::ui {

namespace {
/// Width of the status bar's "Showing FILE · FORMAT" label, in pixels.
constexpr int kShownFileWidth = 380;
}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_session(new SessionController(this)) {
    setWindowTitle(tr("Checkpoint Inspector"));
    setWindowIcon(NodeIcons::application());
    setAcceptDrops(true);
    m_actions = new MainActions(this, m_session->recentFiles());
    buildLayout();
    connectActions();
    connectSession();
    resetLayout();
    restoreState();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildLayout() {
    m_tree = new TreePanel(m_session->model(), this);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_overview = new OverviewPanel(m_tabs);
    m_architecture = new ArchitecturePanel(m_tabs);
    m_tensor = new TensorPanel(m_tabs);
    m_tabs->addTab(m_overview, tr("Overview"));
    m_tabs->addTab(m_architecture, tr("Architecture"));
    m_tabs->addTab(m_tensor, tr("Tensor"));
    m_findings = new FindingsPanel(m_tabs);
    m_tabs->addTab(m_findings, tr("Findings"));
    m_graph = new GraphPanel(m_tabs);
    m_tabs->addTab(m_graph, tr("Graph"));

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(m_tree);
    m_splitter->addWidget(m_tabs);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    setCentralWidget(m_splitter);

    m_progress = new LoadProgress(this);
    m_progress->hide();
    m_shownFile = new QLabel(this);
    // A fixed width, the text elided into it (an Ignored size policy let the status bar's
    // layout place the label past the window's edge).
    m_shownFile->setFixedWidth(kShownFileWidth);
    m_shownFile->setObjectName(QStringLiteral("statusShownFile"));
    statusBar()->addPermanentWidget(m_shownFile);
    statusBar()->showMessage(tr("Ready — open a checkpoint with Ctrl+O or drop one here"));
}

void MainWindow::connectActions() {
    connect(m_actions->open, &QAction::triggered, this, &MainWindow::chooseFiles);
    connect(m_actions->openSamples, &QAction::triggered, this, &MainWindow::openSamples);
    connect(m_actions->reload, &QAction::triggered, this,
            [this] { m_session->reload(m_session->currentDocument()); });
    connect(m_actions->close, &QAction::triggered, this,
            [this] { m_session->close(m_session->currentDocument()); });
    connect(m_actions->exportFile, &QAction::triggered, this, &MainWindow::exportCurrent);
    connect(m_actions->quit, &QAction::triggered, this, &QWidget::close);
    // Ctrl+F finds where the focus is: in the graph while it has the focus, else in the tree.
    connect(m_actions->focusFilter, &QAction::triggered, this, [this] {
        if (m_tabs->currentWidget() == m_graph && m_graph->isAncestorOf(focusWidget())) {
            m_graph->focusSearch();
        } else {
            m_tree->focusFilter();
        }
    });
    connect(m_actions->showOverview, &QAction::triggered, this, [this] { showTab(OverviewTab); });
    connect(m_actions->showArchitecture, &QAction::triggered, this,
            [this] { showTab(ArchitectureTab); });
    connect(m_actions->showTensor, &QAction::triggered, this, [this] { showTab(TensorTab); });
    connect(m_actions->showFindings, &QAction::triggered, this, [this] { showTab(FindingsTab); });
    connect(m_actions->showGraph, &QAction::triggered, this, [this] { showTab(GraphTab); });
    connect(m_actions->about, &QAction::triggered, this, &MainWindow::showAbout);
    connect(m_actions->clearRecent, &QAction::triggered, m_session->recentFiles(),
            &RecentFiles::clear);
    connect(m_actions, &MainActions::recentFileChosen, this,
            [this](const QString& path) { openFiles({path}); });
    auto* compare = new CompareLauncher(this, m_session);
    connect(m_actions->compareWith, &QAction::triggered, compare,
            &CompareLauncher::compareWithFile);
    connect(m_actions->compareOpen, &QAction::triggered, compare,
            &CompareLauncher::compareOpenDocuments);
    connect(compare, &CompareLauncher::statusMessage, this,
            [this](const QString& message) { statusBar()->showMessage(message, 8000); });
    connect(m_progress, &LoadProgress::cancelRequested, m_session->loader(),
            &LoadController::cancelAll);
}

void MainWindow::connectSession() {
    LoadController* loader = m_session->loader();
    connect(loader, &LoadController::busyChanged, this, [this](bool busy) {
        // The progress bar joins the status bar only while loading: QStatusBar lays its widgets
        // out again when one is added or removed, not when one hides, and the file label would
        // keep the place the bar pushed it to, past the window's edge.
        if (busy) {
            statusBar()->insertPermanentWidget(0, m_progress);
            m_progress->show();
        } else {
            statusBar()->removeWidget(m_progress);
        }
    });
    connect(loader, &LoadController::started, m_progress, &LoadProgress::start);
    connect(loader, &LoadController::progress, m_progress, &LoadProgress::setProgress);
    connect(m_session, &SessionController::statusMessage, this,
            [this](const QString& message) { statusBar()->showMessage(message, 15000); });
    connect(m_session, &SessionController::loadFailed, this,
            [this](const QString& path, const QString& message) {
                m_session->recentFiles()->remove(path);
                m_failures.push_back({path, message});
            });
    // Every file that failed while the loader was busy goes into one dialog.
    connect(loader, &LoadController::busyChanged, this, [this](bool busy) {
        if (!busy) {
            presentFailures();
        }
    });
    connect(m_session, &SessionController::documentOpened, this, &MainWindow::onDocumentOpened);
    connect(m_tree, &TreePanel::currentChanged, m_session, &SessionController::setCurrentIndex);
    connect(m_tree, &TreePanel::closeDocumentRequested, m_session, &SessionController::close);
    connect(m_session, &SessionController::currentDocumentChanged, this,
            [this](std::shared_ptr<const core::Checkpoint> checkpoint, const QString& path) {
                m_overview->setCheckpoint(checkpoint, path);
                m_architecture->setCheckpoint(checkpoint);
                m_findings->setCheckpoint(checkpoint);
                m_graph->setCheckpoint(checkpoint);
                const auto* shown = m_tensor->selection().checkpoint.get();
                if (shown != nullptr && !m_session->isOpen(shown)) {
                    m_tensor->setSelection({});  // its file was closed or reloaded
                }
                updateTitle();
            });
    connect(m_session, &SessionController::currentTensorChanged, this,
            [this](const TensorSelection& selection) {
                // A group or value keeps the last tensor on the Tensor tab.
                if (!selection.isValid()) {
                    return;
                }
                m_tensor->setSelection(selection);
                if (!m_selectingProgrammatically) {
                    showTab(TensorTab);
                }
            });
    connect(m_tensor, &TensorPanel::statusMessage, this,
            [this](const QString& message) { statusBar()->showMessage(message, 8000); });
    connect(m_overview, &OverviewPanel::layerActivated, this,
            [this](const QString& path) { selectPath(m_session->currentDocument(), path); });
    // Graph <-> tree: a node chosen in the graph selects its layer in the tree (and the tree's
    // choice is shown in the graph) without leaving the Graph tab.
    connect(m_graph, &GraphPanel::layerChosen, this,
            [this](const QString& path, const QString& name) {
                m_architecture->selectLayerNamed(name);
                if (!path.isEmpty()) {
                    const QScopedValueRollback stay(m_selectingProgrammatically, true);
                    selectPath(m_session->currentDocument(), path);
                }
            });
    connect(m_architecture, &ArchitecturePanel::layerSelected, this, [this](const QString& name) {
        if (m_tabs->currentWidget() != m_graph) {
            m_graph->revealName(name);
        }
    });
    connect(m_graph, &GraphPanel::tensorRequested, this,
            [this](const QString& path) { selectPath(m_session->currentDocument(), path); });
    connect(m_tree, &TreePanel::currentChanged, this, [this](const QModelIndex& index) {
        if (!m_selectingProgrammatically || m_tabs->currentWidget() != m_graph) {
            if (const core::Node* node = m_session->model()->node(index)) {
                m_graph->revealPath(QString::fromStdString(node->path()));
            }
        }
    });
    connect(m_findings, &FindingsPanel::nodeRequested, this,
            [this](const QString& path) { selectPath(m_session->currentDocument(), path); });
    connect(m_findings, &FindingsPanel::nodeSelected, this, [this](const QString& path) {
        const QScopedValueRollback stay(m_selectingProgrammatically, true);  // keep this tab
        selectPath(m_session->currentDocument(), path);
    });
    m_findings->setReports(m_session->reports());
    connect(m_session->reports(), &ValidationReports::ready, m_session->model(),
            &CheckpointTreeModel::setFindings);
    connect(m_findings, &FindingsPanel::statusChanged, m_overview,
            &OverviewPanel::setFindingsStatus);
    connect(m_overview, &OverviewPanel::findingsRequested, this, [this] { showTab(FindingsTab); });
    connect(m_findings, &FindingsPanel::layerRequested, this, [this](int row) {
        m_architecture->revealLayer(row);
        showTab(ArchitectureTab);
    });
    connect(m_findings, &FindingsPanel::countChanged, this, [this](int count) {
        m_tabs->setTabText(FindingsTab,
                           count > 0 ? tr("Findings (%1)").arg(count) : tr("Findings"));
    });
    // Closing a file may leave the view without a current index and without a signal.
    connect(m_session->model(), &QAbstractItemModel::rowsRemoved, this,
            [this](const QModelIndex& parent) {
                if (!parent.isValid()) {
                    m_session->setCurrentIndex(m_tree->currentIndex());
                    updateTitle();
                }
            });
}

void MainWindow::presentFailures() {
    if (m_failures.empty()) {
        return;
    }
    const std::vector<OpenErrorsDialog::Failure> failures = std::move(m_failures);
    m_failures.clear();
    if (m_presentError) {
        m_presentError(OpenErrorsDialog::titleFor(failures),
                       OpenErrorsDialog::summaryFor(failures));
        return;
    }
    auto* dialog = new OpenErrorsDialog(failures, this);
    dialog->open();  // window-modal and non-blocking
}

void MainWindow::openFiles(const QStringList& paths) {
    m_session->openFiles(paths);
}

int MainWindow::openSamples() {
    return m_session->openSamples();
}

bool MainWindow::selectPath(int row, const QString& path) {
    const QModelIndex index = m_session->model()->indexForPath(row, path.toStdString());
    if (!index.isValid()) {
        statusBar()->showMessage(tr("%1 is not in the tree (is a filter hiding it?)").arg(path),
                                 8000);
        return false;
    }
    m_tree->select(index);
    return true;
}

void MainWindow::resetLayout(QSize size) {
    resize(size);
    const int tree = size.width() * 39 / 100;  // 500 of 1280, 400 of 1024
    m_splitter->setSizes({tree, size.width() - tree});
    // A splitter not yet shown shares its width out again when it first appears (the tree got
    // 68 px): apply the sizes once more then.
    m_pendingSplit = isVisible() ? QList<int>() : QList<int>{tree, size.width() - tree};
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (!m_pendingSplit.isEmpty()) {
        m_splitter->setSizes(m_pendingSplit);
        m_pendingSplit.clear();
    }
}

void MainWindow::showTab(Tab tab) {
    m_tabs->setCurrentIndex(static_cast<int>(tab));
}

void MainWindow::onDocumentOpened(int row, const QString& selectPath) {
    m_tree->revealDocument(row);
    m_selectingProgrammatically = true;
    if (selectPath.isEmpty() || !this->selectPath(row, selectPath)) {
        m_tree->select(m_session->model()->documentIndex(row));
    }
    m_selectingProgrammatically = false;
    m_tree->view()->setFocus(Qt::OtherFocusReason);
    if (selectPath.isEmpty()) {
        showTab(OverviewTab);
    }
}

void MainWindow::chooseFiles() {
    const QString dir = QFileInfo(m_session->recentFiles()->files().value(0)).absolutePath();
    const QStringList files =
        QFileDialog::getOpenFileNames(this, tr("Open Checkpoints"), dir, checkpointFileFilter());
    if (!files.isEmpty()) {
        openFiles(files);
    }
}

void MainWindow::exportCurrent() {
    const int doc = m_session->currentDocument();
    if (auto checkpoint = m_session->model()->checkpoint(doc)) {
        auto* dialog = new ExportDialog(checkpoint, m_session->model()->documentTitle(doc), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &ExportDialog::openRequested, this,
                [this](const QString& path) { openFiles({path}); });
        dialog->open();
    }
}

void MainWindow::updateTitle() {
    const int doc = m_session->currentDocument();
    const QString title = m_session->model()->documentTitle(doc);
    setWindowTitle(title.isEmpty() ? tr("Checkpoint Inspector")
                                   : tr("%1 — Checkpoint Inspector").arg(title));
    // The file the Overview and the other tabs show, whatever the transient messages say.
    const auto& checkpoint = m_session->model()->checkpoint(doc);
    // Elided in the middle to the label's width; transient messages on the left are cut first.
    const QString shown =
        checkpoint ? tr("Showing %1 · %2").arg(title, fmt::qs(checkpoint->formatDescription()))
                   : QString();
    m_shownFile->setProperty("fullText", shown);
    m_shownFile->setText(
        m_shownFile->fontMetrics().elidedText(shown, Qt::ElideMiddle, kShownFileWidth - 8));
    m_shownFile->setToolTip(
        checkpoint ? SampleCheckpoints::displayPath(m_session->model()->documentPath(doc))
                   : QString());
    m_actions->reload->setEnabled(doc >= 0);
    m_actions->close->setEnabled(doc >= 0);
    m_actions->exportFile->setEnabled(doc >= 0);
}

QString MainWindow::shownFileText() const {
    return m_shownFile->property("fullText").toString();
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Checkpoint Inspector"),
                       aboutHtml(QApplication::applicationVersion()));
}

void MainWindow::restoreState() {
    QSettings s;
    const QByteArray geometry = s.value(QStringLiteral("window/geometry")).toByteArray();
    if (!geometry.isEmpty()) {
        restoreGeometry(geometry);
    }
    const QByteArray splitter = s.value(QStringLiteral("window/splitter")).toByteArray();
    if (!splitter.isEmpty()) {
        m_splitter->restoreState(splitter);
        m_pendingSplit.clear();
    }
    updateTitle();
}

void MainWindow::saveState() const {
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveState();
    m_session->loader()->cancelAll();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls() && !openablePaths(event->mimeData()->urls()).isEmpty()) {
        event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
    // Files, and folders that hold a split bundle (opened as one checkpoint).
    const QStringList files = openablePaths(event->mimeData()->urls());
    if (!files.isEmpty()) {
        event->acceptProposedAction();
        openFiles(files);
    }
}

}  // namespace ckpt::ui
