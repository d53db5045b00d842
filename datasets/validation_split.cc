#include "datasets/validation_split.h"

#include <vector>

namespace coinfer {
namespace {

void Append(const ImageSet& from, int64_t i, ImageSet* to) {
  const uint8_t* image = from.Image(i);
  to->pixels.insert(to->pixels.end(), image, image + from.ImageSize());
  to->labels.push_back(from.labels[i]);
  ++to->count;
}

}  // namespace

void SplitOffValidation(const ImageSet& all_train, ImageSet* train, ImageSet* validation) {
  std::vector<int64_t> per_class(all_train.classes);
  for (int64_t i = 0; i < all_train.count; ++i) ++per_class[all_train.labels[i]];
  // The first (count - count/share) images of each class train, the rest validate.
  std::vector<int64_t> seen(all_train.classes);
  for (ImageSet* set : {train, validation}) {
    *set = ImageSet();
    set->channels = all_train.channels;
    set->height = all_train.height;
    set->width = all_train.width;
    set->classes = all_train.classes;
  }
  for (int64_t i = 0; i < all_train.count; ++i) {
    const int label = all_train.labels[i];
    const int64_t kept = per_class[label] - per_class[label] / kValidationShare;
    Append(all_train, i, seen[label]++ < kept ? train : validation);
  }
}

}  // namespace coinfer
