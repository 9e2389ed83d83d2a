#include "core/io/hdf5_walk.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/io/hdf5_attributes.h"
#include "core/io/hdf5_dataset.h"
#include "core/io/hdf5_file.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

constexpr std::size_t kMaxDepth = 256;

struct Walk {
    const std::shared_ptr<Hdf5File>& file;
    std::string damage;

    /// Only what libhdf5 itself failed on: the project's own checks of what it read (a dataset
    /// stored past the end of the file, an attribute longer than its storage) are reported by
    /// the readers, which show the rest of the file.
    void note(const Error& e, const std::string& path) {
        if (damage.empty() && dynamic_cast<const Hdf5LibraryError*>(&e) != nullptr) {
            damage = (path.empty() ? std::string("/") : path) + '\n' + e.message();
        }
    }

    void readEveryAttribute(hid_t obj, const std::string& path) {
        std::vector<std::string> names;
        try {
            names = attributeNames(obj);
        } catch (const Error& e) {
            note(e, path);
        }
        for (const auto& name : names) {
            try {
                (void)readAttribute(obj, name);
            } catch (const Error& e) {
                note(e, path + " @" + name);
            }
        }
    }
};

}  // namespace

std::string walkHdf5Structure(const std::shared_ptr<Hdf5File>& file, std::uint64_t maxObjects) {
    Hdf5Lock lock(hdf5Mutex());
    Walk walk{file, {}};
    struct Pending {
        H5Id group;
        std::string path;
        std::size_t depth;
    };
    std::vector<Pending> stack;
    try {
        H5Id root(h5check(H5Gopen2(file->id(), "/", H5P_DEFAULT), "cannot open the root group"));
        walk.readEveryAttribute(root.get(), "");
        stack.push_back({std::move(root), "", 0});
    } catch (const Error& e) {
        walk.note(e, "");
    }
    std::set<std::uint64_t> seen;
    std::uint64_t visited = 0;
    while (!stack.empty() && visited < maxObjects) {
        Pending current = std::move(stack.back());
        stack.pop_back();
        std::vector<H5Member> members;
        try {
            members = listOpenGroup(current.group.get(), current.path.empty() ? "/" : current.path);
        } catch (const Error& e) {
            walk.note(e, current.path);
            continue;
        }
        for (const auto& member : members) {
            if (++visited > maxObjects || !seen.insert(member.objectId).second) {
                continue;
            }
            const std::string path =
                current.path.empty() ? member.name : current.path + "/" + member.name;
            try {
                if (member.kind == H5ObjectKind::Group) {
                    H5Id child(
                        h5check(H5Gopen2(current.group.get(), member.name.c_str(), H5P_DEFAULT),
                                "cannot open group"));
                    walk.readEveryAttribute(child.get(), path);
                    if (current.depth < kMaxDepth) {
                        stack.push_back({std::move(child), path, current.depth + 1});
                    }
                } else if (member.kind == H5ObjectKind::Dataset) {
                    H5Id child(
                        h5check(H5Dopen2(current.group.get(), member.name.c_str(), H5P_DEFAULT),
                                "cannot open dataset"));
                    walk.readEveryAttribute(child.get(), path);
                    (void)datasetTensor(file, path, child.get());
                }
            } catch (const Error& e) {
                walk.note(e, path);
            }
        }
    }
    H5Eclear2(H5E_DEFAULT);
    return walk.damage;
}

}  // namespace ckpt::core
