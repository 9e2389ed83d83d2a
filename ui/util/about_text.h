#pragma once
// The About box's text, built from what this build can read (the reader registry), so it
// never falls behind the formats.

#include <QString>

namespace ckpt::ui {

/// HTML: name and version, one line on what the app does, the formats the registry's readers
/// open (one list item per reader), and the promise that nothing is executed.
[[nodiscard]] QString aboutHtml(const QString& version);

}  // namespace ckpt::ui
