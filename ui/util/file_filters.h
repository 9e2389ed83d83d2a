#pragma once
// What the app offers to open, from the reader registry: the file dialog's filter and the paths
// of a drop that can be opened (files, and folders that hold a split bundle).

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace ckpt::ui {

/// "Checkpoints (*.weights.h5 *.safetensors ...);;All files (*)", every reader's endings.
[[nodiscard]] QString checkpointFileFilter();

/// The local paths among `urls` that openCheckpoint accepts (isOpenablePath), in order.
[[nodiscard]] QStringList openablePaths(const QList<QUrl>& urls);

}  // namespace ckpt::ui
