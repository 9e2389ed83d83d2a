#pragma once
// The sample checkpoints bundled as Qt resources under :/samples, opened when the app starts
// without a file.

#include <QStringList>

namespace ckpt::ui {

class SampleCheckpoints {
public:
    /// Resource paths (":/samples/...") of the bundled checkpoints, sorted; descriptions such
    /// as *.expected.json are left out.
    [[nodiscard]] static QStringList resourcePaths();
};

}  // namespace ckpt::ui
