#pragma once
// The Findings tab: what the validator says about the current checkpoint (code that runs on
// load, members plain pickle cannot handle, portability traps, NaN/Inf), checked in the
// background when a file becomes current. Findings form a tree (a finding's parts below it),
// filtered by severity and grouped by rule, member or module. A click on a finding selects its
// node in the tree; activating it (double-click, Enter) also shows that node's tab.

#include <QWidget>
#include <memory>
#include <vector>

#include "ui/widgets/findings_badge.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QSortFilterProxyModel;
class QTreeView;

namespace ckpt::core {
class Checkpoint;
struct ValidationReport;
}  // namespace ckpt::core

namespace ckpt::ui {

class FindingsModel;
class ValidationReports;

/// The Findings tab; the reports come from the session's ValidationReports (setReports()).
class FindingsPanel : public QWidget {
    Q_OBJECT

public:
    explicit FindingsPanel(QWidget* parent = nullptr);

    /// The session's reports, which this panel shows and asks for (set once, by the window).
    void setReports(ValidationReports* reports);
    /// Shows the findings of `checkpoint`, asking for a check unless its report is known.
    void setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint);

    /// The panel's model and widgets, for tests and wiring.
    [[nodiscard]] FindingsModel* model() const { return m_model; }
    [[nodiscard]] QTreeView* table() const { return m_table; }
    [[nodiscard]] QComboBox* severityFilter() const { return m_severity; }
    [[nodiscard]] QComboBox* groupingChoice() const { return m_grouping; }
    /// The line above the table (rich text): the counts, "Checking…", or why the check stopped.
    [[nodiscard]] QString summaryText() const;
    /// Where the check of the shown checkpoint stands, as last sent by statusChanged().
    [[nodiscard]] const FindingsStatus& status() const { return m_status; }
    /// The tree path of the node that finding `row` of the report names (see
    /// core/validate/finding_location.h), or a null string without a checkpoint.
    [[nodiscard]] QString nodePathOf(int row) const;
    /// Same for a row of the view (a finding or one of its parts); null for a group row.
    [[nodiscard]] QString nodePathOf(const QModelIndex& viewIndex) const;

signals:
    /// The number of errors and warnings of the shown report changed (for the tab title).
    void countChanged(int errorsAndWarnings);
    /// Show the tree node at `path` of the current checkpoint (and its tab).
    void nodeRequested(const QString& path);
    /// Select the tree node at `path` of the current checkpoint, staying on this tab.
    void nodeSelected(const QString& path);
    /// The check of the current file started, finished or stopped (for the Overview badge).
    void statusChanged(const ckpt::ui::FindingsStatus& status);
    /// Show layer `index` of the model config (a finding about a config entry).
    void layerRequested(int index);

private:
    void showReport(std::shared_ptr<const core::ValidationReport> report);
    void onReady(std::shared_ptr<const core::Checkpoint> checkpoint,
                 std::shared_ptr<const core::ValidationReport> report);
    void activate(const QModelIndex& index);
    void select(const QModelIndex& index);
    void setStatus(FindingsStatus status);
    void afterModelReset();

    std::shared_ptr<const core::Checkpoint> m_checkpoint;
    FindingsStatus m_status;
    ValidationReports* m_reports = nullptr;
    QLabel* m_summary;
    QProgressBar* m_progress;
    QComboBox* m_severity;
    QComboBox* m_grouping;
    QTreeView* m_table;
    FindingsModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QLabel* m_detail;
};

}  // namespace ckpt::ui
