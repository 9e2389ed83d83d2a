#include "ui/export/export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStandardItemModel>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include "core/export/export_plan.h"
#include "core/model/checkpoint.h"
#include "core/validate/validator.h"
#include "ui/export/export_text.h"
#include "ui/jobs/export_job.h"
#include "ui/util/format.h"

namespace ckpt::ui {

using core::ExportFormat;

namespace {

std::filesystem::path fsPath(const QString& path) {
    return std::filesystem::path(path.toStdString());
}

using core::ExportOption;
using core::exportOptionApplies;

/// True when `a` and `b` name the same file (symbolic links resolved when they exist).
bool sameFile(const QString& a, const QString& b) {
    const QFileInfo fa(a);
    const QFileInfo fb(b);
    if (fa.exists() && fb.exists()) {
        return fa.canonicalFilePath() == fb.canonicalFilePath();
    }
    return QDir::cleanPath(fa.absoluteFilePath()) == QDir::cleanPath(fb.absoluteFilePath());
}

/// A form label whose mnemonic focuses `buddy` (QFormLayout only does that for widget rows).
QLabel* buddyLabel(const QString& text, QWidget* buddy) {
    auto* label = new QLabel(text, buddy->parentWidget());
    label->setBuddy(buddy);
    return label;
}

}  // namespace

ExportDialog::ExportDialog(std::shared_ptr<const core::Checkpoint> checkpoint, const QString& title,
                           QWidget* parent)
    : QDialog(parent), m_checkpoint(std::move(checkpoint)), m_job(new ExportJob(this)) {
    setWindowTitle(tr("Export %1").arg(title));
    setObjectName(QStringLiteral("exportDialog"));
    m_confirm = [this](const QString& path) {
        return QMessageBox::question(this, tr("Replace file?"),
                                     tr("%1 already exists. Replace it with the export?").arg(path),
                                     QMessageBox::Yes | QMessageBox::No,
                                     QMessageBox::No) == QMessageBox::Yes;
    };
    if (m_checkpoint) {
        // Unserializable and portability findings come from the member scan alone; tensor
        // data is not read, so this stays quick even for large files.
        core::ValidateOptions vo;
        vo.readData = false;
        try {
            m_findings = core::validateCheckpoint(*m_checkpoint, vo).findings;
        } catch (const std::exception&) {
            m_findings.clear();  // the preview then lists no cleaned members
        }
    }
    buildUi();
    fillFormats();
    connect(m_job, &ExportJob::progress, this, [this](int permille) {
        m_progress->setRange(0, permille < 0 ? 0 : 1000);
        m_progress->setValue(std::max(0, permille));
    });
    connect(m_job, &ExportJob::succeeded, this, &ExportDialog::onSucceeded);
    connect(m_job, &ExportJob::failed, this, &ExportDialog::onFailed);
    connect(m_job, &ExportJob::cancelled, this, &ExportDialog::onCancelled);
    onFormatChanged();
    resize(900, 680);
}

ExportDialog::~ExportDialog() = default;

void ExportDialog::buildUi() {
    auto* layout = new QVBoxLayout(this);
    layout->setSpacing(10);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("formatCombo"));
    m_formatHelp = new QLabel(this);
    m_formatHelp->setObjectName(QStringLiteral("formatHelp"));
    m_formatHelp->setWordWrap(true);
    m_formatHelp->setStyleSheet(QStringLiteral("color: palette(mid)"));
    auto* formatBox = new QVBoxLayout;
    formatBox->setSpacing(2);
    formatBox->addWidget(m_format);
    formatBox->addWidget(m_formatHelp);
    form->addRow(buddyLabel(tr("&Format:"), m_format), formatBox);

    m_output = new QLineEdit(this);
    m_output->setObjectName(QStringLiteral("outputEdit"));
    m_browse = new QPushButton(tr("&Browse…"), this);
    m_browse->setObjectName(QStringLiteral("browseButton"));
    auto* outputRow = new QHBoxLayout;
    outputRow->addWidget(m_output, 1);
    outputRow->addWidget(m_browse);
    form->addRow(buddyLabel(tr("&Output:"), m_output), outputRow);
    layout->addLayout(form);

    auto* optionsBox = new QGroupBox(tr("Options"), this);
    auto* options = new QFormLayout(optionsBox);
    m_dropOptimizer = new QCheckBox(tr("Drop optimizer state"), optionsBox);
    m_dropOptimizer->setObjectName(QStringLiteral("dropOptimizer"));
    options->addRow(m_dropOptimizer);
    m_glob = new QLineEdit(optionsBox);
    m_glob->setObjectName(QStringLiteral("tensorGlob"));
    m_glob->setPlaceholderText(tr("all tensors, or a pattern such as model_weights/dense*/*"));
    m_glob->setClearButtonEnabled(true);
    m_globCount = new QLabel(optionsBox);
    m_globCount->setObjectName(QStringLiteral("globCount"));
    auto* globRow = new QHBoxLayout;
    globRow->addWidget(m_glob, 1);
    globRow->addWidget(m_globCount);
    options->addRow(buddyLabel(tr("Tensor &filter:"), m_glob), globRow);
    m_replaceWithNone = new QCheckBox(tr("Replace removed members with None"), optionsBox);
    m_replaceWithNone->setObjectName(QStringLiteral("replaceWithNone"));
    m_dropPortability =
        new QCheckBox(tr("Also remove portability members (lambdas, dill functions)"), optionsBox);
    m_dropPortability->setObjectName(QStringLiteral("dropPortability"));
    options->addRow(m_replaceWithNone);
    options->addRow(m_dropPortability);
    layout->addWidget(optionsBox);

    auto* previewRow = new QHBoxLayout;
    auto* removedBox = new QGroupBox(tr("Will be removed"), this);
    removedBox->setObjectName(QStringLiteral("removedBox"));
    auto* removedLayout = new QVBoxLayout(removedBox);
    m_removedTitle = new QLabel(removedBox);
    m_removedTitle->setObjectName(QStringLiteral("removedTitle"));
    m_removed = new QTreeWidget(removedBox);
    m_removed->setObjectName(QStringLiteral("removedList"));
    m_removed->setColumnCount(3);
    m_removed->setHeaderLabels({tr("Member"), tr("Type"), tr("Why")});
    m_removed->setRootIsDecorated(false);
    m_removed->setAlternatingRowColors(true);
    m_removed->setUniformRowHeights(true);
    m_removed->setTextElideMode(Qt::ElideMiddle);  // long paths keep their distinct ends
    m_removed->header()->setStretchLastSection(true);
    m_removed->installEventFilter(this);
    removedLayout->addWidget(m_removedTitle);
    removedLayout->addWidget(m_removed, 1);
    auto* writtenBox = new QGroupBox(tr("Will be written"), this);
    auto* writtenLayout = new QVBoxLayout(writtenBox);
    m_written = new QLabel(writtenBox);
    m_written->setObjectName(QStringLiteral("writtenSummary"));
    m_written->setWordWrap(true);
    m_written->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_written->setTextInteractionFlags(Qt::TextSelectableByMouse);
    writtenLayout->addWidget(m_written, 1);
    previewRow->addWidget(removedBox, 3);
    previewRow->addWidget(writtenBox, 2);
    layout->addLayout(previewRow, 1);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("exportProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(10);
    m_progress->hide();
    layout->addWidget(m_progress);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->hide();
    layout->addWidget(m_status);
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("resultSummary"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->hide();
    layout->addWidget(m_result);

    auto* buttons = new QDialogButtonBox(this);
    m_openButton = buttons->addButton(tr("&Open exported file"), QDialogButtonBox::ActionRole);
    m_openButton->setObjectName(QStringLiteral("openResultButton"));
    m_folderButton = buttons->addButton(tr("Show in &folder"), QDialogButtonBox::ActionRole);
    m_folderButton->setObjectName(QStringLiteral("showFolderButton"));
    m_cancelButton = buttons->addButton(tr("&Stop"), QDialogButtonBox::ActionRole);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setToolTip(tr("Stop the export; nothing is left behind"));
    m_exportButton = buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setDefault(true);
    m_closeButton = buttons->addButton(QDialogButtonBox::Close);
    m_closeButton->setObjectName(QStringLiteral("closeButton"));
    m_openButton->hide();
    m_folderButton->hide();
    m_cancelButton->hide();
    layout->addWidget(buttons);

    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::onFormatChanged);
    connect(m_output, &QLineEdit::textEdited, this, &ExportDialog::onOutputEdited);
    connect(m_output, &QLineEdit::textChanged, this, &ExportDialog::updatePreview);
    connect(m_browse, &QPushButton::clicked, this, &ExportDialog::browse);
    for (QCheckBox* box : {m_dropOptimizer, m_replaceWithNone, m_dropPortability}) {
        connect(box, &QCheckBox::toggled, this, &ExportDialog::updatePreview);
    }
    connect(m_glob, &QLineEdit::textChanged, this, &ExportDialog::updatePreview);
    connect(m_exportButton, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(m_cancelButton, &QPushButton::clicked, m_job, &ExportJob::cancel);
    connect(m_closeButton, &QPushButton::clicked, this, &ExportDialog::reject);
    connect(m_openButton, &QPushButton::clicked, this, [this] {
        emit openRequested(m_exported);
        accept();
    });
    connect(m_folderButton, &QPushButton::clicked, this, &ExportDialog::showInFolder);
}

void ExportDialog::fillFormats() {
    auto* model = qobject_cast<QStandardItemModel*>(m_format->model());
    const QSignalBlocker blocker(m_format);
    int first = -1;
    for (const core::FormatFit& fit :
         m_checkpoint ? core::exportFormatFits(*m_checkpoint) : std::vector<core::FormatFit>{}) {
        m_format->addItem(fmt::qs(core::exportFormatTitle(fit.format)),
                          static_cast<int>(fit.format));
        const int row = m_format->count() - 1;
        const QString help = fmt::qs(core::exportFormatExplanation(fit.format));
        m_format->setItemData(row, fit.enabled ? help : fmt::qs(fit.reason), Qt::ToolTipRole);
        if (!fit.enabled && model != nullptr) {
            model->item(row)->setEnabled(false);
        } else if (first < 0) {
            first = row;
        }
    }
    m_format->setCurrentIndex(std::max(first, 0));
    m_exportButton->setEnabled(first >= 0);
}

ExportFormat ExportDialog::format() const {
    return static_cast<ExportFormat>(m_format->currentData().toInt());
}

bool ExportDialog::setFormat(ExportFormat format) {
    const int row = m_format->findData(static_cast<int>(format));
    auto* model = qobject_cast<QStandardItemModel*>(m_format->model());
    if (row < 0 || (model != nullptr && !model->item(row)->isEnabled())) {
        return false;
    }
    m_format->setCurrentIndex(row);
    return true;
}

QString ExportDialog::outputPath() const {
    return m_output->text().trimmed();
}

void ExportDialog::setOutputPath(const QString& path) {
    m_output->setText(path);
    onOutputEdited();
}

core::ExportOptions ExportDialog::options() const {
    // By the format, not by whether a box is enabled: the running state disables every box,
    // and the export must use the options the preview showed.
    core::ExportOptions o;
    const ExportFormat f = format();
    if (exportOptionApplies(ExportOption::TensorGlob, f)) {
        o.tensorGlob = m_glob->text().trimmed().toStdString();
    }
    o.includeOptimizer =
        !(exportOptionApplies(ExportOption::NoOptimizer, f) && m_dropOptimizer->isChecked());
    o.replaceWithNone =
        exportOptionApplies(ExportOption::ReplaceWithNone, f) && m_replaceWithNone->isChecked();
    o.dropPortability =
        exportOptionApplies(ExportOption::DropFlagged, f) && m_dropPortability->isChecked();
    return o;
}

QString ExportDialog::statusText() const {
    return m_status->isVisible() || !m_status->text().isEmpty() ? m_status->text() : QString();
}

void ExportDialog::onFormatChanged() {
    if (!m_checkpoint) {
        return;
    }
    const ExportFormat f = format();
    m_formatHelp->setText(fmt::qs(core::exportFormatExplanation(f)));
    if (!m_syncing) {
        m_syncing = true;
        // Until the user names the output, it is the suggestion for the format.
        const QString current = outputPath();
        const auto out = current.isEmpty() || current == m_suggested
                             ? core::suggestedExportPath(*m_checkpoint, f, fsPath(QDir::homePath()))
                             : core::withExportExtension(*m_checkpoint, fsPath(current), f);
        m_output->setText(QString::fromStdString(out.string()));
        if (current.isEmpty() || current == m_suggested) {
            m_suggested = outputPath();
        }
        m_syncing = false;
    }
    updateOptions();
    updatePreview();
}

void ExportDialog::onOutputEdited() {
    if (m_syncing) {
        return;
    }
    ExportFormat f;
    if (core::exportFormatFromExtension(fsPath(outputPath()), f) && f != format()) {
        m_syncing = true;
        setFormat(f);  // the extension names a format: follow it when it fits
        m_syncing = false;
    }
}

void ExportDialog::browse() {
    const ExportFormat f = format();
    QString path;
    if (f == ExportFormat::Bundle) {
        path = QFileDialog::getSaveFileName(this, tr("Export bundle folder"), outputPath(),
                                            tr("Folders (*)"));
    } else {
        const QString ext = fmt::qs(core::exportExtension(*m_checkpoint, f));
        path = QFileDialog::getSaveFileName(
            this, tr("Export as %1").arg(fmt::qs(core::exportFormatTitle(f))), outputPath(),
            tr("%1 (*%2);;All files (*)").arg(fmt::qs(core::exportFormatTitle(f)), ext));
    }
    if (!path.isEmpty()) {
        setOutputPath(path);
    }
}

void ExportDialog::updateOptions() {
    const ExportFormat f = format();
    const bool optimizer = exportOptionApplies(ExportOption::NoOptimizer, f);
    m_dropOptimizer->setEnabled(optimizer);
    m_dropOptimizer->setToolTip(
        optimizer ? tr("Leave out the optimizer weights and training config")
                  : tr("A cleaned pickle keeps every member plain pickle loads: export to "
                       "safetensors to leave the optimizer state out"));
    const bool st = exportOptionApplies(ExportOption::TensorGlob, f);
    m_glob->setEnabled(st);
    m_glob->setToolTip(st ? tr("Only tensors whose path matches are written (* matches / too)")
                          : tr("The filter applies to safetensors only: the other formats keep "
                               "every weight so that the model stays loadable"));
    const bool pickle = exportOptionApplies(ExportOption::ReplaceWithNone, f);
    m_replaceWithNone->setEnabled(pickle);
    m_dropPortability->setEnabled(exportOptionApplies(ExportOption::DropFlagged, f));
    const QString pickleOnly = tr("Applies to the cleaned pickle export");
    m_replaceWithNone->setToolTip(pickle ? tr("Keep the member names, with None as their value")
                                         : pickleOnly);
    m_dropPortability->setToolTip(
        pickle ? tr("Members that need dill, cloudpickle or the saving script's code")
               : pickleOnly);
}

void ExportDialog::updatePreview() {
    if (!m_checkpoint) {
        return;
    }
    const core::ExportOptions o = options();
    m_globCount->setText(globCountText(core::countGlobMatches(*m_checkpoint, o.tensorGlob)));
    const core::ExportPreview p =
        core::makeExportPreview(*m_checkpoint, m_findings, format(), o,
                                fsPath(outputPath().isEmpty() ? "-" : outputPath()));
    m_removed->clear();
    QList<QTreeWidgetItem*> items;
    for (const core::RemovedItem& r : p.removed) {
        auto* item = new QTreeWidgetItem({fmt::qs(r.path), fmt::qs(r.type), fmt::qs(r.reason)});
        item->setToolTip(0, fmt::qs(r.path));
        item->setToolTip(1, fmt::qs(r.type));
        item->setToolTip(2, fmt::qs(r.reason));
        items << item;
    }
    m_removed->addTopLevelItems(items);
    fitRemovedColumns();
    const std::uint64_t total = p.removed.size() + p.removedOmitted;
    m_removedTitle->setText(total == 0 ? tr("Nothing: every member is carried.")
                            : p.removedOmitted > 0
                                ? tr("%1 members (the first %2 are listed)")
                                      .arg(fmt::count(total), fmt::count(p.removed.size()))
                                : tr("%1 members").arg(fmt::count(total)));
    m_written->setText(writtenPreviewHtml(p));
}

void ExportDialog::fitRemovedColumns() {
    // Long member paths and type names must not push the reasons out of sight.
    const int width = std::max(300, m_removed->width() - 24);
    for (int column : {0, 1}) {
        m_removed->resizeColumnToContents(column);
        m_removed->setColumnWidth(column, std::min(m_removed->columnWidth(column), width * 2 / 5));
    }
}

bool ExportDialog::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_removed && event->type() == QEvent::Resize) {
        fitRemovedColumns();
    }
    return QDialog::eventFilter(watched, event);
}

bool ExportDialog::startExport() {
    if (!m_checkpoint || m_job->isRunning()) {
        return false;
    }
    const QString out = outputPath();
    if (out.isEmpty()) {
        showStatus(tr("Choose where to write the export."), true);
        return false;
    }
    const QString input = QString::fromStdString(m_checkpoint->filePath());
    if (!input.isEmpty() && sameFile(out, input)) {
        showStatus(tr("The output is the file being exported: choose another name (the input "
                      "is never overwritten)."),
                   true);
        return false;
    }
    if (QFileInfo::exists(out) && !m_confirm(out)) {
        showStatus(tr("Not exported: %1 exists.").arg(QFileInfo(out).fileName()), true);
        return false;
    }
    m_result->hide();
    m_openButton->hide();
    m_folderButton->hide();
    m_exported.clear();
    showStatus(tr("Exporting to %1…").arg(QFileInfo(out).fileName()), false);
    const core::ExportOptions chosen = options();  // before setRunning disables the boxes
    setRunning(true);
    m_job->start(m_checkpoint, format(), fsPath(out), chosen);
    return true;
}

void ExportDialog::setRunning(bool running) {
    for (QWidget* w :
         std::initializer_list<QWidget*>{m_format, m_output, m_browse, m_exportButton}) {
        w->setEnabled(!running);
    }
    if (running) {
        for (QWidget* w : std::initializer_list<QWidget*>{m_dropOptimizer, m_glob,
                                                          m_replaceWithNone, m_dropPortability}) {
            w->setEnabled(false);
        }
    } else {
        updateOptions();
    }
    m_progress->setVisible(running);
    m_cancelButton->setVisible(running);
    m_cancelButton->setEnabled(running);
}

void ExportDialog::onSucceeded() {
    setRunning(false);
    const core::ExportReport& report = m_job->report();
    m_exported = QString::fromStdString(report.output.string());
    showStatus(tr("Exported to %1").arg(m_exported), false);
    m_result->setText(exportReportHtml(report));
    m_result->show();
    m_openButton->setVisible(format() != ExportFormat::Bundle || QFileInfo(m_exported).isDir());
    m_folderButton->show();
    m_openButton->setFocus();
    emit exportSucceeded(m_exported);
    if (m_closeWhenDone) {
        QDialog::reject();
    }
}

void ExportDialog::onFailed(const QString& message) {
    setRunning(false);
    showStatus(tr("Export failed: %1").arg(message), true);
    if (m_closeWhenDone) {
        QDialog::reject();
    }
}

void ExportDialog::onCancelled() {
    setRunning(false);
    showStatus(tr("Cancelled: nothing was written."), false);
    if (m_closeWhenDone) {
        QDialog::reject();
    }
}

void ExportDialog::showStatus(const QString& text, bool error) {
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #b00020") : QString());
    m_status->show();
}

void ExportDialog::showInFolder() {
    const QFileInfo info(m_exported);
    QDesktopServices::openUrl(
        QUrl::fromLocalFile(info.isDir() ? info.absoluteFilePath() : info.absolutePath()));
}

void ExportDialog::reject() {
    if (m_job->isRunning()) {
        m_closeWhenDone = true;  // close once the core has removed its partial output
        m_job->cancel();
        return;
    }
    QDialog::reject();
}

}  // namespace ckpt::ui
