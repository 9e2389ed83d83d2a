#include "ui/controllers/validation_reports.h"

#include <algorithm>

#include "core/model/checkpoint.h"
#include "core/validate/validator.h"
#include "ui/jobs/validation_job.h"

namespace ckpt::ui {

ValidationReports::ValidationReports(QObject* parent)
    : QObject(parent), m_job(new ValidationJob(this)) {
    connect(m_job, &ValidationJob::progress, this, &ValidationReports::progress);
    connect(m_job, &ValidationJob::finished, this,
            [this](std::shared_ptr<const core::Checkpoint> checkpoint,
                   std::shared_ptr<const core::ValidationReport> report) {
                m_running.reset();
                m_kept.push_back({checkpoint, checkpoint.get(), report});
                emit ready(checkpoint, report);
            });
    connect(m_job, &ValidationJob::failed, this, [this](const QString& message) {
        const core::Checkpoint* which = m_running.get();
        m_running.reset();
        emit failed(which, message);
    });
}

std::shared_ptr<const core::ValidationReport> ValidationReports::report(
    const core::Checkpoint* checkpoint) const {
    for (const auto& k : m_kept) {
        if (k.key == checkpoint && !k.checkpoint.expired()) {
            return k.report;
        }
    }
    return nullptr;
}

const core::Checkpoint* ValidationReports::running() const {
    return m_running.get();
}

void ValidationReports::request(std::shared_ptr<const core::Checkpoint> checkpoint) {
    // Reports of closed documents go with them.
    std::erase_if(m_kept, [](const Kept& k) { return k.checkpoint.expired(); });
    if (checkpoint && checkpoint == m_running) {
        return;
    }
    // Only the document in view is checked: another one's check stops.
    m_job->cancel();
    m_running.reset();
    if (!checkpoint || report(checkpoint.get())) {
        return;
    }
    m_running = std::move(checkpoint);
    m_job->start(m_running);
}

}  // namespace ckpt::ui
