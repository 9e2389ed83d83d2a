#pragma once
// The window's actions and menus with their shortcuts. Owns no behaviour: the window connects
// the actions' triggered() signals.

#include <QObject>

class QAction;
class QMainWindow;
class QMenu;

namespace ckpt::ui {

class RecentFiles;

class MainActions : public QObject {
    Q_OBJECT

public:
    /// Creates the actions and the menu bar of `window`.
    MainActions(QMainWindow* window, RecentFiles* recent);

    QAction* open;
    QAction* openSamples;
    QAction* reload;
    QAction* close;
    QAction* exportFile;
    QAction* compareWith;
    QAction* compareOpen;
    QAction* quit;
    QAction* focusFilter;
    QAction* showOverview;
    QAction* showArchitecture;
    QAction* showTensor;
    QAction* showFindings;
    QAction* about;
    QAction* clearRecent;
    QMenu* recentMenu;

signals:
    void recentFileChosen(const QString& path);

private:
    void fillRecentMenu();

    RecentFiles* m_recent;
};

}  // namespace ckpt::ui
