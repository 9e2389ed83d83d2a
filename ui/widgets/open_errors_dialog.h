#pragma once
// One dialog for all the files that failed to open in one go: each file with a plain reason,
// the core's exact messages (HDF5's text, offsets) behind the "Show Details…" button. Not
// modal to the application: the window stays usable while it is open.

#include <QMessageBox>
#include <QString>
#include <vector>

namespace ckpt::ui {

/// Deletes itself when closed.
class OpenErrorsDialog : public QMessageBox {
    Q_OBJECT

public:
    /// One file that could not be opened.
    struct Failure {
        QString path;
        QString message;  ///< the core's message
    };

    /// Lists `failures`: the file names with plain reasons, and detailsFor() behind Show Details….
    OpenErrorsDialog(const std::vector<Failure>& failures, QWidget* parent = nullptr);

    /// The dialog's title for `count` failures ("Cannot open x.h5", "3 files could not be
    /// opened").
    [[nodiscard]] static QString titleFor(const std::vector<Failure>& failures);
    /// The plain-words list: one line per file, "name: reason".
    [[nodiscard]] static QString summaryFor(const std::vector<Failure>& failures);
    /// Every file's full path and the core's message.
    [[nodiscard]] static QString detailsFor(const std::vector<Failure>& failures);
};

}  // namespace ckpt::ui
