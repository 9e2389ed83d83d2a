#pragma once
// A stacked horizontal bar with a legend: how a whole (the tensor bytes of a file) splits into
// parts (its top-level groups: weights, optimizer state, ...).

#include <QString>
#include <QWidget>
#include <cstdint>
#include <vector>

namespace ckpt::ui {

class BreakdownBar : public QWidget {
    Q_OBJECT

public:
    struct Part {
        QString name;
        std::uint64_t bytes = 0;
    };
    /// At most this many parts get their own colour; the rest are summed as "other".
    static constexpr int kMaxParts = 6;

    explicit BreakdownBar(QWidget* parent = nullptr);

    void setParts(std::vector<Part> parts);
    [[nodiscard]] const std::vector<Part>& parts() const { return m_parts; }

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override { return {200, sizeHint().height()}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    [[nodiscard]] static QColor colorAt(int i);

    std::vector<Part> m_parts;
    std::uint64_t m_total = 0;
};

}  // namespace ckpt::ui
