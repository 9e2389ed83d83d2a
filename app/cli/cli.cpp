#include "app/cli/cli.h"

namespace ckpt::cli {

int run(int argc, char** argv, std::ostream& out, std::ostream& err) {
    err << "ckpt: not implemented yet\n";
    return kUsage;
}

}  // namespace ckpt::cli
