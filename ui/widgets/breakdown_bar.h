#pragma once
// A stacked horizontal bar with a legend: how a whole (the tensor bytes of a file) splits into
// parts (its top-level groups: weights, optimizer state, ...).

#include <QString>
#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <vector>

namespace ckpt::ui {

/// The tooltip names the part under the mouse on the bar, else lists them all.
class BreakdownBar : public QWidget {
    Q_OBJECT

public:
    /// One part of the whole.
    struct Part {
        QString name;
        std::uint64_t bytes = 0;
    };
    /// At most this many parts get their own colour; the rest are summed as "other".
    static constexpr int kMaxParts = 6;

    explicit BreakdownBar(QWidget* parent = nullptr);

    /// Shows `parts` without those of zero bytes, largest first; with more than kMaxParts, the
    /// smallest are summed into a last "other". parts() returns them as shown.
    void setParts(std::vector<Part> parts);
    [[nodiscard]] const std::vector<Part>& parts() const { return m_parts; }
    /// The legend entries drawn at the current width: every part gets one, in the longest form
    /// that lets all fit ("name  size (share)", then "name (share)", then a middle-elided name);
    /// when even that is too wide, the last entry is "+N more" and the tooltip lists them all.
    [[nodiscard]] QStringList legendTexts() const;

    /// The bar and one legend line high; 400 pixels wide, 200 at least.
    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override { return {200, sizeHint().height()}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    [[nodiscard]] QStringList legendAt(int width) const;
    [[nodiscard]] QString partText(std::size_t i, int form) const;
    [[nodiscard]] int legendWidth(const QStringList& texts) const;
    [[nodiscard]] static QColor colorAt(int i);

    std::vector<Part> m_parts;
    std::uint64_t m_total = 0;
};

}  // namespace ckpt::ui
