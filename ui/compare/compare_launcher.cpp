#include "ui/compare/compare_launcher.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>

#include "ui/compare/compare_window.h"
#include "ui/controllers/session_controller.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/util/file_filters.h"
#include "ui/util/recent_files.h"

namespace ckpt::ui {

CompareLauncher::CompareLauncher(QWidget* window, SessionController* session)
    : QObject(window), m_window(window), m_session(session) {}

CompareSide CompareLauncher::documentSide(int row) const {
    CompareSide side;
    side.checkpoint = m_session->model()->checkpoint(row);
    side.path = m_session->model()->documentPath(row);
    side.title = m_session->model()->documentTitle(row);
    return side;
}

CompareWindow* CompareLauncher::open(const CompareSide& a, const CompareSide& b) {
    auto* window = new CompareWindow(m_window);
    window->setWindowFlag(Qt::Window);
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->show();
    window->compare(a, b);
    return window;
}

void CompareLauncher::compareWithFile() {
    const int doc = m_session->currentDocument();
    const QString dir = QFileInfo(m_session->recentFiles()->files().value(0)).absolutePath();
    if (doc < 0) {
        const QStringList files = QFileDialog::getOpenFileNames(
            m_window, tr("Choose Two Checkpoints to Compare (A, then B)"), dir,
            checkpointFileFilter());
        if (files.size() != 2) {
            if (!files.isEmpty()) {
                emit statusMessage(tr("Choose exactly two files to compare"));
            }
            return;
        }
        open({{}, files[0], {}}, {{}, files[1], {}});
        return;
    }
    const QString file = QFileDialog::getOpenFileName(
        m_window, tr("Compare %1 With…").arg(m_session->model()->documentTitle(doc)), dir,
        checkpointFileFilter());
    if (!file.isEmpty()) {
        open(documentSide(doc), {{}, file, {}});
    }
}

void CompareLauncher::compareOpenDocuments() {
    const int count = m_session->model()->documentCount();
    if (count < 2) {
        emit statusMessage(tr("Open two checkpoints to compare them, or use Compare With…"));
        return;
    }
    const int a = std::max(0, m_session->currentDocument());
    int b = a == 0 ? 1 : 0;
    if (count > 2) {
        QStringList names;
        QList<int> rows;
        for (int r = 0; r < count; ++r) {
            if (r != a) {
                names << m_session->model()->documentTitle(r);
                rows << r;
            }
        }
        bool ok = false;
        const QString chosen = QInputDialog::getItem(
            m_window, tr("Compare Open Files"),
            tr("Compare %1 (A) with:").arg(m_session->model()->documentTitle(a)), names, 0, false,
            &ok);
        if (!ok) {
            return;
        }
        b = rows.value(static_cast<int>(names.indexOf(chosen)), b);
    }
    open(documentSide(a), documentSide(b));
}

}  // namespace ckpt::ui
