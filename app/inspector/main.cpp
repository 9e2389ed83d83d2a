// ckpt-inspector: the desktop app. Parses the command line and hands over to MainWindow, or
// to ScreenshotSession for --screenshot.

#include <QApplication>
#include <QCommandLineParser>
#include <QTabWidget>
#include <QTextStream>
#include <cstdio>
#include <memory>
#include <string_view>

#include "app/inspector/shots/compare_screenshot.h"
#include "app/inspector/shots/screenshot_session.h"
#include "core/util/escape.h"
#include "core/util/version.h"
#include "ui/compare/compare_graph_pane.h"
#include "ui/compare/compare_window.h"
#include "ui/main_window.h"
#include "ui/widgets/node_icons.h"

namespace {

/// "ckpt-inspector: MESSAGE" on `out`; text from a file (names, error details) is escaped so
/// that no control byte reaches the terminal, one line per line of the message.
void printMessage(std::FILE* out, const QString& message) {
    const std::string text = ckpt::core::escapeTextKeepLines(message.toStdString());
    std::fprintf(out, "ckpt-inspector: %s\n", text.c_str());
}

int tabFromName(const QString& name) {
    if (name == QLatin1String("architecture")) {
        return ckpt::ui::MainWindow::ArchitectureTab;
    }
    if (name == QLatin1String("tensor")) {
        return ckpt::ui::MainWindow::TensorTab;
    }
    if (name == QLatin1String("findings")) {
        return ckpt::ui::MainWindow::FindingsTab;
    }
    if (name == QLatin1String("overview")) {
        return ckpt::ui::MainWindow::OverviewTab;
    }
    if (name == QLatin1String("graph")) {
        return ckpt::ui::MainWindow::GraphTab;
    }
    return -1;
}

/// `--compare A B [--screenshot PNG]`: the Compare window on its own.
int runCompare(QApplication& app, const QString& a, const QString& b, const QString& png,
               bool graph) {
    ckpt::ui::CompareWindow window;
    window.show();
    window.resetLayout();
    if (graph) {
        window.leftTabs()->setCurrentWidget(window.graphPane());
    }
    if (png.isEmpty()) {
        window.compare({{}, a, {}}, {{}, b, {}});
        return QApplication::exec();
    }
    ckpt::ui::CompareScreenshot session(&window, png, graph);
    int exitCode = 1;
    QObject::connect(&session, &ckpt::ui::CompareScreenshot::finished, &app,
                     [&exitCode](int code, const QString& message) {
                         exitCode = code;
                         printMessage(code == 0 ? stdout : stderr, message);
                         QApplication::exit(code);
                     });
    session.start(a, b);
    QApplication::exec();
    return exitCode;
}

/// True when the command line asks only for text (--help, --version): that is answered
/// without a display, so no QApplication (which needs one) is made.
bool wantsTextOnly(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "--") {
            break;
        }
        if (a == "-h" || a == "--help" || a == "--help-all" || a == "-v" || a == "--version" ||
            a == "-?") {
            return true;
        }
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    // For --help and --version a QCoreApplication: parser.process() prints and exits before
    // anything graphical is made.
    const std::unique_ptr<QCoreApplication> application =
        wantsTextOnly(argc, argv) ? std::make_unique<QCoreApplication>(argc, argv)
                                  : std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setApplicationName("Checkpoint Inspector");
    QCoreApplication::setOrganizationName("ckpt-inspector");
    QCoreApplication::setApplicationVersion(QString::fromLatin1(ckpt::core::productVersion()));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "See inside machine-learning checkpoints without running them."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QApplication::translate("main",
                                "Open the files, render the window (at --size) into "
                                "<png> and exit (non-zero if a file fails)."),
        QStringLiteral("png"));
    const QCommandLineOption tab(
        QStringLiteral("tab"),
        QApplication::translate("main",
                                "Tab shown by --screenshot: overview, architecture, tensor, "
                                "findings or graph (default: overview); with --compare, tensors "
                                "or graph (the graph diff)."),
        QStringLiteral("name"), QStringLiteral("overview"));
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QApplication::translate("main",
                                "Compare two checkpoints, A (the reference) and B: "
                                "ckpt-inspector --compare A B. With --screenshot, renders "
                                "the Compare window once the diff and the delta of the "
                                "most changed matrix are computed."));
    const QCommandLineOption tensor(
        QStringLiteral("tensor"),
        QApplication::translate("main",
                                "Tensor selected by --screenshot, a path in the first file "
                                "(default: the first layer's kernel)."),
        QStringLiteral("path"));
    const QCommandLineOption size(
        QStringLiteral("size"),
        QApplication::translate("main", "Window size for --screenshot (default: 1280x800)."),
        QStringLiteral("WxH"), QStringLiteral("1280x800"));
    parser.addOption(screenshot);
    parser.addOption(tab);
    parser.addOption(tensor);
    parser.addOption(size);
    parser.addOption(compare);
    parser.addPositionalArgument(
        QStringLiteral("files"),
        QApplication::translate(
            "main", "Checkpoints to open (the bundled samples when none); A and B with --compare."),
        QStringLiteral("[FILE...]"));
    parser.process(*application);
    auto& app = static_cast<QApplication&>(*application);  // text-only runs have exited
    QApplication::setWindowIcon(ckpt::ui::NodeIcons::application());
#ifdef CKPT_APP_ID
    // The installed .desktop file's name: Wayland compositors match the window to it.
    QApplication::setDesktopFileName(QStringLiteral(CKPT_APP_ID));
#endif

    const QStringList files = parser.positionalArguments();
    if (parser.isSet(compare)) {
        if (files.size() != 2) {
            std::fprintf(stderr, "ckpt-inspector: --compare needs two files, A and B\n");
            return 2;
        }
        const QString compareTab = parser.isSet(tab) ? parser.value(tab) : QString();
        if (!compareTab.isEmpty() && compareTab != QLatin1String("tensors") &&
            compareTab != QLatin1String("graph")) {
            std::fprintf(stderr, "ckpt-inspector: unknown Compare tab '%s' (tensors or graph)\n",
                         qPrintable(compareTab));
            return 2;
        }
        return runCompare(app, files[0], files[1],
                          parser.isSet(screenshot) ? parser.value(screenshot) : QString(),
                          compareTab == QLatin1String("graph"));
    }
    ckpt::ui::MainWindow window;
    if (parser.isSet(screenshot)) {
        const int tabIndex = tabFromName(parser.value(tab));
        if (tabIndex < 0) {
            std::fprintf(stderr, "ckpt-inspector: unknown tab '%s'\n",
                         qPrintable(parser.value(tab)));
            return 2;
        }
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        const QSize windowSize(wh.value(0).toInt(), wh.value(1).toInt());
        if (wh.size() != 2 || windowSize.width() < 400 || windowSize.height() < 300) {
            std::fprintf(stderr, "ckpt-inspector: --size wants WxH, at least 400x300, not '%s'\n",
                         qPrintable(parser.value(size)));
            return 64;
        }
        // The same picture whatever layout the user's settings remember.
        window.resetLayout(windowSize);
        window.show();
        window.resetLayout(windowSize);
        ckpt::ui::ScreenshotSession session(&window, parser.value(screenshot),
                                            static_cast<ckpt::ui::MainWindow::Tab>(tabIndex));
        session.setTensorPath(parser.value(tensor));
        int exitCode = 1;
        QObject::connect(&session, &ckpt::ui::ScreenshotSession::finished, &app,
                         [&exitCode](int code, const QString& message) {
                             exitCode = code;
                             printMessage(code == 0 ? stdout : stderr, message);
                             QApplication::exit(code);
                         });
        session.start(files);
        QApplication::exec();
        return exitCode;
    }
    window.show();
    if (files.isEmpty()) {
        window.openSamples();
    } else {
        window.openFiles(files);
    }
    return QApplication::exec();
}
