#pragma once
// A small coloured, clickable summary of the validator's verdict on the current file
// ("2 errors · 1 warning · 3 info", "No findings", "Validating…"), shown on the Overview.

#include <QMetaType>
#include <QPushButton>
#include <cstddef>

namespace ckpt::ui {

/// Where the check of the current file stands, and what it found.
struct FindingsStatus {
    /// None: no file; Running: being checked; Done: checked (the counts are set); Failed: the check
    /// stopped.
    enum class State { None, Running, Done, Failed };
    State state = State::None;
    /// Findings by severity (Done only).
    std::size_t errors = 0;
    std::size_t warnings = 0;
    std::size_t infos = 0;

    [[nodiscard]] std::size_t total() const { return errors + warnings + infos; }
};

/// Clicking it emits clicked(); the Overview turns that into a request for the Findings tab.
class FindingsBadge : public QPushButton {
    Q_OBJECT

public:
    explicit FindingsBadge(QWidget* parent = nullptr);

    /// Shows `status`; hidden while nothing is open (State::None).
    void setStatus(const FindingsStatus& status);
    [[nodiscard]] const FindingsStatus& status() const { return m_status; }

    /// The badge's text for `status`: counts joined by " · ", "No findings", "Validating…".
    [[nodiscard]] static QString textFor(const FindingsStatus& status);
    /// Its colour: red with errors, amber with warnings, blue with notes only, green when clean,
    /// grey while running.
    [[nodiscard]] static QColor colorFor(const FindingsStatus& status);

private:
    FindingsStatus m_status;
};

}  // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::FindingsStatus)
