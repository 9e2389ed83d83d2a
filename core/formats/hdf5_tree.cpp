#include "core/formats/hdf5_tree.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "core/io/hdf5_attributes.h"
#include "core/io/hdf5_dataset.h"
#include "core/io/hdf5_file.h"
#include "core/model/node.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

constexpr std::size_t kMaxDepth = 256;

/// "a2" < "a10": runs of digits compare by value, everything else byte by byte.
bool naturalLess(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
        const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
        if (da && db) {
            std::size_t ie = i, je = j;
            while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) {
                ++ie;
            }
            while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) {
                ++je;
            }
            // Compare without leading zeros: longer digit run is larger, then lexically.
            std::size_t is = i, js = j;
            while (is + 1 < ie && a[is] == '0') {
                ++is;
            }
            while (js + 1 < je && b[js] == '0') {
                ++js;
            }
            if (ie - is != je - js) {
                return ie - is < je - js;
            }
            const int c = a.compare(is, ie - is, b, js, je - js);
            if (c != 0) {
                return c < 0;
            }
            i = ie;
            j = je;
            continue;
        }
        if (a[i] != b[j]) {
            return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
        }
        ++i;
        ++j;
    }
    return a.size() - i < b.size() - j;
}

struct Walker {
    const std::shared_ptr<Hdf5File>& file;
    const ProgressFn& progress;
    std::map<std::uint64_t, std::string> seen;  // object id -> first path
    std::uint64_t visited = 0;

    /// Reads the attributes of the open object `obj` (at `path`) into `node`.
    void readAttributes(hid_t obj, const std::string& path, Node& node) {
        const std::string where = path.empty() ? "/" : path;
        std::string current;
        try {
            for (const auto& name : attributeNames(obj)) {
                current = name;
                node.attributes()[name] = readAttribute(obj, name);
            }
        } catch (Error& e) {
            e.fillContext({{}, {}, current.empty() ? where : where + " @" + current});
            throw;
        }
    }

    /// Adds the members of the open group `group` (at `path`) below `node`. Children are opened
    /// relative to their parent, so no lookup walks the whole path again.
    void walk(hid_t group, const std::string& path, Node& node, std::size_t depth) {
        if (depth > kMaxDepth) {
            throw CorruptDataError("HDF5 groups nested deeper than " + std::to_string(kMaxDepth),
                                   {{}, {}, path});
        }
        Hdf5Lock lock(hdf5Mutex());
        auto members = listOpenGroup(group, path.empty() ? "/" : path);
        // Natural order: Keras 3 names variables 0, 1, ... 10, which HDF5 sorts as strings.
        std::stable_sort(members.begin(), members.end(), [](const H5Member& a, const H5Member& b) {
            return naturalLess(a.name, b.name);
        });
        for (const auto& member : members) {
            const std::string childPath = path.empty() ? member.name : path + "/" + member.name;
            reportProgress(progress, ++visited, 0);
            if (member.kind == H5ObjectKind::Group) {
                const auto [it, fresh] = seen.emplace(member.objectId, childPath);
                if (!fresh) {
                    auto& link = node.addChild(NodeKind::Value, member.name);
                    link.setTypeName("hdf5 link");
                    link.setValue("link to /" + it->second);
                    continue;
                }
                H5Id child(h5check(H5Gopen2(group, member.name.c_str(), H5P_DEFAULT),
                                   "cannot open group '" + childPath + "'"));
                auto& groupNode = node.addChild(NodeKind::Group, member.name);
                readAttributes(child.get(), childPath, groupNode);
                walk(child.get(), childPath, groupNode, depth + 1);
            } else if (member.kind == H5ObjectKind::Dataset) {
                H5Id child(h5check(H5Dopen2(group, member.name.c_str(), H5P_DEFAULT),
                                   "cannot open dataset '" + childPath + "'"));
                auto& tensorNode = node.addChild(NodeKind::Tensor, member.name);
                tensorNode.setTensor(datasetTensor(file, childPath, child.get()));
                readAttributes(child.get(), childPath, tensorNode);
            } else {
                auto& other = node.addChild(NodeKind::Value, member.name);
                other.setTypeName("hdf5 object");
                other.setValue(member.kind == H5ObjectKind::Datatype ? "named datatype" : "object");
            }
        }
    }
};

}  // namespace

void buildHdf5Tree(const std::shared_ptr<Hdf5File>& file, Node& parent,
                   const ProgressFn& progress) {
    Hdf5Lock lock(hdf5Mutex());
    H5Id root(h5check(H5Gopen2(file->id(), "/", H5P_DEFAULT), "cannot open the root group"));
    Walker walker{file, progress, {}, 0};
    walker.readAttributes(root.get(), "", parent);
    walker.walk(root.get(), "", parent, 0);
}

}  // namespace ckpt::core
