#pragma once
/// Writes zip archives with libzip, the writing half beside zip_archive.h: members from memory
/// or from files, stored (no compression, as Keras writes .keras) or deflated. Nothing is
/// written until commit(); an archive that is not committed is discarded.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

struct zip;
struct zip_source;

namespace ckpt::core {

class ZipWriter {
public:
    /// Starts a new archive at `path` (replaced if it exists); `shownName` names it in errors.
    /// Throws IoError when it cannot be created.
    ZipWriter(const std::filesystem::path& path, std::string shownName);
    ~ZipWriter();
    ZipWriter(const ZipWriter&) = delete;
    ZipWriter& operator=(const ZipWriter&) = delete;

    /// Adds member `name` holding `bytes`, which must stay valid until commit().
    void addBuffer(const std::string& name, std::string_view bytes, bool store = true);
    /// Adds member `name` holding the whole of `file`, read during commit().
    void addFile(const std::string& name, const std::filesystem::path& file, bool store = true);

    /// Writes the archive. `keepGoing` is polled while it writes; when it returns false the
    /// write stops, the partial archive is removed and CancelledError is thrown. Throws
    /// IoError when libzip cannot write it. Afterwards the writer holds nothing.
    void commit(const std::function<bool()>& keepGoing = {});

private:
    void add(const std::string& name, zip_source* source, bool store);
    [[noreturn]] void fail(const std::string& what) const;

    zip* m_zip = nullptr;
    std::string m_shownName;
};

}  // namespace ckpt::core
