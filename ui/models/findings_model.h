#pragma once
// The validator's findings as a tree: optional groups (by rule, member or module), one row per
// finding (severity with its icon, rule, category, where, what, what to do), and the finding's
// parts below it (a Queue's mutex and Conditions under the Queue). A severity filter hides the
// less severe findings.

#include <QAbstractItemModel>
#include <memory>
#include <vector>

#include "core/validate/finding.h"

namespace ckpt::core {
struct ValidationReport;
}

namespace ckpt::ui {

/// Shares the report it shows; a setter that changes something rebuilds the rows (a model reset).
class FindingsModel : public QAbstractItemModel {
    Q_OBJECT

public:
    /// Severity (a group row: its label and count), rule, category, where (the member path with
    /// "+N parts"), the finding, what to do.
    enum Column {
        SeverityColumn,
        RuleColumn,
        CategoryColumn,
        PathColumn,
        MessageColumn,
        AdviceColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole,  ///< severity rank for the severity column, text otherwise
        PathRole,                 ///< QString: the member path the finding names
        AdviceRole,               ///< QString: what to do about it
        DetailRole,               ///< QString: rich text with message, evidence and advice
        FindingRole,              ///< int: index of the finding in the report, -1 for groups
        KindRole,                 ///< int: RowKind
    };
    /// How findings are grouped; see setGrouping().
    enum class Grouping { None, Rule, Member, Module };
    /// What a row is (KindRole): a group, a finding, or a part of a finding.
    enum RowKind { GroupRow, FindingRow, PartRow };

    explicit FindingsModel(QObject* parent = nullptr);
    ~FindingsModel() override;

    /// Shows `report` (null clears).
    void setReport(std::shared_ptr<const core::ValidationReport> report);
    /// The report shown, or null.
    [[nodiscard]] const core::ValidationReport* report() const { return m_report.get(); }

    /// Groups findings under one row per rule, member (the first level of the member path and
    /// the archive member) or module (of the global involved); None lists them flat.
    void setGrouping(Grouping g);
    [[nodiscard]] Grouping grouping() const { return m_grouping; }
    /// Shows only findings at least as severe as `s` (Info: all).
    void setMinimumSeverity(core::Severity s);
    [[nodiscard]] core::Severity minimumSeverity() const { return m_minimum; }
    /// Findings shown under the current filter.
    [[nodiscard]] int shownFindings() const { return m_shown; }

    /// The group a finding falls in under `g` ("CKPT-U001 — member that …", "<root>.queue",
    /// "dill._dill"); empty for None.
    [[nodiscard]] static QString groupLabel(const core::Finding& f, Grouping g);

public:  // QAbstractItemModel API
    /// QAbstractItemModel: group rows at the top when grouping, findings under them (or at the
    /// top), parts under their finding.
    [[nodiscard]] QModelIndex index(int row, int column,
                                    const QModelIndex& parent = {}) const override;
    [[nodiscard]] QModelIndex parent(const QModelIndex& child) const override;
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    struct Row {
        RowKind kind = FindingRow;
        int parent = -1;   ///< index in m_rows, -1 at the top
        int position = 0;  ///< row number under its parent
        int finding = -1;  ///< index in the report's findings (also for parts)
        int part = -1;     ///< index in the finding's parts
        QString label;     ///< groups
        core::Severity worst = core::Severity::Info;  ///< groups: most severe finding inside
        std::vector<int> children;
    };

    void rebuild();
    [[nodiscard]] QVariant findingData(const core::Finding& f, int column, int role) const;
    [[nodiscard]] QVariant partData(const core::Finding& f, const core::FindingPart& p, int column,
                                    int role) const;
    [[nodiscard]] QVariant groupData(const Row& r, int column, int role) const;

    std::shared_ptr<const core::ValidationReport> m_report;
    Grouping m_grouping = Grouping::None;
    core::Severity m_minimum = core::Severity::Info;
    std::vector<Row> m_rows;
    std::vector<int> m_top;
    int m_shown = 0;
};

}  // namespace ckpt::ui
