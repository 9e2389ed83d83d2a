#include "app/inspector/shots/compare_screenshot.h"

#include <QTabWidget>
#include <QTimer>

#include "app/inspector/shots/shoot.h"
#include "ui/compare/compare_graph_pane.h"
#include "ui/compare/compare_window.h"
#include "ui/jobs/delta_job.h"

namespace ckpt::ui {

CompareScreenshot::CompareScreenshot(CompareWindow* window, QString outputPath, bool graph,
                                     QObject* parent)
    : QObject(parent), m_window(window), m_output(std::move(outputPath)), m_graph(graph) {
    m_window->setErrorPresenter(
        [this](const QString&, const QString& message) { m_errors << message; });
    connect(m_window, &CompareWindow::compareDone, this, &CompareScreenshot::onCompareDone);
    m_graphDone = !graph;
    if (graph) {
        m_window->leftTabs()->setCurrentWidget(m_window->graphPane());
        connect(m_window->graphPane(), &CompareGraphPane::ready, this, [this] {
            m_graphDone = true;
            shootWhenReady();
        });
    }
}

void CompareScreenshot::start(const QString& a, const QString& b) {
    m_window->compare({{}, a, {}}, {{}, b, {}});
}

void CompareScreenshot::onCompareDone() {
    if (m_shot) {
        return;
    }
    if (m_window->job()->state() != CompareJob::State::Finished) {
        m_shot = true;
        emit finished(1, m_errors.isEmpty() ? tr("the comparison did not finish")
                                            : m_errors.join(QLatin1Char('\n')));
        return;
    }
    auto* timeout = new QTimer(this);
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, this, &CompareScreenshot::shoot);
    timeout->start(kDeltaTimeoutMs);
    if (!m_window->deltaJob()->isRunning()) {
        m_deltaDone = true;
        shootWhenReady();
        return;
    }
    connect(m_window, &CompareWindow::deltaShown, this, [this] {
        m_deltaDone = true;
        shootWhenReady();
    });
}

void CompareScreenshot::shootWhenReady() {
    if (m_deltaDone && m_graphDone) {
        QTimer::singleShot(100, this, &CompareScreenshot::shoot);
    }
}

void CompareScreenshot::shoot() {
    if (m_shot) {
        return;
    }
    m_shot = true;
    const ShotResult shot = ckpt::ui::shoot(m_window, m_output);
    emit finished(shot.exitCode, shot.message);
}

}  // namespace ckpt::ui
