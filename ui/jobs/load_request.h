#pragma once
// What to open and what came back: the values a load job takes and hands to the GUI thread.

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <memory>

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

/// One file, or in-memory content, to open.
struct LoadRequest {
    QString path;       ///< file path, or a ":/..." resource path
    QString title;      ///< name shown in the tree (file name by default)
    QByteArray bytes;   ///< in-memory content; when set, `path` only names it
    quint64 token = 0;  ///< set by LoadController
};

/// How a request ended, handed from the worker to the GUI thread.
struct LoadOutcome {
    LoadRequest request;                           ///< as queued (its title filled in)
    std::shared_ptr<core::Checkpoint> checkpoint;  ///< set on success
    QString error;                                 ///< the core Error's what() on failure
    bool cancelled = false;                        ///< stopped on request (no error)
    qint64 workerMs = 0;                           ///< time spent in the worker thread
};

}  // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::LoadOutcome)
