#include "datasets/dataset.h"

#include <cstdlib>

#include "datasets/cifar10.h"
#include "datasets/idx.h"
#include "datasets/image_folder.h"

namespace coinfer {

std::string FashionMnistCacheDir() {
  const char* dir = std::getenv("COINFER_DATA_DIR");
  return std::string(dir && *dir ? dir : COINFER_DEFAULT_DATA_DIR "/datasets/cache") +
         "/fashion-mnist";
}

Status LoadDataset(const std::string& spec, Split split, ImageSet* out) {
  const std::string idx_prefix = split == Split::kTrain ? "train" : "t10k";
  if (spec == "fashion-mnist") return ReadIdxSplit(FashionMnistCacheDir(), idx_prefix, out);
  if (spec.rfind("idx:", 0) == 0) return ReadIdxSplit(spec.substr(4), idx_prefix, out);
  if (spec.rfind("cifar10:", 0) == 0)
    return ReadCifar10(spec.substr(8), split == Split::kTrain, out);
  if (spec.rfind("imagefolder:", 0) == 0) {
    // Both splits number their classes after train's folders.
    std::vector<std::string> classes;
    ImageSet train;
    COINFER_RETURN_IF_ERROR(ReadImageFolder(spec.substr(12) + "/train", &classes, &train));
    if (split == Split::kTrain) {
      *out = std::move(train);
      return Status::Ok();
    }
    return ReadImageFolder(spec.substr(12) + "/test", &classes, out);
  }
  return Status::InvalidInput(
      "", "dataset",
      "unknown dataset '" + spec + "' (fashion-mnist, idx:DIR, cifar10:DIR or imagefolder:DIR)");
}

}  // namespace coinfer
