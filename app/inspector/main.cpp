#include <QApplication>

#include "ui/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("Checkpoint Inspector");
    QApplication::setOrganizationName("ckpt-inspector");
    ckpt::ui::MainWindow window;
    window.show();
    return QApplication::exec();
}
