#pragma once
/// JSON text that never throws on strings that are not valid UTF-8 (names and values read from
/// untrusted files): such bytes are replaced by U+FFFD, as nlohmann's error_handler_t::replace
/// does. Every JSON or SARIF document the product prints goes through this.

#include <string>

#include "core/model/json.h"

namespace ckpt::core {

[[nodiscard]] inline std::string dumpJson(const Json& j, int indent = -1) {
    return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ckpt::core
