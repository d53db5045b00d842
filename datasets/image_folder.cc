#include "datasets/image_folder.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <filesystem>
#include <memory>

namespace coinfer {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> SortedEntries(const fs::path& dir, bool directories) {
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(dir))
    if (directories ? e.is_directory() : e.is_regular_file()) entries.push_back(e.path());
  std::sort(entries.begin(), entries.end());
  return entries;
}

// Appends one image, converted from stb's H x W x C to C x H x W.
Status AppendImage(const fs::path& path, int label, ImageSet* set) {
  int width = 0, height = 0, channels = 0;
  const std::string name = path.string();
  if (!stbi_info(name.c_str(), &width, &height, &channels))
    return Status::InvalidInput(name, "image", stbi_failure_reason());
  if (set->count == 0) {
    set->channels = channels >= 3 ? 3 : 1;
    set->height = height;
    set->width = width;
  }
  if (width != set->width || height != set->height)
    return Status::InvalidInput(name, "size",
                                std::to_string(width) + "x" + std::to_string(height) +
                                    ", but the first image is " + std::to_string(set->width) + "x" +
                                    std::to_string(set->height));
  const int c = static_cast<int>(set->channels);
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load(name.c_str(), &width, &height, &channels, c), stbi_image_free);
  if (!pixels) return Status::InvalidInput(name, "image", stbi_failure_reason());
  const int64_t plane = set->height * set->width;
  const size_t at = set->pixels.size();
  set->pixels.resize(at + c * plane);
  for (int64_t p = 0; p < plane; ++p)
    for (int k = 0; k < c; ++k) set->pixels[at + k * plane + p] = pixels.get()[p * c + k];
  set->labels.push_back(static_cast<uint8_t>(label));
  ++set->count;
  return Status::Ok();
}

}  // namespace

Status ReadImageFolder(const std::string& dir, std::vector<std::string>* classes, ImageSet* out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::IoError(dir + ": not a directory");
  if (classes->empty())
    for (const fs::path& p : SortedEntries(dir, true)) classes->push_back(p.filename().string());
  if (classes->empty() || classes->size() > 256)
    return Status::InvalidInput(dir, "classes", "expected 1 to 256 class subfolders");
  ImageSet set;
  set.classes = static_cast<int>(classes->size());
  for (const fs::path& p : SortedEntries(dir, true)) {
    const auto it = std::find(classes->begin(), classes->end(), p.filename().string());
    if (it == classes->end())
      return Status::InvalidInput(p.string(), "class", "not a class of the train split");
    for (const fs::path& image : SortedEntries(p, false))
      COINFER_RETURN_IF_ERROR(AppendImage(image, static_cast<int>(it - classes->begin()), &set));
  }
  if (set.count == 0) return Status::InvalidInput(dir, "images", "no images found");
  *out = std::move(set);
  return Status::Ok();
}

}  // namespace coinfer
