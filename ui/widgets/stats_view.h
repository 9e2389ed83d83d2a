#pragma once
// The statistics of a tensor as a compact grid of labelled values, with a progress bar while
// they are computed. NaN and Inf counts turn red when non-zero.

#include <QWidget>
#include <map>

namespace ckpt::core {
struct TensorStats;
}

class QLabel;
class QProgressBar;

namespace ckpt::ui {

/// On the Tensor tab: showProgress() while TensorAnalysis computes, then showStats() or
/// showMessage().
class StatsView : public QWidget {
    Q_OBJECT

public:
    explicit StatsView(QWidget* parent = nullptr);

    /// Shows `stats`: min, max, mean, std, RMS and L2 norm (of the finite values), zeros, finite of
    /// all, NaN and +Inf / −Inf counts; hides the progress bar and the message, except for
    /// complex tensors (a note that the figures are of |z|) and bool ones (the count of true).
    void showStats(const core::TensorStats& stats);
    /// Shows the progress bar (per mille, -1 = busy) and blanks the values.
    void showProgress(int permille);
    /// Blanks the values and shows `message` (an error, "not numeric", ...).
    void showMessage(const QString& message);

    /// The text shown for a field ("min", "max", "mean", "std", "zeros", "nan",
    /// "inf", "finite"), for tests.
    [[nodiscard]] QString fieldText(const QString& field) const;

private:
    void setField(const QString& key, const QString& text, bool alarm = false);
    void blank();

    std::map<QString, QLabel*> m_fields;
    QProgressBar* m_progress = nullptr;
    QLabel* m_message = nullptr;
};

}  // namespace ckpt::ui
