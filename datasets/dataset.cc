#include "datasets/dataset.h"

#include <cstdlib>

#include "datasets/cifar10.h"
#include "datasets/idx.h"
#include "datasets/image_folder.h"
#include "datasets/validation_split.h"

namespace coinfer {

std::string FashionMnistCacheDir() {
  const char* dir = std::getenv("COINFER_DATA_DIR");
  return std::string(dir && *dir ? dir : COINFER_DEFAULT_DATA_DIR "/datasets/cache") +
         "/fashion-mnist";
}

namespace {

// The dataset's own train (train = true) or test split, as its files hold it.
Status LoadFileSplit(const std::string& spec, bool train, ImageSet* out) {
  const std::string idx_prefix = train ? "train" : "t10k";
  if (spec == "fashion-mnist") return ReadIdxSplit(FashionMnistCacheDir(), idx_prefix, out);
  if (spec.rfind("idx:", 0) == 0) return ReadIdxSplit(spec.substr(4), idx_prefix, out);
  if (spec.rfind("cifar10:", 0) == 0) return ReadCifar10(spec.substr(8), train, out);
  if (spec.rfind("imagefolder:", 0) == 0) {
    // Both splits number their classes after train's folders.
    std::vector<std::string> classes;
    ImageSet train_set;
    COINFER_RETURN_IF_ERROR(ReadImageFolder(spec.substr(12) + "/train", &classes, &train_set));
    if (train) {
      *out = std::move(train_set);
      return Status::Ok();
    }
    return ReadImageFolder(spec.substr(12) + "/test", &classes, out);
  }
  return Status::InvalidInput(
      "", "dataset",
      "unknown dataset '" + spec + "' (fashion-mnist, idx:DIR, cifar10:DIR or imagefolder:DIR)");
}

}  // namespace

const char* SplitName(Split split) {
  switch (split) {
    case Split::kTrain:
      return "train";
    case Split::kValidation:
      return "validation";
    case Split::kTest:
      return "test";
  }
  return "";
}

Status LoadDataset(const std::string& spec, Split split, ImageSet* out) {
  if (split == Split::kTest) return LoadFileSplit(spec, false, out);
  ImageSet all_train, train, validation;
  COINFER_RETURN_IF_ERROR(LoadFileSplit(spec, true, &all_train));
  SplitOffValidation(all_train, &train, &validation);
  *out = std::move(split == Split::kTrain ? train : validation);
  return Status::Ok();
}

}  // namespace coinfer
