#include "app/inspector/shots/screenshot_session.h"

#include <QTimer>

#include "app/inspector/shots/shoot.h"
#include "ui/controllers/session_controller.h"
#include "ui/controllers/validation_reports.h"
#include "ui/jobs/load_controller.h"
#include "ui/jobs/tensor_analysis.h"
#include "ui/jobs/validation_job.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/models/tensor_value_model.h"
#include "ui/panels/findings_panel.h"
#include "ui/panels/graph_panel.h"
#include "ui/panels/tensor_panel.h"

namespace ckpt::ui {

ScreenshotSession::ScreenshotSession(MainWindow* window, QString outputPath, MainWindow::Tab tab,
                                     QObject* parent)
    : QObject(parent), m_window(window), m_output(std::move(outputPath)), m_tab(tab) {
    m_window->setErrorPresenter(
        [this](const QString&, const QString& message) { m_errors << message; });
    connect(m_window->session()->loader(), &LoadController::busyChanged, this, [this](bool busy) {
        if (!busy) {
            onIdle();
        }
    });
}

void ScreenshotSession::start(const QStringList& files) {
    m_started = true;
    if (files.isEmpty()) {
        if (m_window->openSamples() == 0) {
            QTimer::singleShot(0, this, &ScreenshotSession::onIdle);
        }
    } else {
        m_window->openFiles(files);
    }
}

void ScreenshotSession::onIdle() {
    if (!m_started || m_shot) {
        return;
    }
    if (!m_errors.isEmpty()) {
        m_shot = true;
        emit finished(1, m_errors.join(QLatin1Char('\n')));
        return;
    }
    SessionController* session = m_window->session();
    const QString path = m_tensorPath.isEmpty() ? session->defaultTensorPath(0) : m_tensorPath;
    TensorAnalysis* analysis = m_window->tensorPanel()->analysis();
    const bool selected = !path.isEmpty() && m_window->selectPath(0, path);
    if (!m_tensorPath.isEmpty() && !selected) {
        m_shot = true;
        emit finished(1, tr("no node %1 in the first file").arg(m_tensorPath));
        return;
    }
    if (selected && analysis->isRunning()) {
        auto* timeout = new QTimer(this);
        timeout->setSingleShot(true);
        connect(timeout, &QTimer::timeout, this, [this] { shootWhenSettled(0); });
        connect(analysis, &TensorAnalysis::finished, this, [this, timeout] {
            timeout->stop();
            shootWhenSettled(100);
        });
        timeout->start(kAnalysisTimeoutMs);
        return;
    }
    shootWhenSettled(100);
}

void ScreenshotSession::shootWhenSettled(int attemptsLeft) {
    if (m_shot) {
        return;
    }
    m_window->showTab(m_tab);
    // Rendering once makes the value table ask for its visible tiles; shoot when they are in.
    (void)m_window->grab();
    QTimer::singleShot(60, this, [this, attemptsLeft] {
        const bool busy = m_window->tensorPanel()->valueModel()->pendingTiles() > 0 ||
                          m_window->session()->reports()->job()->isRunning() ||
                          m_window->graphPanel()->isBusy();
        if (busy && attemptsLeft > 0) {
            shootWhenSettled(attemptsLeft - 1);
        } else {
            shoot();
        }
    });
}

void ScreenshotSession::shoot() {
    if (m_shot) {
        return;
    }
    m_shot = true;
    const ShotResult shot = ckpt::ui::shoot(m_window, m_output);
    emit finished(shot.exitCode, shot.message);
}

}  // namespace ckpt::ui
