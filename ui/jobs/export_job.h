#pragma once
// Runs one export off the GUI thread with progress and cancel: a cancelled export makes the
// core stop at its next progress report and remove its temporary output.

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <atomic>
#include <filesystem>
#include <memory>

#include "core/export/export_common.h"

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
    [[nodiscard]] bool isRunning() const { return m_running; }
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
    struct Outcome {
        core::ExportReport report;
        QString error;
        bool cancelled = false;
        bool ok = false;
    };

    void onFinished();

    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<std::atomic_bool> m_stop;
    core::ExportReport m_report;
    bool m_running = false;
};

}  // namespace ckpt::ui
