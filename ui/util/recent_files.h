#pragma once
// The most recently opened files, kept in QSettings, newest first.

#include <QObject>
#include <QStringList>

namespace ckpt::ui {

/// Kept under "recentFiles" in the application's QSettings: every RecentFiles object sees the same
/// list.
class RecentFiles : public QObject {
    Q_OBJECT

public:
    /// Files kept at most.
    static constexpr int kMaxFiles = 10;

    explicit RecentFiles(QObject* parent = nullptr);

    /// Absolute paths, newest first.
    [[nodiscard]] QStringList files() const;
    /// Moves `path` to the front (adding it if new) and trims the list.
    void add(const QString& path);
    /// Takes `path` (made absolute) off the list.
    void remove(const QString& path);
    /// Empties the list.
    void clear();

signals:
    /// The list was stored: add(), clear(), or remove() of a listed path.
    void changed();

private:
    void store(const QStringList& files);
};

}  // namespace ckpt::ui
