#pragma once
// Opens Compare windows from the main window: the current document against a chosen file
// ("Compare With…", Ctrl+D), or two open documents against each other.

#include <QObject>

class QWidget;

namespace ckpt::ui {

class CompareWindow;
class SessionController;
struct CompareSide;

/// Asks which files or open documents to compare and opens a CompareWindow for them. A child of the
/// main window; the session is not owned.
class CompareLauncher : public QObject {
    Q_OBJECT

public:
    /// Compare windows are top-level windows owned by `window`.
    CompareLauncher(QWidget* window, SessionController* session);

    /// Asks for a file and compares the current document (A) with it (B); without a current
    /// document, asks for both files.
    void compareWithFile();
    /// Compares the current document with another open one (asks which when there are more
    /// than two).
    void compareOpenDocuments();
    /// Opens a Compare window comparing `a` with `b`.
    CompareWindow* open(const CompareSide& a, const CompareSide& b);

signals:
    /// A note for the status bar when no comparison starts: fewer than two documents are open, or
    /// not exactly two files were chosen.
    void statusMessage(const QString& message);

private:
    [[nodiscard]] CompareSide documentSide(int row) const;

    QWidget* m_window;
    SessionController* m_session;
};

}  // namespace ckpt::ui
