#pragma once
// Runs core::diffCheckpoints off the GUI thread, opening either side first when it is given as
// a file, with progress and cancel. The result arrives on the GUI thread as a signal; a result
// of a run that was cancelled or replaced by a newer start() is dropped.

#include <QMetaType>
#include <QObject>
#include <QString>
#include <memory>

#include "core/diff/diff_report.h"
#include "ui/jobs/background_job.h"

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

/// One side of a comparison: an open checkpoint, or a file to open.
struct CompareSide {
    std::shared_ptr<const core::Checkpoint> checkpoint;  ///< used when set
    QString path;                                        ///< file to open otherwise
    QString title;                                       ///< shown name (file name by default)
};

/// What a finished comparison hands over: the report and both checkpoints (the delta views read
/// their tensors).
struct CompareResult {
    std::shared_ptr<const core::Checkpoint> a;  ///< the old side, opened (or the open document)
    std::shared_ptr<const core::Checkpoint> b;  ///< the new side
    core::DiffReport report;                    ///< A compared with B
};

/// One comparison at a time; its signals arrive on the owner's thread.
class CompareJob : public QObject {
    Q_OBJECT

public:
    /// Idle before the first start(); Running from start() until finished(), failed() or
    /// cancelled(); then how the run ended.
    enum class State { Idle, Running, Finished, Failed, Cancelled };

    explicit CompareJob(QObject* parent = nullptr);
    ~CompareJob() override;

    /// Starts comparing `a` (old) with `b` (new); a running comparison is cancelled first.
    void start(CompareSide a, CompareSide b);
    /// Asks the running comparison to stop; cancelled() follows when its worker ends, even if it
    /// had just finished. Does nothing unless running.
    void cancel();
    /// The current State; isRunning() while it is Running.
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool isRunning() const { return m_state == State::Running; }
    /// The last finished result (null before the first one).
    [[nodiscard]] const std::shared_ptr<const CompareResult>& result() const { return m_result; }
    /// The message of the last failure; cleared by start().
    [[nodiscard]] const QString& error() const { return m_error; }

signals:
    /// start() began a comparison (emitted from start() itself).
    void started();
    /// Per mille over opening and comparing; `phase` says what runs ("Opening A…").
    void progress(int permille, const QString& phase);
    /// The comparison succeeded; `result` is also kept as result().
    void finished(std::shared_ptr<const ckpt::ui::CompareResult> result);
    /// The comparison failed; `message` says why (a core error's sentence names the file).
    void failed(const QString& message);
    /// The comparison stopped after cancel(); result() is unchanged.
    void cancelled();
    /// state() became `state`.
    void stateChanged(ckpt::ui::CompareJob::State state);

private:
    void setState(State s);

    State m_state = State::Idle;
    std::shared_ptr<const CompareResult> m_result;
    QString m_error;
    BackgroundJob<std::shared_ptr<const CompareResult>> m_job;
};

}  // namespace ckpt::ui

Q_DECLARE_METATYPE(std::shared_ptr<const ckpt::ui::CompareResult>)
