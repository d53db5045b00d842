#include "datasets/idx.h"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace coinfer {
namespace {

uint32_t BigEndian(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

void PutBigEndian(uint32_t v, std::ofstream& out) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out.write(bytes, 4);
}

// Reads an IDX file of unsigned bytes with `dims` dimensions.
Status ReadIdx(const std::string& path, int dims, std::vector<uint32_t>* sizes,
               std::vector<uint8_t>* data) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open (run scripts/data to fetch the dataset)");
  std::vector<unsigned char> header(4 + 4 * dims);
  if (!in.read(reinterpret_cast<char*>(header.data()), header.size()))
    return Status::InvalidInput(path, "header", "file too short");
  if (BigEndian(header.data()) != 0x800u + dims)
    return Status::InvalidInput(path, "magic",
                                "not an IDX file of " + std::to_string(dims) + "-d unsigned bytes");
  sizes->clear();
  uint64_t total = 1;
  for (int d = 0; d < dims; ++d) {
    sizes->push_back(BigEndian(header.data() + 4 + 4 * d));
    total *= sizes->back();
  }
  data->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (data->size() != total)
    return Status::InvalidInput(path, "data",
                                "expected " + std::to_string(total) +
                                    " bytes after the header, found " +
                                    std::to_string(data->size()));
  return Status::Ok();
}

}  // namespace

Status ReadIdxSplit(const std::string& dir, const std::string& prefix, ImageSet* out) {
  const std::string images = dir + "/" + prefix + "-images-idx3-ubyte";
  const std::string labels = dir + "/" + prefix + "-labels-idx1-ubyte";
  std::vector<uint32_t> image_sizes, label_sizes;
  ImageSet set;
  COINFER_RETURN_IF_ERROR(ReadIdx(images, 3, &image_sizes, &set.pixels));
  COINFER_RETURN_IF_ERROR(ReadIdx(labels, 1, &label_sizes, &set.labels));
  if (image_sizes[0] != label_sizes[0])
    return Status::InvalidInput(labels, "count",
                                std::to_string(label_sizes[0]) + " labels for " +
                                    std::to_string(image_sizes[0]) + " images");
  set.count = image_sizes[0];
  set.channels = 1;
  set.height = image_sizes[1];
  set.width = image_sizes[2];
  set.classes =
      set.labels.empty() ? 0 : *std::max_element(set.labels.begin(), set.labels.end()) + 1;
  *out = std::move(set);
  return Status::Ok();
}

Status WriteIdxSplit(const ImageSet& set, const std::string& dir, const std::string& prefix) {
  const std::string images = dir + "/" + prefix + "-images-idx3-ubyte";
  const std::string labels = dir + "/" + prefix + "-labels-idx1-ubyte";
  std::ofstream img(images, std::ios::binary), lab(labels, std::ios::binary);
  if (!img || !lab) return Status::IoError("cannot write " + images + " or " + labels);
  PutBigEndian(0x803, img);
  for (int64_t v : {set.count, set.height, set.width}) PutBigEndian(static_cast<uint32_t>(v), img);
  img.write(reinterpret_cast<const char*>(set.pixels.data()), set.pixels.size());
  PutBigEndian(0x801, lab);
  PutBigEndian(static_cast<uint32_t>(set.count), lab);
  lab.write(reinterpret_cast<const char*>(set.labels.data()), set.labels.size());
  if (!img || !lab) return Status::IoError("write failed: " + images);
  return Status::Ok();
}

}  // namespace coinfer
