#include "ui/main_actions.h"

#include <QAction>
#include <QFileInfo>
#include <QMainWindow>
#include <QMenuBar>
#include <QStyle>

#include "ui/util/recent_files.h"

namespace ckpt::ui {

MainActions::MainActions(QMainWindow* window, RecentFiles* recent)
    : QObject(window), m_recent(recent) {
    QStyle* style = window->style();
    open = new QAction(style->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open…"), this);
    open->setShortcut(QKeySequence::Open);
    openSamples = new QAction(tr("Open &Samples"), this);
    reload = new QAction(style->standardIcon(QStyle::SP_BrowserReload), tr("&Reload"), this);
    reload->setShortcut(QKeySequence(Qt::Key_F5));
    close = new QAction(tr("&Close File"), this);
    close->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    exportFile = new QAction(tr("&Export…"), this);
    exportFile->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    compareWith = new QAction(tr("Compare &With…"), this);
    compareWith->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    compareWith->setStatusTip(tr("Compare the current checkpoint with another file"));
    compareOpen = new QAction(tr("Compare Open &Files"), this);
    compareOpen->setStatusTip(tr("Compare the current checkpoint with another open one"));
    quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);
    focusFilter = new QAction(tr("&Find in Tree"), this);
    focusFilter->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
    showOverview = new QAction(tr("&Overview"), this);
    showOverview->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    showArchitecture = new QAction(tr("&Architecture"), this);
    showArchitecture->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    showTensor = new QAction(tr("&Tensor"), this);
    showTensor->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    showFindings = new QAction(tr("&Findings"), this);
    showFindings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    showGraph = new QAction(tr("&Graph"), this);
    showGraph->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_5));
    about = new QAction(tr("&About Checkpoint Inspector"), this);
    about->setMenuRole(QAction::AboutRole);
    clearRecent = new QAction(tr("Clear Recent Files"), this);

    QMenu* file = window->menuBar()->addMenu(tr("&File"));
    file->addAction(open);
    recentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(openSamples);
    file->addSeparator();
    file->addAction(reload);
    file->addAction(close);
    file->addSeparator();
    file->addAction(exportFile);
    file->addSeparator();
    file->addAction(compareWith);
    file->addAction(compareOpen);
    file->addSeparator();
    file->addAction(quit);
    QMenu* view = window->menuBar()->addMenu(tr("&View"));
    view->addAction(focusFilter);
    view->addSeparator();
    view->addAction(showOverview);
    view->addAction(showArchitecture);
    view->addAction(showTensor);
    view->addAction(showFindings);
    view->addAction(showGraph);
    QMenu* help = window->menuBar()->addMenu(tr("&Help"));
    help->addAction(about);

    connect(recentMenu, &QMenu::aboutToShow, this, &MainActions::fillRecentMenu);
    fillRecentMenu();
}

void MainActions::fillRecentMenu() {
    recentMenu->clear();
    const QStringList files = m_recent->files();
    int i = 0;
    for (const QString& path : files) {
        const QString label =
            QStringLiteral("&%1  %2").arg(++i % 10).arg(QFileInfo(path).fileName());
        QAction* a = recentMenu->addAction(label);
        a->setToolTip(path);
        a->setStatusTip(path);
        connect(a, &QAction::triggered, this, [this, path] { emit recentFileChosen(path); });
    }
    if (files.isEmpty()) {
        recentMenu->addAction(tr("No recent files"))->setEnabled(false);
    } else {
        recentMenu->addSeparator();
        recentMenu->addAction(clearRecent);
    }
}

}  // namespace ckpt::ui
