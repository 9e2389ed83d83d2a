#include "ui/models/node_text.h"

#include "core/model/node.h"
#include "core/model/tensor.h"
#include "ui/util/format.h"

namespace ckpt::ui {

using core::NodeKind;

namespace {

QString oneLine(const std::string& s, int max) {
    QString q = fmt::qs(s);
    q.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return q.size() > max ? q.left(max - 1) + QChar(0x2026) : q;
}

}  // namespace

QString NodeText::type(const core::Node& n) {
    switch (n.kind()) {
        case NodeKind::Tensor: {
            const auto& t = n.tensor();
            if (!t) {
                return QStringLiteral("tensor");
            }
            if (!t->encoding().name.empty()) {
                return fmt::qs(t->typeLabel());
            }
            if (!t->dtypeDetail().empty() && !core::dtypeIsNumeric(t->dtype())) {
                return fmt::qs(t->dtypeDetail());
            }
            return fmt::qs(std::string(core::dtypeName(t->dtype())));
        }
        case NodeKind::Group:
            return n.transparent() ? QStringLiteral("module") : QStringLiteral("group");
        case NodeKind::Object:
            return n.typeName().empty() ? QStringLiteral("object") : fmt::qs(n.typeName());
        case NodeKind::Value:
            return n.typeName().empty() ? QStringLiteral("value") : fmt::qs(n.typeName());
        case NodeKind::Archive:
            return n.typeName().empty() ? QStringLiteral("archive")
                                        : QStringLiteral("archive: ") + fmt::qs(n.typeName());
    }
    return {};
}

QString NodeText::shapeOrValue(const core::Node& n, int maxChars) {
    if (n.kind() == NodeKind::Tensor && n.tensor()) {
        return fmt::shape(n.tensor()->shape());
    }
    if (n.kind() == NodeKind::Value) {
        return oneLine(n.value(), maxChars);
    }
    if (n.transparent() && n.attributes().contains("parameters")) {
        // A module made of dotted keys: its parameter count where a tensor shows its shape.
        const auto& p = n.attributes()["parameters"];
        if (p.is_number_unsigned()) {
            return QObject::tr("%1 params").arg(fmt::count(p.get<std::uint64_t>()));
        }
    }
    return {};
}

QString NodeText::toolTip(const core::Node& n) {
    QString tip = QStringLiteral("<b>%1</b><br>%2")
                      .arg(fmt::qs(n.path()).toHtmlEscaped(), type(n).toHtmlEscaped());
    if (n.kind() == NodeKind::Tensor && n.tensor()) {
        const auto& t = *n.tensor();
        tip += QStringLiteral(" %1 · %2 elements · %3")
                   .arg(fmt::shape(t.shape()), fmt::count(t.numel()), fmt::bytes(t.storedBytes()));
    } else if (n.kind() == NodeKind::Value) {
        tip += QStringLiteral("<br>") + oneLine(n.value(), 2000).toHtmlEscaped();
    } else if (n.childCount() > 0) {
        tip += QStringLiteral(" · %1 children").arg(fmt::count(n.childCount()));
    }
    return tip;
}

}  // namespace ckpt::ui
