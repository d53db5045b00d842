#include "run/run_key.h"

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "run/scenario.h"

namespace coinfer {

std::string RunKey(const Scenario& scenario) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr);
  // Each item ends with a zero byte, so that ("ab", "c") and ("a", "bc") differ.
  auto add = [&sha](const std::string& item) {
    EVP_DigestUpdate(sha.get(), item.c_str(), item.size() + 1);
  };
  add("coinfer " COINFER_VERSION);
  for (const std::string& setting : scenario.settings)
    if (setting.rfind("output.db =", 0) != 0) add(setting);
  for (const std::string& file : scenario.input_files) {
    std::ifstream in(file, std::ios::binary);
    add(in ? "file " + std::string(std::istreambuf_iterator<char>(in), {}) : "missing");
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
