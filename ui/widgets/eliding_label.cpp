#include "ui/widgets/eliding_label.h"

#include <QResizeEvent>

namespace ckpt::ui {

ElidingLabel::ElidingLabel(QWidget* parent) : QLabel(parent) {
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    setTextFormat(Qt::PlainText);
}

void ElidingLabel::setFullText(const QString& text) {
    m_full = text;
    setToolTip(text);
    updateShown();
    updateGeometry();
}

QSize ElidingLabel::minimumSizeHint() const {
    return {fontMetrics().averageCharWidth() * 8, QLabel::minimumSizeHint().height()};
}

QSize ElidingLabel::sizeHint() const {
    return {fontMetrics().horizontalAdvance(m_full) + 4, QLabel::sizeHint().height()};
}

void ElidingLabel::resizeEvent(QResizeEvent* event) {
    QLabel::resizeEvent(event);
    updateShown();
}

void ElidingLabel::updateShown() {
    setText(fontMetrics().elidedText(m_full, Qt::ElideMiddle, std::max(0, width() - 2)));
}

}  // namespace ckpt::ui
