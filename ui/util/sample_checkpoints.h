#pragma once
// The sample checkpoints bundled as Qt resources under :/samples, opened when the app starts
// without a file.

#include <QString>
#include <QStringList>

namespace ckpt::ui {

/// Static functions only.
class SampleCheckpoints {
public:
    /// Resource paths (":/samples/...") of the bundled checkpoints, sorted; descriptions such
    /// as *.expected.json are left out.
    [[nodiscard]] static QStringList resourcePaths();
    /// True for a path of a bundled sample (":/samples/...").
    [[nodiscard]] static bool isSample(const QString& path);
    /// How the UI names a document opened from `path`: a bundled sample by its own name
    /// ("mnist_mlp.h5 (bundled sample)"), never by its resource path; other paths as they are.
    [[nodiscard]] static QString displayPath(const QString& path);
};

}  // namespace ckpt::ui
