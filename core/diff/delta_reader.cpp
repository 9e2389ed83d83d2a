#include "core/diff/delta_reader.h"

#include <string>
#include <vector>

#include "core/model/tensor.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

bool numeric(const Tensor& t) {
    return t.readable() && (dtypeIsNumeric(t.dtype()) || t.dtype() == DType::Complex64 ||
                            t.dtype() == DType::Complex128);
}

}  // namespace

DeltaReader::DeltaReader(std::shared_ptr<const Tensor> a, std::shared_ptr<const Tensor> b)
    : m_a(std::move(a)), m_b(std::move(b)) {
    if (!m_a || !m_b || m_a->numel() != m_b->numel()) {
        throw UnsupportedError("the delta needs two tensors with the same number of elements");
    }
    if (m_a->numel() > 0 && (!numeric(*m_a) || !numeric(*m_b))) {
        throw UnsupportedError("the delta needs numeric tensors with readable data");
    }
    m_numel = m_a->numel();
}

void DeltaReader::read(std::uint64_t first, std::uint64_t count, double* delta, double* a,
                       double* b) const {
    if (first > m_numel || count > m_numel - first) {
        throw CorruptDataError("element range " + std::to_string(first) + "+" +
                               std::to_string(count) + " is outside a tensor of " +
                               std::to_string(m_numel) + " elements");
    }
    if (count == 0) {
        return;
    }
    const auto n = static_cast<std::size_t>(count);
    std::vector<double> ownA(a == nullptr ? n : 0);
    std::vector<double> ownB(b == nullptr ? n : 0);
    double* va = a != nullptr ? a : ownA.data();
    double* vb = b != nullptr ? b : ownB.data();
    m_a->readAsDouble(first, count, va);
    m_b->readAsDouble(first, count, vb);
    for (std::size_t i = 0; i < n; ++i) {
        delta[i] = vb[i] - va[i];
    }
}

}  // namespace ckpt::core
