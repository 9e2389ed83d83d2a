#include "core/validate/finding.h"

namespace ckpt::core {

std::string_view categoryName(FindingCategory c) {
    switch (c) {
        case FindingCategory::Unserializable:
            return "unserializable";
        case FindingCategory::Portability:
            return "portability";
        case FindingCategory::Security:
            return "security";
        case FindingCategory::Integrity:
            return "integrity";
    }
    return "security";
}

std::string_view severityName(Severity s) {
    switch (s) {
        case Severity::Error:
            return "error";
        case Severity::Warning:
            return "warning";
        case Severity::Info:
            return "info";
    }
    return "error";
}

std::optional<Severity> severityFromName(std::string_view name) {
    if (name == "error") {
        return Severity::Error;
    }
    if (name == "warning") {
        return Severity::Warning;
    }
    if (name == "info") {
        return Severity::Info;
    }
    return std::nullopt;
}

}  // namespace ckpt::core
