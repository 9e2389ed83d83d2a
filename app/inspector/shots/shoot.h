#pragma once
// The one way the inspector saves a window as a PNG (--screenshot, the main and the Compare
// window alike).

#include <QString>

class QWidget;

namespace ckpt::ui {

/// What shoot() did: exit code 0 and "wrote PATH (W×H)", or 1 and why not.
struct ShotResult {
    int exitCode = 1;
    QString message;
};

/// Renders `window` and saves it as a PNG at `path`.
[[nodiscard]] ShotResult shoot(QWidget* window, const QString& path);

}  // namespace ckpt::ui
