#pragma once
/// The JSON type used across the core: key order is kept as the file wrote it.

#include <nlohmann/json.hpp>

namespace ckpt::core {
using Json = nlohmann::ordered_json;
}
