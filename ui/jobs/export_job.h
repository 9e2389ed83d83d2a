#pragma once
// Runs one export off the GUI thread with progress and cancel: a cancelled export makes the
// core stop at its next progress report and remove its temporary output.

#include <QObject>
#include <QString>
#include <filesystem>
#include <memory>

#include "core/export/export_common.h"
#include "ui/jobs/background_job.h"

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

/// One export at a time; its signals arrive on the owner's thread.
class ExportJob : public QObject {
    Q_OBJECT

public:
    explicit ExportJob(QObject* parent = nullptr);
    ~ExportJob() override;

    /// Starts exporting; ignored while an export runs. `options.progress` is replaced.
    void start(std::shared_ptr<const core::Checkpoint> checkpoint, core::ExportFormat format,
               const std::filesystem::path& out, core::ExportOptions options);
    /// Asks the running export to stop; `cancelled` follows once it has cleaned up.
    void cancel();
    /// True from start() until succeeded(), failed() or cancelled().
    [[nodiscard]] bool isRunning() const { return m_job.isRunning(); }
    /// The report of the last successful export.
    [[nodiscard]] const core::ExportReport& report() const { return m_report; }

signals:
    /// Per mille of the bytes written, or -1 while unknown.
    void progress(int permille);
    /// The export was written; report() describes it. Also after cancel() when the export had
    /// already completed.
    void succeeded();
    /// The export failed; `message` says why.
    void failed(const QString& message);
    /// The export stopped after cancel(); nothing was written.
    void cancelled();

private:
    core::ExportReport m_report;
    /// Cancelled through the progress function only (CancelStyle::KeepFinished): an export that
    /// completed just before the request is still reported as written.
    BackgroundJob<core::ExportReport> m_job;
};

}  // namespace ckpt::ui
