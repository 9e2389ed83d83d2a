#pragma once
// The main window: wires views, models and background jobs; computes nothing itself.

#include <QMainWindow>

namespace ckpt::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
};

}  // namespace ckpt::ui
