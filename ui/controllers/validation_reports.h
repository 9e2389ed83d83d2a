#pragma once
// The validator's reports, one per open document, owned by the session: checked in the
// background on first request (one check at a time; a newer request cancels an older one),
// kept while the document lives, shown by the Findings panel and marked in the tree.

#include <QObject>
#include <memory>
#include <vector>

namespace ckpt::core {
class Checkpoint;
struct ValidationReport;
}  // namespace ckpt::core

namespace ckpt::ui {

class ValidationJob;

/// Keeps each report while its checkpoint lives (the reports of closed documents are dropped at the
/// next request()); signals arrive on the GUI thread.
class ValidationReports : public QObject {
    Q_OBJECT

public:
    explicit ValidationReports(QObject* parent = nullptr);

    /// The report of `checkpoint` when it has been checked, else null.
    [[nodiscard]] std::shared_ptr<const core::ValidationReport> report(
        const core::Checkpoint* checkpoint) const;
    /// Checks `checkpoint` unless its report is known or it is being checked already; a check
    /// of another checkpoint is cancelled (only the document in view is checked). Null cancels.
    void request(std::shared_ptr<const core::Checkpoint> checkpoint);
    /// The checkpoint being checked, or null.
    [[nodiscard]] const core::Checkpoint* running() const;
    /// The job that runs the checks, owned by this object (for tests).
    [[nodiscard]] ValidationJob* job() const { return m_job; }

signals:
    /// Per mille of the running check, or -1 while unknown.
    void progress(int permille);
    /// The report of `checkpoint` is ready (and kept).
    void ready(std::shared_ptr<const ckpt::core::Checkpoint> checkpoint,
               std::shared_ptr<const ckpt::core::ValidationReport> report);
    /// The check of `checkpoint` stopped with `message`.
    void failed(const ckpt::core::Checkpoint* checkpoint, const QString& message);

private:
    struct Kept {
        std::weak_ptr<const core::Checkpoint> checkpoint;
        const core::Checkpoint* key = nullptr;
        std::shared_ptr<const core::ValidationReport> report;
    };

    ValidationJob* m_job;
    std::vector<Kept> m_kept;
    std::shared_ptr<const core::Checkpoint> m_running;
};

}  // namespace ckpt::ui
