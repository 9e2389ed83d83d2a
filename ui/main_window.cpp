#include "ui/main_window.h"

#include <QLabel>

namespace ckpt::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("Checkpoint Inspector"));
    setCentralWidget(new QLabel(tr("Open a checkpoint with File > Open"), this));
    resize(1280, 800);
}

}  // namespace ckpt::ui
