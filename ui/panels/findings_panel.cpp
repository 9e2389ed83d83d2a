#include "ui/panels/findings_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

#include "core/model/checkpoint.h"
#include "core/validate/finding_location.h"
#include "core/validate/validator.h"
#include "ui/controllers/validation_reports.h"
#include "ui/models/findings_model.h"
#include "ui/util/format.h"

namespace ckpt::ui {

FindingsPanel::FindingsPanel(QWidget* parent)
    : QWidget(parent),
      m_summary(new QLabel(this)),
      m_progress(new QProgressBar(this)),
      m_severity(new QComboBox(this)),
      m_grouping(new QComboBox(this)),
      m_table(new QTreeView(this)),
      m_model(new FindingsModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_detail(new QLabel(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 8);
    layout->setSpacing(8);
    m_summary->setWordWrap(true);
    m_summary->setObjectName(QStringLiteral("findingsSummary"));
    layout->addWidget(m_summary);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(6);
    m_progress->hide();
    layout->addWidget(m_progress);

    auto* bar = new QHBoxLayout;
    auto* showLabel = new QLabel(tr("&Show:"), this);
    showLabel->setBuddy(m_severity);
    m_severity->setObjectName(QStringLiteral("findingsSeverity"));
    m_severity->addItem(tr("Everything"), static_cast<int>(core::Severity::Info));
    m_severity->addItem(tr("Errors and warnings"), static_cast<int>(core::Severity::Warning));
    m_severity->addItem(tr("Errors only"), static_cast<int>(core::Severity::Error));
    auto* groupLabel = new QLabel(tr("&Group by:"), this);
    groupLabel->setBuddy(m_grouping);
    m_grouping->setObjectName(QStringLiteral("findingsGrouping"));
    m_grouping->addItem(tr("Nothing"), static_cast<int>(FindingsModel::Grouping::None));
    m_grouping->addItem(tr("Rule"), static_cast<int>(FindingsModel::Grouping::Rule));
    m_grouping->addItem(tr("Member"), static_cast<int>(FindingsModel::Grouping::Member));
    m_grouping->addItem(tr("Module"), static_cast<int>(FindingsModel::Grouping::Module));
    bar->addWidget(showLabel);
    bar->addWidget(m_severity);
    bar->addSpacing(12);
    bar->addWidget(groupLabel);
    bar->addWidget(m_grouping);
    bar->addStretch(1);
    layout->addLayout(bar);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FindingsModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FindingsModel::SeverityColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setUniformRowHeights(true);
    m_table->setRootIsDecorated(true);
    m_table->header()->setStretchLastSection(true);
    m_table->header()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    layout->addWidget(m_table, 3);
    connect(m_severity, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setMinimumSeverity(static_cast<core::Severity>(m_severity->currentData().toInt()));
    });
    connect(m_grouping, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setGrouping(
            static_cast<FindingsModel::Grouping>(m_grouping->currentData().toInt()));
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &FindingsPanel::afterModelReset);

    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_detail->setMinimumHeight(m_detail->fontMetrics().height() * 4);
    layout->addWidget(m_detail, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                m_detail->setText(current.data(FindingsModel::DetailRole).toString());
            });
    connect(m_table, &QTreeView::clicked, this, &FindingsPanel::select);
    connect(m_table, &QTreeView::activated, this, &FindingsPanel::activate);
    connect(m_table, &QTreeView::doubleClicked, this, &FindingsPanel::activate);
    setCheckpoint(nullptr);
}

void FindingsPanel::setReports(ValidationReports* reports) {
    m_reports = reports;
    connect(m_reports, &ValidationReports::progress, this, [this](int permille) {
        m_progress->setRange(0, permille < 0 ? 0 : 1000);
        m_progress->setValue(std::max(0, permille));
    });
    connect(m_reports, &ValidationReports::ready, this, &FindingsPanel::onReady);
    connect(m_reports, &ValidationReports::failed, this,
            [this](const core::Checkpoint* checkpoint, const QString& message) {
                if (checkpoint != m_checkpoint.get()) {
                    return;
                }
                m_progress->hide();
                m_summary->setText(tr("The check stopped: %1").arg(message.toHtmlEscaped()));
                setStatus({FindingsStatus::State::Failed});
            });
}

void FindingsPanel::setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint) {
    if (checkpoint == m_checkpoint && checkpoint) {
        return;
    }
    m_checkpoint = std::move(checkpoint);
    m_detail->clear();
    if (!m_checkpoint) {
        if (m_reports != nullptr) {
            m_reports->request(nullptr);
        }
        m_progress->hide();
        showReport(nullptr);
        m_summary->setText(
            tr("Open a checkpoint to check it for code that runs on load, "
               "members that cannot be pickled, and NaN or Inf weights."));
        setStatus({});
        return;
    }
    if (m_reports == nullptr) {
        showReport(nullptr);
        return;
    }
    if (auto known = m_reports->report(m_checkpoint.get())) {
        m_reports->request(m_checkpoint);  // stops another document's check
        m_progress->hide();
        showReport(known);
        return;
    }
    showReport(nullptr);
    m_summary->setText(tr("Checking… (reading every tensor for NaN and Inf)"));
    m_progress->show();
    setStatus({FindingsStatus::State::Running});
    m_reports->request(m_checkpoint);
}

void FindingsPanel::onReady(std::shared_ptr<const core::Checkpoint> checkpoint,
                            std::shared_ptr<const core::ValidationReport> report) {
    if (checkpoint == m_checkpoint) {
        m_progress->hide();
        showReport(report);
    }
}

void FindingsPanel::showReport(std::shared_ptr<const core::ValidationReport> report) {
    m_model->setReport(report);
    if (!report) {
        emit countChanged(0);
        return;
    }
    const auto errors = report->count(core::Severity::Error);
    const auto warnings = report->count(core::Severity::Warning);
    const auto infos = report->count(core::Severity::Info);
    if (report->findings.empty()) {
        m_summary->setText(
            tr("<b>No findings.</b> Nothing in this file runs code when it is "
               "loaded, and the weights hold no NaN or Inf."));
    } else {
        const auto counted = [](std::size_t n, const QString& one, const QString& many) {
            return n == 1 ? one : many.arg(n);
        };
        QStringList parts;
        if (errors > 0) {
            parts << counted(errors, tr("1 error"), tr("%1 errors"));
        }
        if (warnings > 0) {
            parts << counted(warnings, tr("1 warning"), tr("%1 warnings"));
        }
        if (infos > 0) {
            parts << counted(infos, tr("1 note"), tr("%1 notes"));
        }
        m_summary->setText(tr("<b>%1.</b> Click a finding to select it in the tree; "
                              "double-click to open it.")
                               .arg(parts.join(QStringLiteral(", "))));
    }
    for (int c = 0; c < FindingsModel::ColumnCount; ++c) {
        m_table->resizeColumnToContents(c);
    }
    // Narrow enough that all columns fit beside the tree; the text is in the tooltip and below.
    for (const auto& [column, width] : {std::pair{FindingsModel::SeverityColumn, 110},
                                        {FindingsModel::PathColumn, 170},
                                        {FindingsModel::MessageColumn, 230},
                                        {FindingsModel::AdviceColumn, 100}}) {
        m_table->header()->resizeSection(column,
                                         std::min(m_table->header()->sectionSize(column), width));
    }
    emit countChanged(static_cast<int>(errors + warnings));
    setStatus({FindingsStatus::State::Done, errors, warnings, infos});
}

void FindingsPanel::afterModelReset() {
    // Group rows: one label across all columns, open so that their findings show.
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        const QModelIndex i = m_proxy->index(r, 0);
        if (i.data(FindingsModel::KindRole).toInt() == FindingsModel::GroupRow) {
            m_table->setFirstColumnSpanned(r, {}, true);
            m_table->expand(i);
        }
    }
    if (m_proxy->rowCount() > 0) {
        m_table->setCurrentIndex(m_proxy->index(0, 0));
    } else {
        m_detail->clear();
    }
}

void FindingsPanel::setStatus(FindingsStatus status) {
    m_status = status;
    emit statusChanged(m_status);
}

QString FindingsPanel::nodePathOf(int row) const {
    const core::ValidationReport* report = m_model->report();
    if (!m_checkpoint || report == nullptr || row < 0 ||
        static_cast<std::size_t>(row) >= report->findings.size()) {
        return {};
    }
    const auto where =
        core::locateFinding(*m_checkpoint, report->findings[static_cast<std::size_t>(row)]);
    return where.node != nullptr ? fmt::qs(where.node->path()) : QString();
}

QString FindingsPanel::nodePathOf(const QModelIndex& viewIndex) const {
    const int row = viewIndex.data(FindingsModel::FindingRole).toInt();
    const core::ValidationReport* report = m_model->report();
    if (!m_checkpoint || report == nullptr || row < 0 ||
        static_cast<std::size_t>(row) >= report->findings.size()) {
        return {};
    }
    if (viewIndex.data(FindingsModel::KindRole).toInt() != FindingsModel::PartRow) {
        return nodePathOf(row);
    }
    // A part: locate its own member path, as a finding of the same rule and stream.
    core::Finding part = report->findings[static_cast<std::size_t>(row)];
    part.path = viewIndex.data(FindingsModel::PathRole).toString().toStdString();
    part.parts.clear();
    const auto where = core::locateFinding(*m_checkpoint, part);
    return where.node != nullptr ? fmt::qs(where.node->path()) : QString();
}

void FindingsPanel::select(const QModelIndex& index) {
    const QString path = nodePathOf(index);
    if (!path.isNull()) {
        emit nodeSelected(path);
    }
}

void FindingsPanel::activate(const QModelIndex& index) {
    const QString path = index.data(FindingsModel::PathRole).toString();
    // Config findings name a layer entry ("model_config/layers[2]"); the rest name a node.
    static const QRegularExpression layer(QStringLiteral("^[^/]*config/layers\\[(\\d+)\\]"));
    const auto match = layer.match(path);
    if (match.hasMatch()) {
        emit layerRequested(match.captured(1).toInt());
        return;
    }
    const QString node = nodePathOf(index);
    if (!node.isNull()) {
        emit nodeRequested(node);
    }
}

QString FindingsPanel::summaryText() const {
    return m_summary->text();
}

}  // namespace ckpt::ui
