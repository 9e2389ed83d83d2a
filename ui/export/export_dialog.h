#pragma once
// File ▸ Export…: format, options, a preview of what will be removed and written, the export
// in the background with progress and Cancel, then a summary and an offer to open the result.
// Never writes over the input file; asks before replacing another one.

#include <QDialog>
#include <functional>
#include <memory>
#include <vector>

#include "core/export/export_common.h"
#include "core/validate/finding.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

class ExportJob;

/// The Export dialog of one checkpoint, which it shares; owns its ExportJob.
class ExportDialog : public QDialog {
    Q_OBJECT

public:
    /// Asks whether to replace `path`; the default shows a question box. Tests replace it.
    using OverwriteConfirmer = std::function<bool(const QString& path)>;

    /// `title` names the checkpoint for the user. Checks the checkpoint's members (metadata
    /// only, no tensor data) to know what a cleaned export takes out.
    ExportDialog(std::shared_ptr<const core::Checkpoint> checkpoint, const QString& title,
                 QWidget* parent = nullptr);
    ~ExportDialog() override;

    /// Replaces the question asked before an existing output file is overwritten.
    void setOverwriteConfirmer(OverwriteConfirmer confirm) { m_confirm = std::move(confirm); }

    /// The format chosen in the format box.
    [[nodiscard]] core::ExportFormat format() const;
    /// Selects `format` (when it fits the checkpoint) and gives the output its extension.
    bool setFormat(core::ExportFormat format);
    /// The output path as typed (trimmed); until the user names one, the suggestion for the format.
    [[nodiscard]] QString outputPath() const;
    /// Sets the output path as if typed: an extension that names another offered format selects it.
    void setOutputPath(const QString& path);
    /// The options the preview shows: the boxes that apply to the chosen format, defaults for the
    /// others; `progress` is left unset.
    [[nodiscard]] core::ExportOptions options() const;
    /// The dialog's export job (for tests).
    [[nodiscard]] ExportJob* job() const { return m_job; }
    /// Plain text of the status line (errors, "Cancelled", "Exported").
    [[nodiscard]] QString statusText() const;
    /// The output of the last successful export, or empty.
    [[nodiscard]] QString exportedPath() const { return m_exported; }

    /// Starts the export (as the Export button does); false when refused or not confirmed.
    bool startExport();

signals:
    /// The user asked to open the exported file as a new document.
    void openRequested(const QString& path);
    /// An export finished; `path` is the file (or bundle folder) written.
    void exportSucceeded(const QString& path);

public slots:
    /// Close, Escape or closing the window: while an export runs it is cancelled and the dialog
    /// closes once it has stopped.
    void reject() override;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void buildUi();
    void fillFormats();
    void onFormatChanged();
    void onOutputEdited();
    void browse();
    void updateOptions();
    void updatePreview();
    void fitRemovedColumns();
    void setRunning(bool running);
    void onSucceeded();
    void onFailed(const QString& message);
    void onCancelled();
    void showStatus(const QString& text, bool error);
    void showInFolder();

    std::shared_ptr<const core::Checkpoint> m_checkpoint;
    std::vector<core::Finding> m_findings;
    ExportJob* m_job;
    OverwriteConfirmer m_confirm;
    QString m_exported;
    QString m_suggested;  ///< the output path as last suggested (not typed)
    bool m_syncing = false;
    bool m_closeWhenDone = false;

    QComboBox* m_format = nullptr;
    QLabel* m_formatHelp = nullptr;
    QLineEdit* m_output = nullptr;
    QPushButton* m_browse = nullptr;
    QCheckBox* m_dropOptimizer = nullptr;
    QLineEdit* m_glob = nullptr;
    QLabel* m_globCount = nullptr;
    QCheckBox* m_replaceWithNone = nullptr;
    QCheckBox* m_dropPortability = nullptr;
    QTreeWidget* m_removed = nullptr;
    QLabel* m_removedTitle = nullptr;
    QLabel* m_written = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_result = nullptr;
    QPushButton* m_exportButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QPushButton* m_openButton = nullptr;
    QPushButton* m_folderButton = nullptr;
    QPushButton* m_closeButton = nullptr;
};

}  // namespace ckpt::ui
