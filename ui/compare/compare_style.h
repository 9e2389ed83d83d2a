#pragma once
// How the compare view names and colours a change: the same tints in the aligned trees, the
// metrics table and the config changes, readable on light and dark themes (dark text on a
// light tint).

#include <QColor>
#include <QIcon>
#include <QString>
#include <string_view>

#include "core/diff/diff_report.h"

namespace ckpt::ui::compare_style {

/// Item data role carrying the TensorDiffStatus (int) of a row, or -1 for none.
constexpr int kStatusRole = 0x0100 + 40;  // Qt::UserRole + 40
/// Item data role carrying the row of the report's tensor list, or -1.
constexpr int kReportRowRole = 0x0100 + 41;
/// Sort key of a cell (numbers as double).
constexpr int kSortRole = 0x0100 + 42;

/// A std::string_view as QString (UTF-8).
[[nodiscard]] inline QString sv(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

/// "equal", "changed", "shape changed", "dtype changed", "added", "removed".
[[nodiscard]] QString statusText(core::TensorDiffStatus s);
/// Row tint; invalid (no tint) for Equal.
[[nodiscard]] QColor statusBackground(core::TensorDiffStatus s);
/// Text colour drawn on the tint (invalid for Equal: the palette's).
[[nodiscard]] QColor statusForeground(core::TensorDiffStatus s);

/// How the Compare window names a tensor pair, in the tree and in the table alike: its path in
/// A, or in B when only B has it.
[[nodiscard]] QString tensorName(const core::TensorDiff& t);

/// "name", "layer", "weight order", "position", "shape", "map"; "" for one-sided rows.
[[nodiscard]] QString pairedByText(core::PairedBy p);
/// A sentence for tooltips: "Paired by order and equal shape only (names differ)".
[[nodiscard]] QString pairedByToolTip(core::PairedBy p);
/// The mark of a pair found by position or shape (a small amber "≈" badge), painted in code.
[[nodiscard]] QIcon guessedPairIcon();

/// Tint of a config change: added green, removed red, renamed blue, changed amber.
[[nodiscard]] QColor configBackground(core::ConfigChangeKind k);
/// "+ layer", "− layer", "renamed", "+ field", "− field", "changed".
[[nodiscard]] QString configKindText(core::ConfigChangeKind k);

}  // namespace ckpt::ui::compare_style
