#include "run/run_key.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "run/scenario.h"

namespace coinfer {

std::string RunKey(const Scenario& scenario) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr);
  // Each item is preceded by its length, so that no two lists of items
  // (text or binary) hash the same bytes.
  auto prefix = [&sha](uintmax_t size) {
    const std::string length = std::to_string(size) + ":";
    EVP_DigestUpdate(sha.get(), length.data(), length.size());
  };
  auto add = [&](const std::string& item) {
    prefix(item.size());
    EVP_DigestUpdate(sha.get(), item.data(), item.size());
  };
  add("coinfer " COINFER_VERSION);
  for (const std::string& setting : scenario.settings)
    if (setting.rfind("output.db =", 0) != 0) add(setting);
  for (const std::string& file : scenario.input_files) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(file, ec);
    std::ifstream in(file, std::ios::binary);
    if (ec || !in) {
      add("missing");
      continue;
    }
    add("file");
    prefix(size);
    char chunk[1 << 16];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0)
      EVP_DigestUpdate(sha.get(), chunk, static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(sha.get(), digest, &size);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

}  // namespace coinfer
