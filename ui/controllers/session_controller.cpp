#include "ui/controllers/session_controller.h"

#include <QFile>
#include <QFileInfo>

#include "core/model/checkpoint.h"
#include "ui/controllers/validation_reports.h"
#include "ui/jobs/load_controller.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/util/format.h"
#include "ui/util/recent_files.h"
#include "ui/util/sample_checkpoints.h"

namespace ckpt::ui {

SessionController::SessionController(QObject* parent)
    : QObject(parent),
      m_model(new CheckpointTreeModel(this)),
      m_loader(new LoadController(this)),
      m_reports(new ValidationReports(this)),
      m_recent(new RecentFiles(this)) {
    connect(m_loader, &LoadController::loaded, this, &SessionController::onLoaded);
    connect(m_loader, &LoadController::failed, this, &SessionController::onFailed);
    connect(m_loader, &LoadController::cancelled, this, [this](const QString& path) {
        emit statusMessage(tr("Cancelled opening %1").arg(QFileInfo(path).fileName()));
    });
}

SessionController::~SessionController() = default;

void SessionController::openFiles(const QStringList& paths) {
    for (const QString& p : paths) {
        const QString path =
            p.startsWith(QLatin1String(":/")) ? p : QFileInfo(p).absoluteFilePath();
        m_loader->open({path, {}, m_sampleBytes.value(path), 0});
    }
}

int SessionController::openSamples() {
    const QStringList samples = SampleCheckpoints::resourcePaths();
    for (const QString& path : samples) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            continue;
        }
        m_sampleBytes.insert(path, file.readAll());
        m_loader->open(
            {path, QFileInfo(path).fileName() + tr(" (sample)"), m_sampleBytes.value(path), 0});
    }
    return static_cast<int>(samples.size());
}

void SessionController::reload(int row) {
    const QString path = m_model->documentPath(row);
    if (path.isEmpty()) {
        return;
    }
    m_loader->open({path, m_model->documentTitle(row), m_sampleBytes.value(path), 0});
}

void SessionController::close(int row) {
    if (row < 0 || row >= m_model->documentCount()) {
        return;
    }
    const QString title = m_model->documentTitle(row);
    m_model->removeDocument(row);
    emit statusMessage(tr("Closed %1").arg(title));
}

bool SessionController::isOpen(const core::Checkpoint* checkpoint) const {
    for (int r = 0; r < m_model->documentCount(); ++r) {
        if (m_model->checkpoint(r).get() == checkpoint) {
            return true;
        }
    }
    return false;
}

void SessionController::onLoaded(const LoadOutcome& outcome) {
    const QString& path = outcome.request.path;
    int row = m_model->findDocument(path);
    if (row >= 0) {
        m_model->replaceDocument(row, outcome.checkpoint);
    } else {
        row = m_model->addDocument(outcome.checkpoint, path, outcome.request.title);
    }
    if (outcome.request.bytes.isEmpty()) {
        m_recent->add(path);
    }
    const auto& c = *outcome.checkpoint;
    QString contents;
    if (!c.layers().empty()) {
        contents = tr("%1 layers, %2 parameters")
                       .arg(fmt::count(c.layers().size()), fmt::count(c.totalParams()));
    } else {
        // No layer structure (GGUF, safetensors, a state dict): the tensors and their values.
        const auto tensors = c.tensorNodes();
        std::uint64_t values = 0;
        for (const auto* n : tensors) {
            values += n->tensor()->numel();
        }
        contents = tr("%1 tensors, %2 values").arg(fmt::count(tensors.size()), fmt::count(values));
    }
    emit statusMessage(tr("Opened %1 — %2, %3 (read in %4 ms)")
                           .arg(outcome.request.title, fmt::qs(c.formatDescription()), contents)
                           .arg(outcome.workerMs));
    if (m_currentDoc == row) {
        m_currentDoc = -1;  // the checkpoint behind the row changed
    }
    emit documentOpened(row, m_restorePath.take(path));
}

void SessionController::onFailed(const LoadOutcome& outcome) {
    m_restorePath.remove(outcome.request.path);
    emit statusMessage(tr("Could not open %1").arg(outcome.request.title));
    emit loadFailed(outcome.request.path, outcome.error);
}

void SessionController::setCurrentIndex(const QModelIndex& index) {
    const int doc = m_model->documentRowOf(index);
    const core::Checkpoint* checkpoint = m_model->checkpoint(doc).get();
    if (doc != m_currentDoc || checkpoint != m_currentCheckpoint) {
        m_currentDoc = doc;
        m_currentCheckpoint = checkpoint;
        emit currentDocumentChanged(m_model->checkpoint(doc),
                                    SampleCheckpoints::displayPath(m_model->documentPath(doc)));
    }
    if (doc >= 0) {
        // Remember where the user is, for a reload of this document.
        m_restorePath.insert(m_model->documentPath(doc),
                             index.data(CheckpointTreeModel::PathRole).toString());
    }
    emit currentTensorChanged(selectionFor(index));
}

TensorSelection SessionController::selectionFor(const QModelIndex& index) const {
    TensorSelection s;
    const core::Node* node = m_model->node(index);
    if (node == nullptr || node->kind() != core::NodeKind::Tensor || !node->tensor()) {
        return s;
    }
    s.checkpoint = m_model->checkpoint(m_model->documentRowOf(index));
    s.tensor = node->tensor();
    s.path = fmt::qs(node->path());
    return s;
}

QString SessionController::defaultTensorPath(int row) const {
    const auto& c = m_model->checkpoint(row);
    if (!c) {
        return {};
    }
    for (const auto& layer : c->layers()) {
        if (layer.weightPaths.empty()) {
            continue;
        }
        for (const auto& p : layer.weightPaths) {
            if (p.find("kernel") != std::string::npos && c->findTensor(p) != nullptr) {
                return fmt::qs(p);
            }
        }
        if (c->findTensor(layer.weightPaths.front()) != nullptr) {
            return fmt::qs(layer.weightPaths.front());
        }
    }
    const auto tensors = c->tensorNodes();
    for (const auto* n : tensors) {
        if (n->tensor() && n->tensor()->shape().size() >= 2) {
            return fmt::qs(n->path());
        }
    }
    return tensors.empty() ? QString() : fmt::qs(tensors.front()->path());
}

}  // namespace ckpt::ui
