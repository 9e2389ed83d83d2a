#include "ui/panels/value_table_pane.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>

#include "core/model/tensor.h"
#include "ui/models/shown_values_writer.h"
#include "ui/models/tensor_value_model.h"
#include "ui/util/format.h"

namespace ckpt::ui {

namespace {
constexpr int kMaxCopyCells = 1 << 20;  ///< larger selections are refused, not frozen on
}  // namespace

ValueTablePane::ValueTablePane(QTableView* table, TensorValueModel* model, QWidget* parent)
    : QWidget(parent),
      m_table(table),
      m_model(model),
      m_controls(new QWidget(this)),
      m_rowAxis(new QComboBox(m_controls)),
      m_colAxis(new QComboBox(m_controls)),
      m_indexRow(new QWidget(m_controls)),
      m_fitTimer(new QTimer(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* controls = new QHBoxLayout(m_controls);
    controls->setContentsMargins(0, 0, 0, 0);
    controls->setSpacing(6);
    m_rowAxis->setObjectName(QStringLiteral("sliceRowAxis"));
    m_colAxis->setObjectName(QStringLiteral("sliceColAxis"));
    m_rowAxis->setToolTip(tr("The dim shown down the rows"));
    m_colAxis->setToolTip(tr("The dim shown across the columns"));
    controls->addWidget(new QLabel(tr("Rows"), m_controls));
    controls->addWidget(m_rowAxis);
    controls->addWidget(new QLabel(tr("Columns"), m_controls));
    controls->addWidget(m_colAxis);
    auto* indexLayout = new QHBoxLayout(m_indexRow);
    indexLayout->setContentsMargins(8, 0, 0, 0);
    indexLayout->setSpacing(4);
    controls->addWidget(m_indexRow);
    controls->addStretch(1);
    m_controls->hide();
    layout->addWidget(m_controls);
    m_table->setParent(this);
    layout->addWidget(m_table, 1);

    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    connect(m_table, &QWidget::customContextMenuRequested, this, &ValueTablePane::showMenu);
    auto* copy = new QAction(tr("Copy"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, &ValueTablePane::copySelection);
    m_table->addAction(copy);
    auto* npy = new QAction(tr("Save Shown Values as .npy…"), this);
    connect(npy, &QAction::triggered, this, [this] { chooseAndSave(SaveFormat::Npy); });
    auto* csv = new QAction(tr("Save Shown Values as CSV…"), this);
    connect(csv, &QAction::triggered, this, [this] { chooseAndSave(SaveFormat::Csv); });
    m_menuActions = {copy, npy, csv};

    connect(m_rowAxis, &QComboBox::currentIndexChanged, this, [this] { applyControls(); });
    connect(m_colAxis, &QComboBox::currentIndexChanged, this, [this] { applyControls(); });
    m_fitTimer->setSingleShot(true);
    m_fitTimer->setInterval(80);
    connect(m_fitTimer, &QTimer::timeout, this, &ValueTablePane::fitWidth);
    connect(m_model, &QAbstractItemModel::modelReset, m_fitTimer, qOverload<>(&QTimer::start));
    m_table->viewport()->installEventFilter(this);
}

void ValueTablePane::setTensor(std::shared_ptr<const core::Tensor> tensor,
                               std::shared_ptr<const void> keepAlive, const QString& tensorPath) {
    m_tensor = tensor;
    m_tensorPath = tensorPath;
    m_model->setTensor(std::move(tensor), std::move(keepAlive));
    rebuildControls();
    fitWidth();
}

bool ValueTablePane::slicingShown() const {
    return m_tensor && m_tensor->shape().size() >= 3 && m_tensor->readable();
}

QSpinBox* ValueTablePane::indexBox(int axis) const {
    if (axis < 0 || axis >= static_cast<int>(m_indexBoxes.size())) {
        return nullptr;
    }
    QSpinBox* box = m_indexBoxes[static_cast<std::size_t>(axis)];
    return box != nullptr && !box->isHidden() ? box : nullptr;
}

void ValueTablePane::rebuildControls() {
    m_updating = true;
    for (QSpinBox* box : m_indexBoxes) {
        delete box;
    }
    m_indexBoxes.clear();
    for (QLabel* label : m_indexRow->findChildren<QLabel*>()) {
        delete label;
    }
    m_rowAxis->clear();
    m_colAxis->clear();
    m_controls->setVisible(slicingShown());
    if (!slicingShown()) {
        m_updating = false;
        return;
    }
    const auto& shape = m_tensor->shape();
    const int dims = static_cast<int>(shape.size());
    m_rowAxis->addItem(tr("dims 0–%1 flattened").arg(dims - 2), -1);
    for (int k = 0; k < dims; ++k) {
        const QString text = tr("dim %1 (%2)")
                                 .arg(k)
                                 .arg(static_cast<qulonglong>(shape[static_cast<std::size_t>(k)]));
        m_rowAxis->addItem(text, k);
        m_colAxis->addItem(text, k);
    }
    auto* layout = static_cast<QHBoxLayout*>(m_indexRow->layout());
    for (int k = 0; k < dims; ++k) {
        auto* label = new QLabel(tr("dim %1").arg(k), m_indexRow);
        auto* box = new QSpinBox(m_indexRow);
        box->setObjectName(QStringLiteral("sliceIndex%1").arg(k));
        box->setRange(
            0, static_cast<int>(std::min<std::uint64_t>(
                   std::max<std::uint64_t>(shape[static_cast<std::size_t>(k)], 1) - 1, INT_MAX)));
        box->setToolTip(tr("Index of dim %1 in the slice shown").arg(k));
        label->setBuddy(box);
        layout->addWidget(label);
        layout->addWidget(box);
        connect(box, &QSpinBox::valueChanged, this, [this] { applyControls(); });
        m_indexBoxes.push_back(box);
    }
    m_rowAxis->setCurrentIndex(0);
    m_colAxis->setCurrentIndex(dims - 1);
    m_updating = false;
    applyControls();
}

void ValueTablePane::setSlice(int rowAxis, int colAxis, const std::vector<std::uint64_t>& index) {
    if (!slicingShown()) {
        return;
    }
    m_updating = true;
    m_rowAxis->setCurrentIndex(std::max(0, m_rowAxis->findData(rowAxis)));
    if (colAxis >= 0) {
        m_colAxis->setCurrentIndex(std::max(0, m_colAxis->findData(colAxis)));
    }
    for (std::size_t k = 0; k < index.size() && k < m_indexBoxes.size(); ++k) {
        m_indexBoxes[k]->setValue(static_cast<int>(index[k]));
    }
    m_updating = false;
    applyControls();
}

void ValueTablePane::applyControls() {
    if (m_updating || !slicingShown()) {
        return;
    }
    const int dims = static_cast<int>(m_tensor->shape().size());
    const int row = m_rowAxis->currentData().toInt();
    m_updating = true;
    if (row < 0) {
        m_colAxis->setCurrentIndex(dims - 1);  // the default layout: columns are the last dim
    } else if (m_colAxis->currentData().toInt() == row) {
        m_colAxis->setCurrentIndex(row == dims - 1 ? dims - 2 : dims - 1);
    }
    m_updating = false;
    const int col = m_colAxis->currentData().toInt();
    m_colAxis->setEnabled(row >= 0);
    TensorMatrixView::Slice slice;
    if (row >= 0) {
        slice.rowAxis = row;
        slice.colAxis = col;
    }
    for (int k = 0; k < dims; ++k) {
        QSpinBox* box = m_indexBoxes[static_cast<std::size_t>(k)];
        const bool fixed = row >= 0 && k != row && k != col;
        box->setVisible(fixed);
        slice.index.push_back(static_cast<std::uint64_t>(box->value()));
    }
    for (QLabel* label : m_indexRow->findChildren<QLabel*>()) {
        label->setVisible(label->buddy() != nullptr && !label->buddy()->isHidden());
    }
    m_indexRow->setVisible(row >= 0 && dims > 2);
    m_model->setSlice(slice);
}

void ValueTablePane::fitWidth() {
    const TensorMatrixView* view = m_model->view();
    if (view == nullptr) {
        return;
    }
    QHeaderView* header = m_table->horizontalHeader();
    const int available = m_table->viewport()->width();
    const int cell = header->defaultSectionSize();
    if (view->wrapped()) {
        // A vector fills the rows the table is wide enough for.
        const int fit = std::max(1, available / cell);
        if (fit != m_model->wrapWidth()) {
            m_model->setWrapWidth(fit);
            return;  // the reset comes back here
        }
    }
    const int cols = m_model->columnCount();
    const bool stretch = cols > 0 && cols * cell <= available;
    header->setSectionResizeMode(stretch ? QHeaderView::Stretch : QHeaderView::Interactive);
}

bool ValueTablePane::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_table->viewport() && event->type() == QEvent::Resize) {
        m_fitTimer->start();
    }
    return QWidget::eventFilter(watched, event);
}

QString ValueTablePane::selectionText() const {
    const TensorMatrixView* view = m_model->view();
    const QModelIndexList cells = m_table->selectionModel()->selectedIndexes();
    if (view == nullptr || cells.isEmpty()) {
        return {};
    }
    int r0 = INT_MAX, r1 = -1, c0 = INT_MAX, c1 = -1;
    for (const QModelIndex& i : cells) {
        r0 = std::min(r0, i.row());
        r1 = std::max(r1, i.row());
        c0 = std::min(c0, i.column());
        c1 = std::max(c1, i.column());
    }
    const auto nr = static_cast<std::uint64_t>(r1 - r0 + 1);
    const auto nc = static_cast<std::uint64_t>(c1 - c0 + 1);
    if (nr * nc > static_cast<std::uint64_t>(kMaxCopyCells)) {
        return {};
    }
    std::vector<double> values(static_cast<std::size_t>(nr * nc));
    view->readTile(static_cast<std::uint64_t>(r0), nr, static_cast<std::uint64_t>(c0), nc,
                   values.data());
    std::vector<char> selected(values.size(), 0);
    for (const QModelIndex& i : cells) {
        selected[static_cast<std::size_t>((i.row() - r0) * static_cast<int>(nc) + i.column() -
                                          c0)] = 1;
    }
    QStringList lines;
    for (std::uint64_t r = 0; r < nr; ++r) {
        QStringList row;
        for (std::uint64_t c = 0; c < nc; ++c) {
            const std::size_t k = static_cast<std::size_t>(r * nc + c);
            const bool inside = view->contains(static_cast<std::uint64_t>(r0) + r,
                                               static_cast<std::uint64_t>(c0) + c);
            row << (selected[k] != 0 && inside ? ShownValuesWriter::valueText(*view, values[k])
                                               : QString());
        }
        lines << row.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n'));
}

void ValueTablePane::copySelection() const {
    QString text;
    try {
        text = selectionText();
    } catch (const std::exception& e) {
        emit const_cast<ValueTablePane*>(this)->statusMessage(
            tr("Could not copy: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    if (text.isEmpty()) {
        emit const_cast<ValueTablePane*>(this)->statusMessage(
            tr("Nothing copied: select up to %1 cells").arg(fmt::count(kMaxCopyCells)));
        return;
    }
    QApplication::clipboard()->setText(text);
    emit const_cast<ValueTablePane*>(this)->statusMessage(
        tr("Copied %1 values")
            .arg(fmt::count(m_table->selectionModel()->selectedIndexes().size())));
}

bool ValueTablePane::saveShown(const QString& path, SaveFormat format, QString* error) const {
    const TensorMatrixView* view = m_model->view();
    if (view == nullptr) {
        *error = tr("no tensor is shown");
        return false;
    }
    return format == SaveFormat::Npy ? ShownValuesWriter::writeNpy(*view, path, error)
                                     : ShownValuesWriter::writeCsv(*view, path, error);
}

QString ValueTablePane::suggestedName(SaveFormat format) const {
    QString name = m_tensorPath;
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("_"));
    const TensorMatrixView* view = m_model->view();
    if (view != nullptr && !view->sliceText().isEmpty()) {
        QString slice = view->sliceText();
        slice.replace(QStringLiteral(":"), QStringLiteral("all"));
        slice.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9]+")), QStringLiteral("_"));
        name += QLatin1Char('_') + slice;
    }
    if (name.isEmpty()) {
        name = QStringLiteral("values");
    }
    return name + (format == SaveFormat::Npy ? QStringLiteral(".npy") : QStringLiteral(".csv"));
}

void ValueTablePane::chooseAndSave(SaveFormat format) {
    const QString path = QFileDialog::getSaveFileName(
        this, format == SaveFormat::Npy ? tr("Save Shown Values as .npy") : tr("Save as CSV"),
        QDir::home().filePath(suggestedName(format)),
        format == SaveFormat::Npy ? tr("NumPy arrays (*.npy)") : tr("CSV files (*.csv)"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    if (saveShown(path, format, &error)) {
        emit statusMessage(tr("Saved %1").arg(path));
    } else {
        emit statusMessage(tr("Could not save %1: %2").arg(path, error));
    }
}

void ValueTablePane::showMenu(const QPoint& pos) {
    if (m_model->view() == nullptr) {
        return;
    }
    QMenu menu(this);
    m_menuActions[0]->setEnabled(m_table->selectionModel()->hasSelection());
    menu.addAction(m_menuActions[0]);
    menu.addSeparator();
    menu.addAction(m_menuActions[1]);
    menu.addAction(m_menuActions[2]);
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

}  // namespace ckpt::ui
