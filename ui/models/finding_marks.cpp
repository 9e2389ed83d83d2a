#include "ui/models/finding_marks.h"

#include <QColor>
#include <QCoreApplication>
#include <QHash>
#include <QPainter>
#include <QPixmap>

#include "core/model/checkpoint.h"
#include "core/model/node.h"
#include "core/validate/finding_location.h"
#include "core/validate/validator.h"
#include "ui/util/format.h"

namespace ckpt::ui {

namespace {

constexpr int kMaxLines = 12;

QColor severityColor(int severity) {
    switch (static_cast<core::Severity>(severity)) {
        case core::Severity::Error:
            return {0xd3, 0x2f, 0x2f};
        case core::Severity::Warning:
            return {0xf0, 0x9a, 0x00};
        case core::Severity::Info:
            break;
    }
    return {0x1e, 0x88, 0xe5};
}

int moreSevere(int a, int b) {
    if (a < 0) {
        return b;
    }
    return b < 0 ? a : std::min(a, b);
}

}  // namespace

std::shared_ptr<const FindingMarks> FindingMarks::compute(const core::Checkpoint& checkpoint,
                                                          const core::ValidationReport& report) {
    auto marks = std::make_shared<FindingMarks>();
    const auto mark = [&](const core::Finding& f) {
        const auto where = core::locateFinding(checkpoint, f);
        if (where.node == nullptr) {
            return;
        }
        const int severity = static_cast<int>(f.severity);
        NodeMarks& m = marks->m_marks[where.node];
        m.own = moreSevere(m.own, severity);
        ++m.ownCount;
        if (m.lines.size() < kMaxLines) {
            QString line =
                QStringLiteral("<b style='color:%1'>%2</b> %3: %4")
                    .arg(severityColor(severity).name(),
                         fmt::qs(std::string(core::severityName(f.severity))),
                         fmt::qs(f.rule).toHtmlEscaped(), fmt::qs(f.message).toHtmlEscaped());
            if (!where.exact) {
                line += QStringLiteral(" <i>(%1)</i>").arg(fmt::qs(f.path).toHtmlEscaped());
            }
            m.lines << line;
        }
        for (const core::Node* a = where.node->parent(); a != nullptr; a = a->parent()) {
            NodeMarks& am = marks->m_marks[a];
            am.inside = moreSevere(am.inside, severity);
            ++am.insideCount;
        }
    };
    for (const core::Finding& f : report.findings) {
        mark(f);
        // Each part (a Queue's mutex) marks its own node too, with the part's message.
        for (const core::FindingPart& p : f.parts) {
            core::Finding part = f;
            part.parts.clear();
            part.path = p.path;
            part.symbol = p.symbol;
            part.offset = p.offset;
            part.message = p.message;
            mark(part);
        }
    }
    return marks;
}

const NodeMarks* FindingMarks::at(const core::Node* node) const {
    const auto it = m_marks.find(node);
    return it == m_marks.end() ? nullptr : &it->second;
}

QIcon FindingMarks::decorate(const QIcon& base, const NodeMarks& marks) {
    // Few distinct combinations: cache by base icon and mark.
    static QHash<QString, QIcon> cache;
    const QString key =
        QStringLiteral("%1/%2/%3").arg(base.cacheKey()).arg(marks.own).arg(marks.inside);
    const auto it = cache.constFind(key);
    if (it != cache.constEnd()) {
        return *it;
    }
    QIcon icon;
    for (const int size : {16, 32}) {
        QPixmap pm(size, size);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        base.paint(&p, QRect(0, 0, size, size));
        const qreal r = size * 0.28;
        const QPointF centre(size - r - size / 32.0, size - r - size / 32.0);
        if (marks.own >= 0) {
            if (marks.inside >= 0 && marks.inside < marks.own) {  // worse inside: a halo
                p.setPen(Qt::NoPen);
                p.setBrush(severityColor(marks.inside));
                p.drawEllipse(centre, r * 1.2, r * 1.2);
            }
            p.setPen(QPen(Qt::white, size / 10.0));
            p.setBrush(severityColor(marks.own));
            p.drawEllipse(centre, r, r);
        } else if (marks.inside >= 0) {
            QColor c = severityColor(marks.inside);
            c.setAlpha(225);
            p.setPen(QPen(c, size / 9.0));
            p.setBrush(QColor(255, 255, 255, 200));
            p.drawEllipse(centre, r * 0.85, r * 0.85);
        }
        p.end();
        icon.addPixmap(pm);
    }
    cache.insert(key, icon);
    return icon;
}

QString FindingMarks::toolTip(const NodeMarks& marks) {
    QString html;
    if (marks.ownCount > 0) {
        html += marks.lines.join(QStringLiteral("<br>"));
        if (marks.ownCount > marks.lines.size()) {
            html += QCoreApplication::translate("FindingMarks", "<br>… and %1 more")
                        .arg(marks.ownCount - marks.lines.size());
        }
    }
    if (marks.insideCount > 0) {
        if (!html.isEmpty()) {
            html += QStringLiteral("<br>");
        }
        html += marks.insideCount == 1
                    ? QCoreApplication::translate("FindingMarks",
                                                  "<i>1 finding inside (see the Findings tab)</i>")
                    : QCoreApplication::translate(
                          "FindingMarks", "<i>%1 findings inside (see the Findings tab)</i>")
                          .arg(marks.insideCount);
    }
    return html;
}

}  // namespace ckpt::ui
