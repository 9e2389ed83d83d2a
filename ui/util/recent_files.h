#pragma once
// The most recently opened files, kept in QSettings, newest first.

#include <QObject>
#include <QStringList>

namespace ckpt::ui {

class RecentFiles : public QObject {
    Q_OBJECT

public:
    static constexpr int kMaxFiles = 10;

    explicit RecentFiles(QObject* parent = nullptr);

    [[nodiscard]] QStringList files() const;
    /// Moves `path` to the front (adding it if new) and trims the list.
    void add(const QString& path);
    void remove(const QString& path);
    void clear();

signals:
    void changed();

private:
    void store(const QStringList& files);
};

}  // namespace ckpt::ui
