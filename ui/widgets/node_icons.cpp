#include "ui/widgets/node_icons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <array>
#include <functional>

#include "core/model/node.h"

namespace ckpt::ui {

namespace {

using Painter = std::function<void(QPainter&)>;

// Paints `draw` on a 16x16 logical canvas at the sizes a tree and a window title ask for.
QIcon paintIcon(const Painter& draw) {
    QIcon icon;
    for (const int size : {16, 24, 32, 48, 64}) {
        QPixmap pm(size, size);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(size / 16.0, size / 16.0);
        draw(p);
        p.end();
        icon.addPixmap(pm);
    }
    return icon;
}

QPen outline(const QColor& fill) {
    return QPen(fill.darker(150), 0.9);
}

void drawFolder(QPainter& p) {
    const QColor fill(0xE0, 0xA8, 0x2E);
    QPainterPath path;
    path.moveTo(1.5, 3.5);
    path.lineTo(6.0, 3.5);
    path.lineTo(7.5, 5.0);
    path.lineTo(14.5, 5.0);
    path.lineTo(14.5, 13.5);
    path.lineTo(1.5, 13.5);
    path.closeSubpath();
    p.setPen(outline(fill));
    p.setBrush(fill);
    p.drawPath(path);
    p.setPen(QPen(fill.lighter(130), 0.9));
    p.drawLine(QPointF(2.2, 6.4), QPointF(13.8, 6.4));
}

void drawTensor(QPainter& p) {
    const QColor fill(0x3B, 0x82, 0xF6);
    p.setPen(outline(fill));
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) {
            QColor cell = fill;
            cell = (r + c) % 2 == 0 ? fill : fill.lighter(135);
            p.setBrush(cell);
            p.drawRect(QRectF(1.5 + c * 4.4, 1.5 + r * 4.4, 4.0, 4.0));
        }
    }
}

void drawObject(QPainter& p) {
    const QColor fill(0x8B, 0x5C, 0xF6);
    p.setPen(outline(fill));
    p.setBrush(fill);
    QPainterPath hex;
    const std::array<QPointF, 6> pts = {QPointF(8, 1.5),  QPointF(14, 4.8), QPointF(14, 11.2),
                                        QPointF(8, 14.5), QPointF(2, 11.2), QPointF(2, 4.8)};
    hex.moveTo(pts[0]);
    for (std::size_t i = 1; i < pts.size(); ++i) {
        hex.lineTo(pts[i]);
    }
    hex.closeSubpath();
    p.drawPath(hex);
    p.setBrush(Qt::white);
    p.setPen(Qt::NoPen);
    p.drawEllipse(QPointF(8, 8), 2.2, 2.2);
}

void drawValue(QPainter& p) {
    const QColor fill(0x10, 0xB9, 0x81);
    p.setPen(outline(fill));
    p.setBrush(fill);
    QPainterPath d;
    d.moveTo(8, 2);
    d.lineTo(14, 8);
    d.lineTo(8, 14);
    d.lineTo(2, 8);
    d.closeSubpath();
    p.drawPath(d);
}

void drawArchive(QPainter& p) {
    const QColor fill(0xC0, 0x6A, 0x2B);
    p.setPen(outline(fill));
    p.setBrush(fill);
    p.drawRect(QRectF(1.5, 4.5, 13, 9));
    p.setBrush(fill.lighter(125));
    p.drawRect(QRectF(1.0, 2.5, 14, 3));
    p.setPen(QPen(fill.darker(170), 1.2));
    p.drawLine(QPointF(6.5, 8), QPointF(9.5, 8));
}

void drawDocument(QPainter& p) {
    const QColor fill(0x64, 0x74, 0x8B);
    QPainterPath page;
    page.moveTo(3, 1.5);
    page.lineTo(10, 1.5);
    page.lineTo(13.5, 5);
    page.lineTo(13.5, 14.5);
    page.lineTo(3, 14.5);
    page.closeSubpath();
    p.setPen(outline(fill));
    p.setBrush(QColor(0xF1, 0xF5, 0xF9));
    p.drawPath(page);
    p.setBrush(fill);
    p.setPen(Qt::NoPen);
    for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) {
            p.drawRect(QRectF(4.8 + c * 2.6, 6.2 + r * 2.6, 2.0, 2.0));
        }
    }
}

void drawApplication(QPainter& p) {
    for (int i = 2; i >= 0; --i) {
        const QColor fill = QColor(0x3B, 0x82, 0xF6).lighter(100 + 18 * i);
        p.setPen(outline(fill));
        p.setBrush(fill);
        p.drawRoundedRect(QRectF(1.5 + i * 1.8, 1.5 + (2 - i) * 1.8, 9.5, 9.5), 1.5, 1.5);
    }
}

}  // namespace

QIcon NodeIcons::forKind(int kind) {
    static const QIcon group = paintIcon(drawFolder);
    static const QIcon tensor = paintIcon(drawTensor);
    static const QIcon object = paintIcon(drawObject);
    static const QIcon value = paintIcon(drawValue);
    static const QIcon archive = paintIcon(drawArchive);
    switch (static_cast<core::NodeKind>(kind)) {
        case core::NodeKind::Tensor:
            return tensor;
        case core::NodeKind::Object:
            return object;
        case core::NodeKind::Value:
            return value;
        case core::NodeKind::Archive:
            return archive;
        case core::NodeKind::Group:
            break;
    }
    return group;
}

QIcon NodeIcons::document() {
    static const QIcon icon = paintIcon(drawDocument);
    return icon;
}

QIcon NodeIcons::application() {
    static const QIcon icon = paintIcon(drawApplication);
    return icon;
}

}  // namespace ckpt::ui
