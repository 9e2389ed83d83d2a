#include "ui/jobs/compare_job.h"

#include <QFileInfo>
#include <algorithm>

#include "core/diff/checkpoint_diff.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "ui/jobs/load_controller.h"

namespace ckpt::ui {

namespace {

/// Share of the progress bar given to opening each side that is a file, against 1000 for the
/// comparison itself.
constexpr std::uint64_t kOpenShare = 100;

std::shared_ptr<const core::Checkpoint> openSide(const CompareSide& side,
                                                 const core::ProgressFn& progress) {
    if (side.checkpoint) {
        return side.checkpoint;
    }
    LoadRequest request;
    request.path = side.path;
    request.title = side.title;
    return std::shared_ptr<const core::Checkpoint>(LoadController::openWithCore(request, progress));
}

/// Opens the sides that are files and compares them; progress runs over the whole (each open
/// counts kOpenShare, the comparison 1000).
std::shared_ptr<const CompareResult> runCompare(const CompareSide& a, const CompareSide& b,
                                                const JobContext& ctx) {
    const std::uint64_t opens = (a.checkpoint ? 0 : 1) + (b.checkpoint ? 0 : 1);
    const std::uint64_t total = 1000 + opens * kOpenShare;
    std::uint64_t base = 0;
    std::uint64_t span = kOpenShare;
    const core::ProgressFn progress = [&](std::uint64_t done, std::uint64_t all) {
        const std::uint64_t part = all > 0 ? std::min(span, done * span / all) : 0;
        return ctx.progress(base + part, total);
    };
    auto result = std::make_shared<CompareResult>();
    ctx.setPhase(QObject::tr("Opening %1…").arg(a.title));
    result->a = openSide(a, progress);
    base += a.checkpoint ? 0 : kOpenShare;
    ctx.setPhase(QObject::tr("Opening %1…").arg(b.title));
    result->b = openSide(b, progress);
    base += b.checkpoint ? 0 : kOpenShare;
    if (ctx.stopRequested()) {
        throw core::CancelledError();
    }
    span = 1000;
    ctx.setPhase(QObject::tr("Comparing %1 with %2…").arg(a.title, b.title));
    progress(0, 1);
    result->report = core::diffCheckpoints(*result->a, *result->b, {}, progress);
    // Titles of in-memory documents (samples) say more than their resource paths.
    if (result->report.aFile.empty()) {
        result->report.aFile = a.title.toStdString();
    }
    if (result->report.bFile.empty()) {
        result->report.bFile = b.title.toStdString();
    }
    return result;
}

}  // namespace

CompareJob::CompareJob(QObject* parent)
    : QObject(parent),
      m_job(this, tr("compare the files"),
            {[this](int permille, const QString& phase) { emit progress(permille, phase); },
             [this](BackgroundJob<std::shared_ptr<const CompareResult>>::Outcome out) {
                 if (out.value && *out.value) {
                     m_result = std::move(*out.value);
                     setState(State::Finished);
                     emit finished(m_result);
                     return;
                 }
                 m_error = out.failure.error;
                 setState(State::Failed);
                 emit failed(m_error);
             },
             // Cancel pressed counts even when the worker finished before it looked.
             [this] {
                 setState(State::Cancelled);
                 emit cancelled();
             }}) {
    qRegisterMetaType<std::shared_ptr<const CompareResult>>();
}

CompareJob::~CompareJob() = default;

void CompareJob::start(CompareSide a, CompareSide b) {
    for (CompareSide* side : {&a, &b}) {
        if (side->title.isEmpty()) {
            side->title =
                side->checkpoint
                    ? QFileInfo(QString::fromStdString(side->checkpoint->filePath())).fileName()
                    : QFileInfo(side->path).fileName();
        }
    }
    m_error.clear();
    // The run exists before anyone hears of it: a Cancel pressed on the first signal stops it.
    m_job.start([a = std::move(a), b = std::move(b)](const JobContext& ctx) {
        return runCompare(a, b, ctx);
    });
    setState(State::Running);
    emit started();
    emit progress(-1, tr("Starting…"));
}

void CompareJob::cancel() {
    if (m_state == State::Running) {
        m_job.cancel();
    }
}

void CompareJob::setState(State s) {
    if (m_state != s) {
        m_state = s;
        emit stateChanged(s);
    }
}

}  // namespace ckpt::ui
