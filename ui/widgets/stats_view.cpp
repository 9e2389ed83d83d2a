#include "ui/widgets/stats_view.h"

#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>
#include <cmath>

#include "core/analysis/tensor_stats.h"
#include "ui/util/format.h"

namespace ckpt::ui {

StatsView::StatsView(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(4);
    const std::pair<const char*, QString> fields[] = {
        {"min", tr("Min")},        {"max", tr("Max")},      {"mean", tr("Mean")},
        {"std", tr("Std")},        {"zeros", tr("Zeros")},  {"finite", tr("Finite")},
        {"rms", tr("RMS")},        {"norm", tr("L2 norm")}, {"nan", tr("NaN")},
        {"inf", tr("+Inf / −Inf")}};
    int i = 0;
    for (const auto& [key, caption] : fields) {
        auto* name = new QLabel(caption, this);
        name->setForegroundRole(QPalette::PlaceholderText);
        auto* value = new QLabel(this);
        value->setObjectName(QStringLiteral("stat_") + QLatin1String(key));
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_fields[QString::fromLatin1(key)] = value;
        grid->addWidget(name, i / 2, (i % 2) * 2);
        grid->addWidget(value, i / 2, (i % 2) * 2 + 1);
        ++i;
    }
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    outer->addLayout(grid);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(6);
    m_progress->hide();
    outer->addWidget(m_progress);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setForegroundRole(QPalette::PlaceholderText);
    m_message->hide();
    outer->addWidget(m_message);
    outer->addStretch(1);
    blank();
}

void StatsView::setField(const QString& key, const QString& text, bool alarm) {
    QLabel* label = m_fields.at(key);
    label->setText(text);
    label->setStyleSheet(alarm ? QStringLiteral("color: #d0342c; font-weight: bold;") : QString());
}

void StatsView::blank() {
    for (const auto& [key, label] : m_fields) {
        setField(key, QStringLiteral("–"));
    }
}

void StatsView::showStats(const core::TensorStats& s) {
    m_progress->hide();
    m_message->hide();
    setField(QStringLiteral("min"), fmt::number(s.min, 6));
    setField(QStringLiteral("max"), fmt::number(s.max, 6));
    setField(QStringLiteral("mean"), fmt::number(s.mean, 6));
    setField(QStringLiteral("std"), fmt::number(s.std, 6));
    setField(QStringLiteral("zeros"),
             QStringLiteral("%1  (%2)").arg(fmt::count(s.zeros), fmt::percent(s.zeros, s.count)));
    setField(QStringLiteral("finite"),
             QStringLiteral("%1 / %2").arg(fmt::count(s.finite), fmt::count(s.count)));
    setField(QStringLiteral("nan"), fmt::count(s.nans), s.nans > 0);
    // Both follow from mean and std: sum(x^2) = n * (std^2 + mean^2) over the finite values.
    const double meanSquare = s.std * s.std + s.mean * s.mean;
    setField(QStringLiteral("rms"), fmt::number(std::sqrt(meanSquare), 6));
    setField(QStringLiteral("norm"),
             fmt::number(std::sqrt(meanSquare * static_cast<double>(s.finite)), 6));
    setField(QStringLiteral("inf"),
             QStringLiteral("%1 / %2").arg(fmt::count(s.posInf), fmt::count(s.negInf)),
             s.posInf + s.negInf > 0);
    if (s.complexMagnitude) {
        m_message->setText(
            tr("Complex values: every figure and the histogram are of the "
               "magnitude |z|."));
        m_message->show();
    } else if (s.boolean) {
        m_message->setText(tr("True: %1 of %2 (the mean is the share of true)")
                               .arg(fmt::count(s.count - s.zeros), fmt::count(s.count)));
        m_message->show();
    }
}

void StatsView::showProgress(int permille) {
    blank();
    m_message->hide();
    m_progress->setRange(0, permille < 0 ? 0 : 1000);
    if (permille >= 0) {
        m_progress->setValue(permille);
    }
    m_progress->show();
}

void StatsView::showMessage(const QString& message) {
    blank();
    m_progress->hide();
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
}

QString StatsView::fieldText(const QString& field) const {
    const auto it = m_fields.find(field);
    return it == m_fields.end() ? QString() : it->second->text();
}

}  // namespace ckpt::ui
