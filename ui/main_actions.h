#pragma once
// The window's actions and menus with their shortcuts. Owns no behaviour: the window connects
// the actions' triggered() signals.

#include <QObject>

class QAction;
class QMainWindow;
class QMenu;

namespace ckpt::ui {

class RecentFiles;

/// The main window's actions and its File, View and Help menus. The actions are children of this
/// object, which is a child of the window.
class MainActions : public QObject {
    Q_OBJECT

public:
    /// Creates the actions and the menu bar of `window`.
    MainActions(QMainWindow* window, RecentFiles* recent);

    /// File menu: Open… (Ctrl+O), Open Samples, Reload (F5), Close File (Ctrl+W), Export… (Ctrl+E),
    /// Compare With… (Ctrl+D), Compare Open Files, Quit (Ctrl+Q).
    QAction* open;
    QAction* openSamples;
    QAction* reload;
    QAction* close;
    QAction* exportFile;
    QAction* compareWith;
    QAction* compareOpen;
    QAction* quit;
    /// View menu: Find in Tree (Ctrl+F), then the tabs Overview, Architecture, Tensor and Findings
    /// (Ctrl+1 to Ctrl+4).
    QAction* focusFilter;
    QAction* showOverview;
    QAction* showArchitecture;
    QAction* showTensor;
    QAction* showFindings;
    QAction* showGraph;
    /// Help menu: About.
    QAction* about;
    /// Clear Recent Files, at the end of Open Recent while it lists files.
    QAction* clearRecent;
    /// File ▸ Open Recent, filled again from RecentFiles each time it is about to show.
    QMenu* recentMenu;

signals:
    /// The user chose `path` in Open Recent.
    void recentFileChosen(const QString& path);

private:
    void fillRecentMenu();

    RecentFiles* m_recent;
};

}  // namespace ckpt::ui
