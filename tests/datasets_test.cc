#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "datasets/cifar10.h"
#include "datasets/dataset.h"
#include "datasets/fashion_mnist.h"
#include "datasets/idx.h"
#include "datasets/validation_split.h"

namespace coinfer {
namespace {

namespace fs = std::filesystem;

// Per test: CTest runs the tests of this file in parallel processes.
fs::path TempDir(const std::string& name) {
  const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  const fs::path dir = fs::temp_directory_path() / ("coinfer_datasets_" + test + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A fashion-mnist-shaped package: `per_class` images of class c, pixel value
// 10*c + image index; `bad_row` appended to class 3, `extra_row` to class 5.
fs::path FakePackage(int per_class, const std::string& bad_row = "",
                     const std::string& extra_row = "") {
  const fs::path dir = TempDir("package");
  fs::create_directories(dir / "src/clothes");
  for (int c = 0; c < 10; ++c) {
    std::ofstream out(dir / "src/clothes" / (std::to_string(c) + ".json"));
    out << "{\"data\":[";
    for (int i = 0; i < per_class; ++i) {
      out << (i ? "," : "") << "[";
      for (int p = 0; p < 784; ++p) out << (p ? "," : "") << 10 * c + i;
      out << "]";
    }
    if (c == 3 && !bad_row.empty()) out << "," << bad_row;
    if (c == 5 && !extra_row.empty()) out << "," << extra_row;
    out << "]}";
  }
  return dir;
}

TEST(FashionMnist, SplitsEachClassAndInterleavesTheClasses) {
  ImageSet train, test;
  std::vector<std::string> notes;
  ASSERT_TRUE(ImportFashionMnistPackage(FakePackage(3).string(), 2, &train, &test, &notes).ok());
  EXPECT_EQ(train.count, 20);
  EXPECT_EQ(test.count, 10);
  EXPECT_EQ(train.height, 28);
  EXPECT_EQ(train.classes, 10);
  // Train: image 0 of classes 0..9, then image 1 of classes 0..9.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(train.labels[i], i % 10);
    EXPECT_EQ(train.Image(i)[0], 10 * (i % 10) + i / 10);
  }
  for (int i = 0; i < 10; ++i) EXPECT_EQ(test.Image(i)[783], 10 * i + 2);
}

TEST(FashionMnist, BadPixelNamesTheFileAndTheField) {
  ImageSet train, test;
  std::vector<std::string> notes;
  std::string row = "[";
  for (int p = 0; p < 784; ++p) row += std::string(p ? "," : "") + (p == 5 ? "300" : "0");
  row += "]";
  const Status st =
      ImportFashionMnistPackage(FakePackage(3, row).string(), 2, &train, &test, &notes);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("3.json: data[3][5]: pixel must be an integer in 0..255"),
            std::string::npos)
      << st.message();
}

// Only 0.json's data[1000] and data[7001] may be empty; an empty record
// elsewhere, or a class with an extra image, would unbalance the splits.
TEST(FashionMnist, AnUnknownEmptyRecordOrAnUnequalClassIsAnError) {
  ImageSet train, test;
  std::vector<std::string> notes;
  Status st = ImportFashionMnistPackage(FakePackage(3, "[]").string(), 2, &train, &test, &notes);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("3.json: data[3]: empty record"), std::string::npos) << st.message();
  std::string row = "[";
  for (int p = 0; p < 784; ++p) row += std::string(p ? "," : "") + "7";
  row += "]";
  st = ImportFashionMnistPackage(FakePackage(3, "", row).string(), 2, &train, &test, &notes);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("5.json: data: has 4 images, 0.json 3"), std::string::npos)
      << st.message();
}

TEST(FashionMnist, TooFewImagesForTheTrainSplitIsAnError) {
  ImageSet train, test;
  std::vector<std::string> notes;
  const Status st = ImportFashionMnistPackage(FakePackage(3).string(), 3, &train, &test, &notes);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("0.json: data: has 3 images"), std::string::npos) << st.message();
}

TEST(Idx, WriteThenReadGivesTheSameImages) {
  ImageSet train, test;
  std::vector<std::string> notes;
  ASSERT_TRUE(ImportFashionMnistPackage(FakePackage(3).string(), 2, &train, &test, &notes).ok());
  const fs::path dir = TempDir("idx");
  ASSERT_TRUE(WriteIdxSplit(train, dir.string(), "train").ok());
  ImageSet back;
  ASSERT_TRUE(LoadDataset("idx:" + dir.string(), Split::kTrain, &back).ok());
  EXPECT_EQ(back.count, train.count);
  EXPECT_EQ(back.pixels, train.pixels);
  EXPECT_EQ(back.labels, train.labels);
  EXPECT_EQ(back.classes, 10);
}

TEST(Idx, MissingOrCorruptFilesAreNamed) {
  const fs::path dir = TempDir("idx_bad");
  ImageSet set;
  Status st = LoadDataset("idx:" + dir.string(), Split::kTest, &set);
  EXPECT_NE(st.message().find("t10k-images-idx3-ubyte: cannot open"), std::string::npos);
  std::ofstream(dir / "t10k-images-idx3-ubyte") << "not an idx file at all";
  st = LoadDataset("idx:" + dir.string(), Split::kTest, &set);
  EXPECT_NE(st.message().find("t10k-images-idx3-ubyte: magic"), std::string::npos) << st.message();
}

TEST(Cifar10, ReadsRecordsAndRejectsBadLabels) {
  const fs::path dir = TempDir("cifar");
  std::string record(3073, '\7');
  record[0] = 4;
  std::ofstream(dir / "test_batch.bin", std::ios::binary) << record << record;
  ImageSet set;
  ASSERT_TRUE(LoadDataset("cifar10:" + dir.string(), Split::kTest, &set).ok());
  EXPECT_EQ(set.count, 2);
  EXPECT_EQ(set.channels, 3);
  EXPECT_EQ(set.labels[1], 4);
  EXPECT_EQ(set.Image(1)[3071], 7);
  record[0] = 12;
  std::ofstream(dir / "test_batch.bin", std::ios::binary) << record;
  EXPECT_NE(ReadCifar10(dir.string(), false, &set).message().find("record 0: label must be 0..9"),
            std::string::npos);
}

// A binary PGM (P5) of w x h pixels, all of value v.
void WritePgm(const fs::path& path, int w, int h, int v) {
  std::ofstream out(path, std::ios::binary);
  out << "P5\n" << w << " " << h << "\n255\n" << std::string(w * h, static_cast<char>(v));
}

TEST(ImageFolder, ClassesAreSortedFolderNamesAndBothSplitsShareThem) {
  const fs::path dir = TempDir("folder");
  for (const char* split : {"train", "test"})
    for (const char* cls : {"cat", "ant"}) fs::create_directories(dir / split / cls);
  WritePgm(dir / "train/cat/1.pgm", 4, 3, 10);
  WritePgm(dir / "train/ant/1.pgm", 4, 3, 20);
  WritePgm(dir / "train/ant/2.pgm", 4, 3, 30);
  WritePgm(dir / "test/cat/9.pgm", 4, 3, 40);
  ImageSet train, test;
  std::vector<std::string> notes;
  ASSERT_TRUE(LoadDataset("imagefolder:" + dir.string(), Split::kTrain, &train).ok());
  ASSERT_TRUE(LoadDataset("imagefolder:" + dir.string(), Split::kTest, &test).ok());
  EXPECT_EQ(train.count, 3);
  EXPECT_EQ(train.classes, 2);
  EXPECT_EQ(train.channels, 1);
  EXPECT_EQ(train.height, 3);
  EXPECT_EQ(train.width, 4);
  EXPECT_EQ(train.labels, (std::vector<uint8_t>{0, 0, 1}));  // ant, ant, cat
  EXPECT_EQ(train.Image(2)[11], 10);
  ASSERT_EQ(test.count, 1);
  EXPECT_EQ(test.labels[0], 1);  // cat, numbered as in train
  EXPECT_EQ(test.Image(0)[0], 40);
}

TEST(ImageFolder, AnImageOfAnotherSizeIsNamed) {
  const fs::path dir = TempDir("folder_bad");
  fs::create_directories(dir / "train/a");
  WritePgm(dir / "train/a/1.pgm", 4, 4, 1);
  WritePgm(dir / "train/a/2.pgm", 5, 4, 1);
  ImageSet set;
  const Status st = LoadDataset("imagefolder:" + dir.string(), Split::kTrain, &set);
  EXPECT_NE(st.message().find("2.pgm: size: 5x4, but the first image is 4x4"), std::string::npos)
      << st.message();
}

// Classes of unequal size, in no order: image i has label kLabels[i] and
// pixel value i. Per class, the last floor(n/12) images are validation:
// class 0 (25 images) gives its last 2, class 1 (13) its last 1, class 2
// (11) none.
TEST(ValidationSplit, TakesTheLastTwelfthOfEachClassInFileOrder) {
  ImageSet all;
  all.channels = all.height = all.width = 1;
  all.classes = 3;
  std::vector<int> of_class[3];
  for (int i = 0; i < 49; ++i) {
    const int label = i < 22 ? i % 2 : (i < 38 ? (i % 3 == 0 ? 1 : 0) : 2);
    all.labels.push_back(label);
    all.pixels.push_back(i);
    of_class[label].push_back(i);
  }
  all.count = 49;
  ASSERT_EQ(of_class[0].size() + of_class[1].size() + of_class[2].size(), 49u);
  std::vector<int> expected_validation;
  for (int c = 0; c < 3; ++c) {
    const size_t n = of_class[c].size();
    for (size_t k = n - n / 12; k < n; ++k) expected_validation.push_back(of_class[c][k]);
  }
  std::sort(expected_validation.begin(), expected_validation.end());
  ImageSet train, validation;
  SplitOffValidation(all, &train, &validation);
  EXPECT_EQ(validation.count, static_cast<int64_t>(expected_validation.size()));
  EXPECT_EQ(std::vector<int>(validation.pixels.begin(), validation.pixels.end()),
            expected_validation);
  std::vector<int> expected_train;
  for (int i = 0; i < 49; ++i)
    if (!std::binary_search(expected_validation.begin(), expected_validation.end(), i))
      expected_train.push_back(i);
  EXPECT_EQ(std::vector<int>(train.pixels.begin(), train.pixels.end()), expected_train);
  for (int64_t i = 0; i < train.count; ++i) EXPECT_EQ(train.labels[i], all.labels[train.pixels[i]]);
  EXPECT_EQ(train.classes, 3);
  EXPECT_EQ(validation.ImageSize(), 1);
}

// The shipped dataset: validation is the last 5000 images of the train file
// (500 per class, interleaved), train the first 55000.
TEST(ValidationSplit, FashionMnistIsTheTrainFilesLast5000Images) {
  ImageSet file, train, validation;
  ASSERT_TRUE(ReadIdxSplit(FashionMnistCacheDir(), "train", &file).ok());
  ASSERT_TRUE(LoadDataset("fashion-mnist", Split::kTrain, &train).ok());
  ASSERT_TRUE(LoadDataset("fashion-mnist", Split::kValidation, &validation).ok());
  ASSERT_EQ(file.count, 60000);
  ASSERT_EQ(train.count, 55000);
  ASSERT_EQ(validation.count, 5000);
  const size_t cut = 55000 * file.ImageSize();
  EXPECT_TRUE(std::equal(train.pixels.begin(), train.pixels.end(), file.pixels.begin()));
  EXPECT_TRUE(
      std::equal(validation.pixels.begin(), validation.pixels.end(), file.pixels.begin() + cut));
  EXPECT_TRUE(
      std::equal(validation.labels.begin(), validation.labels.end(), file.labels.begin() + 55000));
  std::vector<int> per_class(10);
  for (int64_t i = 0; i < 1000; ++i) ++per_class[validation.labels[i]];
  EXPECT_EQ(per_class, std::vector<int>(10, 100));  // a prefix is balanced
}

TEST(Dataset, UnknownNameListsTheKnownOnes) {
  ImageSet set;
  const Status st = LoadDataset("imagenet", Split::kTest, &set);
  EXPECT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find("fashion-mnist, idx:DIR, cifar10:DIR or imagefolder:DIR"),
            std::string::npos);
}

}  // namespace
}  // namespace coinfer
