#pragma once
// The open documents and what is selected in them: opens files (through LoadController),
// reloads and closes them, remembers recent files, and turns the tree's current index into
// "current document" and "current tensor" signals for the panels.

#include <QHash>
#include <QModelIndex>
#include <QObject>
#include <memory>

#include "ui/models/tensor_selection.h"

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

class CheckpointTreeModel;
class LoadController;
class RecentFiles;
class ValidationReports;
struct LoadOutcome;

/// The session. Owns the document model, the loader, the validation reports and the recent files
/// (children of this object); signals arrive on the GUI thread.
class SessionController : public QObject {
    Q_OBJECT

public:
    explicit SessionController(QObject* parent = nullptr);
    ~SessionController() override;

    /// The open documents' model and the background loader, owned by the controller.
    [[nodiscard]] CheckpointTreeModel* model() const { return m_model; }
    [[nodiscard]] LoadController* loader() const { return m_loader; }
    /// The validator's reports of the open documents.
    [[nodiscard]] ValidationReports* reports() const { return m_reports; }
    /// The files opened from disk (samples are not added), newest first.
    [[nodiscard]] RecentFiles* recentFiles() const { return m_recent; }

    /// Opens each file in the background; one already open is reloaded.
    void openFiles(const QStringList& paths);
    /// Opens the bundled samples; returns how many there are.
    int openSamples();
    /// Opens document `row`'s file again (a sample from its kept bytes); the new checkpoint
    /// replaces the document in place and documentOpened() names the node last current in it. An
    /// invalid row is ignored.
    void reload(int row);
    /// Removes document `row` from the model; an invalid row is ignored.
    void close(int row);
    /// Row of the document that holds the tree's current index, or -1 (also after that document was
    /// reloaded, until setCurrentIndex() is called again).
    [[nodiscard]] int currentDocument() const { return m_currentDoc; }
    /// True while `checkpoint` is one of the open documents.
    [[nodiscard]] bool isOpen(const core::Checkpoint* checkpoint) const;

    /// Tells the controller which tree index is current (from the tree view).
    void setCurrentIndex(const QModelIndex& index);
    /// The tensor behind `index`, or an invalid selection.
    [[nodiscard]] TensorSelection selectionFor(const QModelIndex& index) const;
    /// The path of the tensor to show first in document `row`: the first layer's kernel (or
    /// its first weight), else the first tensor of 2+ dimensions, else the first tensor.
    [[nodiscard]] QString defaultTensorPath(int row) const;

signals:
    /// Document `row` was added or replaced; `selectPath` is the node to select (empty: the
    /// document itself).
    void documentOpened(int row, const QString& selectPath);
    /// setCurrentIndex() moved to another document, or to the new checkpoint of a reloaded one;
    /// `checkpoint` is null when no document is current, `displayPath` names its file as the UI
    /// shows it (SampleCheckpoints::displayPath).
    void currentDocumentChanged(std::shared_ptr<const ckpt::core::Checkpoint> checkpoint,
                                const QString& displayPath);
    /// Emitted by every setCurrentIndex(): the tensor at the current index, or an invalid selection
    /// when it is not a tensor.
    void currentTensorChanged(const ckpt::ui::TensorSelection& selection);
    /// Opening `path` failed; `message` is the loader's error (it names the file).
    void loadFailed(const QString& path, const QString& message);
    /// A note for the status bar: a file opened (format, layers, parameters, time), closed, could
    /// not be opened, or its opening was cancelled.
    void statusMessage(const QString& message);

private:
    void onLoaded(const LoadOutcome& outcome);
    void onFailed(const LoadOutcome& outcome);

    CheckpointTreeModel* m_model;
    LoadController* m_loader;
    ValidationReports* m_reports;
    RecentFiles* m_recent;
    int m_currentDoc = -1;
    const core::Checkpoint* m_currentCheckpoint = nullptr;
    QHash<QString, QString> m_restorePath;  ///< document path -> node to select after reload
    QHash<QString, QByteArray> m_sampleBytes;
};

}  // namespace ckpt::ui
