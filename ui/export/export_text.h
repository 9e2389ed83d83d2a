#pragma once
// The texts the Export dialog shows: the preview lists' summary and the report of a finished
// export, as rich text.

#include <QString>

#include "core/export/export_common.h"
#include "core/export/export_plan.h"

namespace ckpt::ui {

/// "412 of 530 tensors".
[[nodiscard]] QString globCountText(const core::GlobCount& count);
/// What the preview says will be written: tensors, bytes, output names and notes (HTML).
[[nodiscard]] QString writtenPreviewHtml(const core::ExportPreview& preview);
/// The summary of a finished export: what was written, left out, cleaned and warned (HTML).
[[nodiscard]] QString exportReportHtml(const core::ExportReport& report);

}  // namespace ckpt::ui
