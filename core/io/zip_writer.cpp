#include "core/io/zip_writer.h"

#include <zip.h>

#include <utility>

#include "core/util/error.h"

namespace ckpt::core {

ZipWriter::ZipWriter(const std::filesystem::path& path, std::string shownName)
    : m_shownName(std::move(shownName)) {
    int err = 0;
    m_zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (m_zip == nullptr) {
        zip_error_t e;
        zip_error_init_with_code(&e, err);
        const std::string why = zip_error_strerror(&e);
        zip_error_fini(&e);
        throw IoError("cannot create the zip archive: " + why, {m_shownName, "zip", {}, {}});
    }
}

ZipWriter::~ZipWriter() {
    if (m_zip != nullptr) {
        zip_discard(m_zip);
    }
}

void ZipWriter::fail(const std::string& what) const {
    const std::string why = m_zip != nullptr ? zip_strerror(m_zip) : "";
    throw IoError(what + (why.empty() ? "" : ": " + why), {m_shownName, "zip", {}, {}});
}

void ZipWriter::add(const std::string& name, zip_source_t* source, bool store) {
    if (m_zip == nullptr) {
        throw IoError("internal: zip member added after commit()", {m_shownName, "zip", {}, {}});
    }
    if (source == nullptr) {
        fail("cannot read the data for " + name);
    }
    const zip_int64_t index =
        zip_file_add(m_zip, name.c_str(), source, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    if (index < 0) {
        zip_source_free(source);
        fail("cannot add " + name);
    }
    const zip_int32_t method = store ? ZIP_CM_STORE : ZIP_CM_DEFLATE;
    if (zip_set_file_compression(m_zip, static_cast<zip_uint64_t>(index), method, 0) != 0) {
        fail("cannot set the compression of " + name);
    }
}

void ZipWriter::addBuffer(const std::string& name, std::string_view bytes, bool store) {
    add(name, m_zip ? zip_source_buffer(m_zip, bytes.data(), bytes.size(), 0) : nullptr, store);
}

void ZipWriter::addFile(const std::string& name, const std::filesystem::path& file, bool store) {
    add(name, m_zip ? zip_source_file(m_zip, file.c_str(), 0, -1) : nullptr, store);
}

void ZipWriter::commit(const std::function<bool()>& keepGoing) {
    if (m_zip == nullptr) {
        throw IoError("internal: zip archive committed twice", {m_shownName, "zip", {}, {}});
    }
    struct State {
        const std::function<bool()>* keepGoing;
        bool cancelled = false;
    } state{&keepGoing};
    if (keepGoing) {
        zip_register_cancel_callback_with_state(
            m_zip,
            [](zip_t*, void* data) -> int {
                auto* s = static_cast<State*>(data);
                if (!(*s->keepGoing)()) {
                    s->cancelled = true;
                    return 1;
                }
                return 0;
            },
            nullptr, &state);
    }
    if (zip_close(m_zip) != 0) {
        // The archive stays open after a failed close: the destructor discards it (once).
        zip_register_cancel_callback_with_state(m_zip, nullptr, nullptr, nullptr);
        if (state.cancelled) {
            throw CancelledError();
        }
        fail("cannot write the zip archive");
    }
    m_zip = nullptr;  // closed and freed by zip_close
}

}  // namespace ckpt::core
