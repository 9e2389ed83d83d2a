#pragma once
// The validator's findings as a sortable table: severity (with its icon), rule, category,
// where, what, and what to do about it.

#include <QAbstractTableModel>
#include <memory>

namespace ckpt::core {
struct ValidationReport;
}

namespace ckpt::ui {

class FindingsModel : public QAbstractTableModel {
    Q_OBJECT

public:
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
    };

    explicit FindingsModel(QObject* parent = nullptr);
    ~FindingsModel() override;

    /// Shows `report` (null clears).
    void setReport(std::shared_ptr<const core::ValidationReport> report);
    [[nodiscard]] const core::ValidationReport* report() const { return m_report.get(); }

public:  // QAbstractItemModel API
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    std::shared_ptr<const core::ValidationReport> m_report;
};

}  // namespace ckpt::ui
