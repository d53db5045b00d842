// ImageFolder, torchvision's layout: one subfolder per class, named for it,
// holding that class's images (PNG, JPEG, BMP, PGM/PPM, ...; read with
// stb_image). Classes are numbered in the sorted order of their names. Every
// image must have the first image's size; colour images are read as 3
// channels and grayscale as 1, after the first image's kind.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "datasets/image_set.h"

namespace coinfer {

// Reads DIR/<class>/* with the given class names (labels are their indices);
// an empty `classes` takes DIR's subfolders, sorted, and returns them there.
Status ReadImageFolder(const std::string& dir, std::vector<std::string>* classes, ImageSet* out);

}  // namespace coinfer
