#pragma once
// The main window: wires views, models and background jobs; computes nothing itself.

#include <QMainWindow>
#include <functional>
#include <vector>

#include "ui/widgets/open_errors_dialog.h"

class QLabel;
class QSplitter;
class QTabWidget;

namespace ckpt::ui {

class ArchitecturePanel;
class FindingsPanel;
class GraphPanel;
class LoadProgress;
class MainActions;
class OverviewPanel;
class SessionController;
class TensorPanel;
class TreePanel;

/// The application window. Owns the session, the actions and the panels.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    /// Shows failures to open files: (title, one plain line per file). Without one (the
    /// default) an OpenErrorsDialog opens, window-modal and non-blocking, once per batch of
    /// files; tests set one.
    using ErrorPresenter = std::function<void(const QString&, const QString&)>;
    /// The tabs, in their order.
    enum Tab { OverviewTab, ArchitectureTab, TensorTab, FindingsTab, GraphTab };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Replaces how failures to open files are shown.
    void setErrorPresenter(ErrorPresenter presenter) { m_presentError = std::move(presenter); }

    /// Opens `paths` in the background (relative ones against the working directory); a file
    /// already open is reloaded.
    void openFiles(const QStringList& paths);
    /// Opens the bundled samples; returns how many there are.
    int openSamples();
    /// Selects the node at `path` in document `row` (making it visible); false if absent.
    bool selectPath(int row, const QString& path);
    /// Makes `tab` the current tab.
    void showTab(Tab tab);
    /// The window's default size.
    static constexpr QSize kDefaultSize{1280, 800};
    /// Puts the window back to `size` (the default size unless told) and the default pane
    /// widths for it, ignoring remembered ones.
    void resetLayout(QSize size = kDefaultSize);

    /// The window's parts (owned by the window), for tests and wiring.
    [[nodiscard]] SessionController* session() const { return m_session; }
    [[nodiscard]] TreePanel* treePanel() const { return m_tree; }
    [[nodiscard]] OverviewPanel* overviewPanel() const { return m_overview; }
    [[nodiscard]] ArchitecturePanel* architecturePanel() const { return m_architecture; }
    [[nodiscard]] TensorPanel* tensorPanel() const { return m_tensor; }
    [[nodiscard]] FindingsPanel* findingsPanel() const { return m_findings; }
    [[nodiscard]] GraphPanel* graphPanel() const { return m_graph; }
    [[nodiscard]] QTabWidget* tabs() const { return m_tabs; }
    [[nodiscard]] MainActions* actions() const { return m_actions; }
    /// The status bar's permanent note of the file the tabs show.
    [[nodiscard]] QString shownFileText() const;

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildLayout();
    void connectActions();
    void connectSession();
    void chooseFiles();
    void exportCurrent();
    void onDocumentOpened(int row, const QString& selectPath);
    void updateTitle();
    void restoreState();
    void saveState() const;
    void showAbout();
    void presentFailures();

    SessionController* m_session;
    MainActions* m_actions;
    TreePanel* m_tree = nullptr;
    QTabWidget* m_tabs = nullptr;
    OverviewPanel* m_overview = nullptr;
    ArchitecturePanel* m_architecture = nullptr;
    TensorPanel* m_tensor = nullptr;
    FindingsPanel* m_findings = nullptr;
    GraphPanel* m_graph = nullptr;
    QSplitter* m_splitter = nullptr;
    LoadProgress* m_progress = nullptr;
    QLabel* m_shownFile = nullptr;
    QList<int> m_pendingSplit;  ///< splitter sizes to apply when the window first shows
    ErrorPresenter m_presentError;
    std::vector<OpenErrorsDialog::Failure> m_failures;  ///< collected until the loader is idle
    bool m_selectingProgrammatically = false;
};

}  // namespace ckpt::ui
