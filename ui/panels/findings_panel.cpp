#include "ui/panels/findings_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "core/model/checkpoint.h"
#include "core/validate/finding_location.h"
#include "core/validate/validator.h"
#include "ui/jobs/validation_job.h"
#include "ui/models/findings_model.h"
#include "ui/util/format.h"

namespace ckpt::ui {

FindingsPanel::FindingsPanel(QWidget* parent)
    : QWidget(parent),
      m_job(new ValidationJob(this)),
      m_summary(new QLabel(this)),
      m_progress(new QProgressBar(this)),
      m_table(new QTableView(this)),
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

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FindingsModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FindingsModel::SeverityColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    layout->addWidget(m_table, 3);

    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_detail->setMinimumHeight(m_detail->fontMetrics().height() * 4);
    layout->addWidget(m_detail, 1);

    connect(m_job, &ValidationJob::progress, this, [this](int permille) {
        m_progress->setRange(0, permille < 0 ? 0 : 1000);
        m_progress->setValue(std::max(0, permille));
    });
    connect(m_job, &ValidationJob::finished, this, &FindingsPanel::onValidated);
    connect(m_job, &ValidationJob::failed, this, [this](const QString& message) {
        m_progress->hide();
        m_summary->setText(tr("The check stopped: %1").arg(message.toHtmlEscaped()));
        setStatus({FindingsStatus::State::Failed});
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                m_detail->setText(current.data(FindingsModel::DetailRole).toString());
            });
    connect(m_table, &QTableView::clicked, this, &FindingsPanel::select);
    connect(m_table, &QTableView::activated, this, &FindingsPanel::activate);
    connect(m_table, &QTableView::doubleClicked, this, &FindingsPanel::activate);
    setCheckpoint(nullptr);
}

void FindingsPanel::setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint) {
    if (checkpoint == m_checkpoint && checkpoint) {
        return;
    }
    m_checkpoint = std::move(checkpoint);
    std::erase_if(m_cache, [](const Cached& c) { return c.checkpoint.expired(); });
    m_job->cancel();
    m_detail->clear();
    if (!m_checkpoint) {
        m_progress->hide();
        showReport(nullptr);
        m_summary->setText(
            tr("Open a checkpoint to check it for code that runs on load, "
               "members that cannot be pickled, and NaN or Inf weights."));
        setStatus({});
        return;
    }
    for (const auto& c : m_cache) {
        if (c.key == m_checkpoint.get() && !c.checkpoint.expired()) {
            m_progress->hide();
            showReport(c.report);
            return;
        }
    }
    showReport(nullptr);
    m_summary->setText(tr("Checking… (reading every tensor for NaN and Inf)"));
    m_progress->show();
    setStatus({FindingsStatus::State::Running});
    m_job->start(m_checkpoint);
}

void FindingsPanel::onValidated(std::shared_ptr<const core::Checkpoint> checkpoint,
                                std::shared_ptr<const core::ValidationReport> report) {
    m_cache.push_back({checkpoint, checkpoint.get(), report});
    emit reportReady(checkpoint, report);
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
    m_table->resizeColumnsToContents();
    // Narrow enough that all columns fit beside the tree; the text is in the tooltip and below.
    for (const auto& [column, width] : {std::pair{FindingsModel::PathColumn, 170},
                                        {FindingsModel::MessageColumn, 230},
                                        {FindingsModel::AdviceColumn, 100}}) {
        m_table->horizontalHeader()->resizeSection(
            column, std::min(m_table->horizontalHeader()->sectionSize(column), width));
    }
    if (m_proxy->rowCount() > 0) {
        m_table->setCurrentIndex(m_proxy->index(0, 0));
    }
    emit countChanged(static_cast<int>(errors + warnings));
    setStatus({FindingsStatus::State::Done, errors, warnings, infos});
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

void FindingsPanel::select(const QModelIndex& index) {
    const QString path = nodePathOf(m_proxy->mapToSource(index).row());
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
    const QString node = nodePathOf(m_proxy->mapToSource(index).row());
    if (!node.isNull()) {
        emit nodeRequested(node);
    }
}

QString FindingsPanel::summaryText() const {
    return m_summary->text();
}

}  // namespace ckpt::ui
