// Training, trained weights and capture on the real Fashion-MNIST cache
// (scripts/data builds it; scripts/test runs it before the tests).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include <torch/script.h>

#include "datasets/dataset.h"
#include "dnn/torchscript_import.h"
#include "dnn/zoo_networks.h"
#include "learn/capture.h"
#include "learn/channel_pruning.h"
#include "learn/l1_pruning.h"
#include "learn/model_compression.h"
#include "learn/trained_network.h"
#include "learn/training.h"

namespace coinfer {
namespace {

namespace fs = std::filesystem;

const std::string kModels = COINFER_SOURCE_DIR "/models";

// A directory of this test process's own: ctest runs tests in parallel
// processes, and two that write the same file would read each other's.
fs::path TempDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("coinfer_learn_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

class SmallZoo : public ::testing::TestWithParam<const char*> {};

// Split execution as capture uses it: the device side's crossing tensor, fed
// to ForwardFrom, gives exactly the whole network's output.
TEST_P(SmallZoo, ResumingAtEverySplitPointGivesTheSameOutput) {
  torch::manual_seed(3);
  Network net;
  Shape shape;
  ASSERT_TRUE(BuildZooNetwork(GetParam(), &net, &shape).ok());
  const Graph graph = net.Record(GetParam(), shape);
  torch::InferenceMode guard;
  const torch::Tensor input = torch::rand({4, shape[1], shape[2], shape[3]});
  const std::vector<torch::Tensor> outputs = net.ForwardAll(input);
  for (const SplitPoint& s : graph.SplitPoints()) {
    const torch::Tensor crossing = s.source == Layer::kModelInput ? input : outputs[s.source];
    EXPECT_TRUE(torch::equal(net.ForwardFrom(s.index, s.source, crossing), outputs.back()))
        << GetParam() << " split " << s.index;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, SmallZoo,
                         ::testing::Values("small_vgg", "small_resnet", "small_mobilenet",
                                           "small_vgg-compact"));

// A TorchScript model written with LibTorch (no Python here): convolution,
// batch norm, ReLU, two pooled branches added, global pooling, flatten, linear.
std::string WriteScriptedModel(const std::string& name) {
  torch::manual_seed(5);
  torch::jit::Module m("Net");
  m.register_parameter("w1", torch::randn({8, 3, 3, 3}), false);
  m.register_parameter("b1", torch::randn({8}), false);
  m.register_buffer("mean", torch::rand({8}));
  m.register_buffer("var", torch::rand({8}) + 0.5);
  m.register_parameter("w2", torch::randn({10, 8 * 2 * 2}), false);
  m.register_parameter("b2", torch::randn({10}), false);
  m.define(R"(
    def forward(self, x):
        y = torch.conv2d(x, self.w1, self.b1, [1, 1], [1, 1])
        y = torch.batch_norm(y, None, None, self.mean, self.var, False, 0.1, 1e-5, False)
        y = torch.relu(y)
        z = torch.max_pool2d(y, [2, 2], [2, 2]) + torch.avg_pool2d(y, [2, 2], [2, 2])
        z = torch.adaptive_avg_pool2d(z, [2, 2])
        z = torch.flatten(z, 1)
        return torch.linear(z, self.w2, self.b2)
  )");
  const std::string path = (TempDir("torchscript_" + name) / "net.pt").string();
  m.save(path);
  return path;
}

TEST(TorchScript, AnImportedModelComputesWhatTheScriptComputes) {
  const std::string path = WriteScriptedModel("ok");
  Network net;
  Shape shape;
  const Status st = ImportTorchScript("torchscript:" + path + "@1x3x16x16", &net, &shape);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(shape, (Shape{1, 3, 16, 16}));
  torch::jit::Module scripted = torch::jit::load(path);
  scripted.eval();
  torch::InferenceMode guard;
  const torch::Tensor x = torch::rand({2, 3, 16, 16});
  const torch::Tensor expected = scripted.forward({x}).toTensor();
  EXPECT_TRUE(torch::allclose(net.Forward(x), expected, 1e-4, 1e-5));
  const Graph g = net.Record("scripted", shape);
  std::vector<std::string> kinds;
  for (const Layer& l : g.layers) kinds.push_back(LayerKindName(l.kind));
  EXPECT_EQ(kinds, (std::vector<std::string>{"conv", "batchnorm", "activation", "maxpool",
                                             "avgpool", "add", "avgpool", "flatten", "linear"}));
  EXPECT_EQ(g.layers[0].macs, 8 * 16 * 16 * 3 * 3 * 3);
}

TEST(TorchScript, UnsupportedOpsAndBadSpecsAreNamed) {
  const std::string path = WriteScriptedModel("bad");
  Network net;
  Shape shape;
  Status st = ImportTorchScript("torchscript:" + path, &net, &shape);
  EXPECT_NE(st.message().find("expected torchscript:PATH@NxCxHxW"), std::string::npos);
  st = ImportTorchScript("torchscript:/no/such/file.pt@1x3x8x8", &net, &shape);
  EXPECT_NE(st.message().find("/no/such/file.pt: torchscript"), std::string::npos) << st.message();

  torch::jit::Module m("Sig");
  m.define(R"(
    def forward(self, x):
        return torch.sigmoid(x)
  )");
  const std::string sig = (TempDir("torchscript_sig") / "sig.pt").string();
  m.save(sig);
  Network other;
  st = ImportTorchScript("torchscript:" + sig + "@1x1x4x4", &other, &shape);
  EXPECT_NE(st.message().find("unsupported op aten::sigmoid"), std::string::npos) << st.message();
}

// What LibTorch throws on (an input the network cannot take, a forward with
// no tensor input) is an input error naming the file, never an abort.
TEST(TorchScript, InputsTheNetworkCannotTakeAreNamed) {
  const std::string path = WriteScriptedModel("shapes");
  for (const char* shape : {"@1x1x16x16", "@1x3x1x1"}) {
    Network net;
    Shape out;
    const Status st = ImportTorchScript("torchscript:" + path + shape, &net, &out);
    ASSERT_TRUE(st.IsInvalidInput()) << shape;
    EXPECT_NE(st.message().find(path + ": torchscript: "), std::string::npos) << st.message();
  }
  Network net;
  Shape out;
  Status st = ImportTorchScript("torchscript:" + path + "@1x3x100000x100000", &net, &out);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find("more than 2^26 elements"), std::string::npos) << st.message();
  st = ImportTorchScript("torchscript:" + path + "@1x3x1x1e30", &net, &out);  // was UB
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find("expected torchscript:PATH@NxCxHxW"), std::string::npos)
      << st.message();

  torch::jit::Module m("NoInput");
  m.define(R"(
    def forward(self):
        return torch.zeros([1, 10])
  )");
  const std::string none = (TempDir("torchscript_none") / "none.pt").string();
  m.save(none);
  st = ImportTorchScript("torchscript:" + none + "@1x3x8x8", &net, &out);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find(none + ": "), std::string::npos) << st.message();
}

// Imports a module whose forward returns `expression` of x (parameters w,
// 4x3x3x3, and fc, 10x5) at `shape` ("@NxCxHxW"); *path is its file.
Status ImportExpression(const std::string& expression, const std::string& shape,
                        std::string* path) {
  torch::jit::Module m("Expression");
  m.register_parameter("w", torch::ones({4, 3, 3, 3}), false);
  m.register_parameter("fc", torch::ones({10, 5}), false);
  m.define("def forward(self, x):\n    return " + expression + "\n");
  *path = (TempDir("torchscript_expression") / "net.pt").string();
  m.save(*path);
  Network net;
  Shape input;
  return ImportTorchScript("torchscript:" + *path + shape, &net, &input);
}

// Arguments LibTorch divides by or sizes outputs with before checking them
// (groups 0 was a SIGFPE found by fuzz/torchscript_fuzzer) are input errors
// naming the op and the argument.
TEST(TorchScript, ArgumentsLibTorchDividesByAreChecked) {
  const std::map<std::string, std::string> cases = {
      {"groups",
       "torch._convolution(x, self.w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 0, False, "
       "False, True, True)"},
      {"stride", "torch.max_pool2d(x, [2, 2], [0, 0])"},
      {"dilation", "torch.conv2d(x, self.w, None, [1, 1], [0, 0], [0, 0])"},
      {"kernel", "torch.avg_pool2d(x, [0, 2])"},
      {"padding", "torch.conv2d(x, self.w, None, [1, 1], [100000, 100000])"},
      {"output size", "torch.adaptive_avg_pool2d(x, [0, 0])"},
  };
  for (const auto& [argument, call] : cases) {
    std::string path;
    const Status st = ImportExpression(call, "@1x3x8x8", &path);
    ASSERT_TRUE(st.IsInvalidInput()) << argument;
    EXPECT_NE(st.message().find(path + ": aten::"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(argument + ": expected one or two constants"), std::string::npos)
        << st.message();
  }
}

// Every layer's output shape is known before LibTorch allocates it: a model
// that computes nothing, or whose layers would hold more than 2^26 elements
// (here a padding of 2000 on an 8x8 input), is refused, named.
TEST(TorchScript, LayersBeyondTheBoundsAreRefusedBeforeRunning) {
  const std::map<std::string, std::string> cases = {
      {"x", "forward: has no layer"},
      {"torch.conv2d(x, self.w, None, [1, 1], [2000, 2000])",
       "aten::conv2d: the unfolded input would have more than 2^26 elements"},
      {"torch.adaptive_avg_pool2d(torch.cat([x, x], 1), [4096, 4096])",
       "aten::adaptive_avg_pool2d: output would have more than 2^26 elements"},
      {"torch.max_pool2d(x, [4, 4], [1, 1], [0, 0])",
       "aten::max_pool2d: output would be empty for this input shape"},
      {"torch.linear(torch.flatten(x, 1), self.fc, None)",
       "aten::linear: expects inputs of 5 features"},
  };
  for (const auto& [call, expected] : cases) {
    std::string path;
    const Status st = ImportExpression(call, "@1x3x3x3", &path);
    ASSERT_TRUE(st.IsInvalidInput()) << call << ": " << st.message();
    EXPECT_NE(st.message().find(path + ": " + expected), std::string::npos) << st.message();
  }
}

// A TorchScript file whose pickle claims a 2 GiB string (one length field
// changed, as the fuzzer found): LibTorch would allocate it; coinfer's probe
// loads the file in a bounded child first and names the file instead.
TEST(TorchScript, ACorruptArchiveIsRefusedWithinBoundedMemory) {
  const std::string path = WriteScriptedModel("corrupt");
  std::string bytes;
  {
    std::stringstream in;
    in << std::ifstream(path, std::ios::binary).rdbuf();
    bytes = in.str();
  }
  // BINUNICODE 'storage': opcode X, a 4-byte little-endian length, the text.
  const std::string field = std::string("X\x07\0\0\0storage", 12);
  const size_t at = bytes.find(field);
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at + 1, 4, std::string("\xf0\xff\xff\x7f", 4));
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  Network net;
  Shape shape;
  const Status st = ImportTorchScript("torchscript:" + path + "@1x3x16x16", &net, &shape);
  ASSERT_TRUE(st.IsInvalidInput());
  EXPECT_NE(st.message().find(path + ": torchscript: LibTorch needs more than"), std::string::npos)
      << st.message();
}

TEST(ChannelPruning, KeepingEveryChannelChangesNothing) {
  Network net;
  ModelCard card;
  Shape shape;
  ASSERT_TRUE(LoadTrainedNetwork(kModels + "/small_vgg.json", &net, &card, &shape).ok());
  ImageSet train;
  ASSERT_TRUE(LoadDataset(card.dataset, Split::kTrain, &train).ok());
  const Graph graph = net.Record(card.model, shape);
  const PruningPlan plan = PlanPruning(net, graph, train, 100, 10, 1.0);
  EXPECT_TRUE(plan.convs.empty());
  torch::InferenceMode guard;
  const torch::Tensor x = ImagesToTensor(train, 0, 8);
  const torch::Tensor before = net.Forward(x);
  ASSERT_TRUE(ApplyPruning(plan, graph, &net).ok());
  EXPECT_TRUE(torch::equal(net.Forward(x), before));
}

// A variant of small_vgg pruned before split 5 (two convolutions) to half its
// channels: device-side MACs fall to about a quarter (both sides of the
// second convolution shrink), and the saved variant reloads to exactly its
// recorded accuracy, under its own catalog name.
TEST(ChannelPruning, AVariantShrinksTheDeviceSideAndReloadsExactly) {
  PruneOptions o;
  o.card = kModels + "/small_vgg.json";
  o.split = 5;
  o.keep_fraction = 0.5;
  o.calibration_samples = 500;
  o.fine_tune.epochs = 0;
  const fs::path dir = TempDir("variant");
  PruneReport r;
  const Status st = PruneModel(
      o, dir.string(), [](const EpochReport&) {}, &r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(r.card.Name(), "small_vgg-s5-k50");
  ASSERT_EQ(r.card.pruning.convs.size(), 2u);
  EXPECT_EQ(r.card.pruning.convs[0].kept.size(), 16u);  // of 32
  EXPECT_NEAR(static_cast<double>(r.device_macs_after) / r.device_macs_before, 0.26, 0.02);
  EXPECT_EQ(r.card.test_correct, r.pruned_correct);
  EXPECT_GT(r.card.TestAccuracy(), 0.5);

  Network variant;
  ModelCard card;
  Shape shape;
  ASSERT_TRUE(
      LoadTrainedNetwork((dir / "small_vgg-s5-k50.json").string(), &variant, &card, &shape).ok());
  EXPECT_TRUE(card.pruned);
  EXPECT_EQ(card.pruning.convs[1].kept, r.card.pruning.convs[1].kept);
  ImageSet test;
  ASSERT_TRUE(LoadDataset(card.dataset, Split::kTest, &test).ok());
  EXPECT_EQ(CountCorrect(Predict(variant, test, test.count), test), card.test_correct);
  EXPECT_EQ(variant.Record(card.model, shape).layers[0].output_shape[1], 16);
}

// EdgeDI's L1 pruning of small_vgg at a 90 % floor on 300 validation images,
// checked layer by layer against the definition: each pruned convolution
// keeps exactly the filters of largest L1 norm (summed here element by
// element), the plan scores at least the floor, a layer left whole scores
// below it with even 75 % of its filters on top of the plan, and MACs fall.
// Pruning the 3x3 convolution of a compact block, whose channels pass through
// channel attention to the expansion: the sliced network computes what the
// whole one does with the dropped filters zeroed (a zero channel adds nothing
// to attention's means, and its own weight scales zero), so the attention's
// fully connected rows, columns and bias must be sliced by the same channels.
TEST(ChannelPruning, AttentionIsSlicedWithItsChannels) {
  Network pruned, zeroed;
  Shape shape;
  torch::manual_seed(11);
  ASSERT_TRUE(BuildZooNetwork("small_vgg-compact", &pruned, &shape).ok());
  torch::manual_seed(11);
  ASSERT_TRUE(BuildZooNetwork("small_vgg-compact", &zeroed, &shape).ok());
  const Graph graph = pruned.Record("small_vgg-compact", shape);
  ASSERT_EQ(graph.layers[3].name, "features.2.conv");
  ASSERT_EQ(graph.layers[4].kind, LayerKind::kAttention);
  for (auto& [name, t] : pruned.State()) {  // batch norm statistics that are not the identity's
    if (name.find("running") != std::string::npos) {
      torch::NoGradGuard no_grad;
      t.uniform_(0.5, 1.5);
    }
  }
  for (auto& [name, t] : zeroed.State()) {
    if (name.find("running") != std::string::npos) {
      torch::NoGradGuard no_grad;
      t.uniform_(0.5, 1.5);
    }
  }
  PruningPlan plan;
  plan.split = graph.size();
  plan.convs.push_back({3, {0, 2, 5, 7}});  // of 8
  ASSERT_TRUE(ApplyPruning(plan, graph, &pruned).ok());
  {
    torch::NoGradGuard no_grad;
    auto* conv = dynamic_cast<torch::nn::Conv2dImpl*>(zeroed.module(3).get());
    ASSERT_FALSE(conv->options.bias());
    for (int64_t f : {1, 3, 4, 6}) conv->weight[f].zero_();
  }
  const Graph after = pruned.Record("small_vgg-compact", shape);
  EXPECT_EQ(after.layers[4].output_shape[1], 4);
  EXPECT_EQ(after.layers[4].macs, 4 * 4);  // attention's fully connected layer
  pruned.SetTraining(false);
  zeroed.SetTraining(false);
  torch::InferenceMode guard;
  const torch::Tensor x = torch::rand({3, 1, 28, 28});
  EXPECT_TRUE(torch::allclose(pruned.Forward(x), zeroed.Forward(x), 1e-5, 1e-5));
}

TEST(L1Pruning, EachLayerKeepsItsLargestFiltersDownToTheFloor) {
  const std::string card_path = kModels + "/small_vgg.json";
  Network net;
  ModelCard card;
  Shape shape;
  ASSERT_TRUE(LoadTrainedNetwork(card_path, &net, &card, &shape).ok());
  ImageSet validation;
  ASSERT_TRUE(LoadDataset(card.dataset, Split::kValidation, &validation).ok());
  const Graph graph = net.Record(card.model, shape);
  L1PruningOptions o;
  o.accuracy_floor = 0.9;
  o.validation_samples = 300;
  PruningPlan plan;
  std::vector<L1Step> steps;
  ASSERT_TRUE(
      PlanL1Pruning(
          card_path, graph, validation, o, [&](const L1Step& s) { steps.push_back(s); }, &plan)
          .ok());
  EXPECT_EQ(plan.accuracy_floor, 0.9);
  ASSERT_EQ(steps.size(), 4u);  // small_vgg's four convolutions
  auto score = [&](const PruningPlan& p) {
    Network pruned;
    ModelCard c;
    Shape s;
    EXPECT_TRUE(LoadTrainedNetwork(card_path, &pruned, &c, &s).ok());
    EXPECT_TRUE(ApplyPruning(p, graph, &pruned).ok());
    pruned.SetTraining(false);
    return CountCorrect(Predict(pruned, validation, 300), validation) / 300.0;
  };
  EXPECT_GE(score(plan), 0.9);
  EXPECT_FALSE(plan.convs.empty());
  torch::NoGradGuard no_grad;
  for (const L1Step& step : steps) {
    const auto* conv = dynamic_cast<const torch::nn::Conv2dImpl*>(net.module(step.layer).get());
    const torch::Tensor w = conv->weight;
    std::vector<std::pair<double, int64_t>> norms;
    for (int64_t f = 0; f < w.size(0); ++f) {
      double sum = 0;
      const torch::Tensor filter = w[f].flatten();
      for (int64_t i = 0; i < filter.size(0); ++i) sum += std::abs(filter[i].item<double>());
      norms.push_back({-sum, f});
    }
    std::sort(norms.begin(), norms.end());
    const auto pruned = std::find_if(plan.convs.begin(), plan.convs.end(),
                                     [&](const PrunedConv& c) { return c.layer == step.layer; });
    // The plan as it stood when this layer was decided: earlier layers only.
    PruningPlan before = plan;
    before.convs.erase(std::remove_if(before.convs.begin(), before.convs.end(),
                                      [&](const PrunedConv& c) { return c.layer >= step.layer; }),
                       before.convs.end());
    auto largest_of = [&](int64_t n) {
      std::vector<int64_t> largest;
      for (int64_t i = 0; i < n; ++i) largest.push_back(norms[i].second);
      std::sort(largest.begin(), largest.end());
      return largest;
    };
    if (step.kept < step.channels) {
      ASSERT_NE(pruned, plan.convs.end());
      EXPECT_EQ(pruned->kept, largest_of(step.kept)) << "layer " << step.layer;
      // The smallest fraction that kept the floor: the next smaller one did not.
      const int64_t smaller = step.kept == (step.channels * 3 + 3) / 4 ? (step.channels + 1) / 2
                              : step.kept == (step.channels + 1) / 2   ? (step.channels + 3) / 4
                                                                       : 0;
      if (smaller > 0) {
        PruningPlan fewer = before;
        fewer.convs.push_back({step.layer, largest_of(smaller)});
        EXPECT_LT(score(fewer), 0.9) << "layer " << step.layer << " could keep " << smaller;
      }
    } else {
      EXPECT_EQ(pruned, plan.convs.end());
      PruningPlan more = before;
      more.convs.push_back({step.layer, largest_of((step.channels * 3 + 3) / 4)});
      EXPECT_LT(score(more), 0.9) << "layer " << step.layer << " could have been pruned";
    }
  }
  Network pruned;
  ASSERT_TRUE(LoadTrainedNetwork(card_path, &pruned, &card, &shape).ok());
  ASSERT_TRUE(ApplyPruning(plan, graph, &pruned).ok());
  EXPECT_LT(pruned.Record(card.model, shape).TotalMacs(), graph.TotalMacs());
}

TEST(Training, AShortRunDecreasesTheLoss) {
  TrainOptions o;
  o.model = "small_vgg";
  o.epochs = 3;
  o.train_samples = 600;
  o.validation_samples = 300;
  o.test_samples = 200;
  std::vector<double> losses;
  ModelCard card;
  const fs::path dir = TempDir("train");
  const Status st = TrainModel(
      o, dir.string(), [&](const EpochReport& r) { losses.push_back(r.mean_loss); }, &card);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(fs::exists(dir / "small_vgg.pt"));
  EXPECT_TRUE(fs::exists(dir / "small_vgg.json"));
  ASSERT_EQ(losses.size(), 3u);
  EXPECT_LT(losses[2], losses[0]);
  EXPECT_EQ(card.test_samples, 200);
  EXPECT_EQ(card.validation_samples, 300);
  EXPECT_EQ(card.train_samples, 600);
  EXPECT_EQ(card.sha256.size(), 64u);
}

class ShippedModel : public ::testing::TestWithParam<const char*> {};

TEST_P(ShippedModel, ReproducesItsRecordedAccuracyExactly) {
  torch::set_num_threads(2);
  Network net;
  ModelCard card;
  Shape shape;
  const Status st = LoadTrainedNetwork(kModels + "/" + GetParam() + ".json", &net, &card, &shape);
  ASSERT_TRUE(st.ok()) << st.message();
  ImageSet test;
  ASSERT_TRUE(LoadDataset(card.dataset, Split::kTest, &test).ok());
  EXPECT_EQ(CountCorrect(Predict(net, test, card.test_samples), test), card.test_correct);
  EXPECT_GT(card.TestAccuracy(), 0.85);
  // Trained without the validation images, on the rest of the train split.
  ImageSet validation;
  ASSERT_TRUE(LoadDataset(card.dataset, Split::kValidation, &validation).ok());
  EXPECT_EQ(card.validation_samples, validation.count);
  EXPECT_EQ(card.train_samples, 55000);
  EXPECT_EQ(CountCorrect(Predict(net, validation, validation.count), validation),
            card.validation_correct);
}

INSTANTIATE_TEST_SUITE_P(Zoo, ShippedModel,
                         ::testing::Values("small_vgg", "small_resnet", "small_mobilenet",
                                           "small_vgg-compact", "small_vgg-compact-l1-a880"));

TEST(TrainedNetwork, ChangedWeightsAreRejectedByTheHash) {
  const fs::path dir = TempDir("hash");
  fs::copy_file(kModels + "/small_vgg.pt", dir / "small_vgg.pt");
  ModelCard card;
  ASSERT_TRUE(ReadModelCard(kModels + "/small_vgg.json", &card).ok());
  card.sha256[0] = card.sha256[0] == '0' ? '1' : '0';
  ASSERT_TRUE(WriteModelCard(card, (dir / "small_vgg.json").string()).ok());
  Network net;
  Shape shape;
  const Status st = LoadTrainedNetwork((dir / "small_vgg.json").string(), &net, &card, &shape);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("sha256"), std::string::npos) << st.message();
}

CatalogEntry FindEntry(CompressionCatalog& catalog, const ModelCard& card, int split,
                       const std::string& codec, int64_t samples) {
  bool found = false;
  CatalogEntry e;
  EXPECT_TRUE(
      catalog.Find({card.model, card.sha256, card.dataset, split, codec}, samples, &found, &e)
          .ok());
  EXPECT_TRUE(found) << codec;
  return e;
}

// One capture of the shipped small_vgg on the first 2000 test images, after
// the first pool (the middle of the network), checked for what users rely on.
TEST(Capture, MeasuresEachCodecOnTheTestSplit) {
  std::unique_ptr<CompressionCatalog> catalog;
  ASSERT_TRUE(
      CompressionCatalog::Open((TempDir("capture") / "catalog.sqlite").string(), &catalog).ok());
  CaptureOptions o;
  o.card = kModels + "/small_vgg.json";
  o.codecs = {"none", "quant:8", "quant:4", "quant:2", "quant:1", "regions:1", "quant:8,zstd:3"};
  o.splits = {5};
  o.samples = 2000;
  const Status st = CaptureToCatalog(o, catalog.get(), [](const CatalogEntry&) {});
  ASSERT_TRUE(st.ok()) << st.message();
  Network net;
  ModelCard card;
  Shape shape;
  ASSERT_TRUE(LoadTrainedNetwork(o.card, &net, &card, &shape).ok());
  auto entry = [&](const std::string& codec) { return FindEntry(*catalog, card, 5, codec, 2000); };

  // The identity pipeline: exactly the plain model's predictions and bytes.
  ImageSet test;
  ASSERT_TRUE(LoadDataset(card.dataset, Split::kTest, &test).ok());
  const CatalogEntry none = entry("none");
  EXPECT_EQ(none.samples(), 2000);
  EXPECT_DOUBLE_EQ(none.Agreement(), 1.0);
  EXPECT_DOUBLE_EQ(none.Accuracy(), CountCorrect(Predict(net, test, 2000), test) / 2000.0);
  EXPECT_EQ(none.sample_bytes[0], 1 + 3 * 4 + none.raw_bytes);
  // And on as many validation images, correctness alone.
  ImageSet validation;
  ASSERT_TRUE(LoadDataset(card.dataset, Split::kValidation, &validation).ok());
  const std::vector<int64_t> predicted = Predict(net, validation, 2000);
  ASSERT_EQ(none.validation_correct.size(), 2000u);
  for (size_t i = 0; i < predicted.size(); ++i)
    ASSERT_EQ(none.validation_correct[i], predicted[i] == validation.labels[i]) << i;
  EXPECT_NE(entry("quant:1").validation_correct, none.validation_correct);

  // 8 bits cost less than a point; fewer bits send fewer bytes and never
  // agree more with the plain model; 1 bit costs more than 8.
  EXPECT_GT(entry("quant:8").Accuracy(), none.Accuracy() - 0.01);
  EXPECT_LT(entry("quant:1").Accuracy(), entry("quant:8").Accuracy());
  double last_agreement = 1.0, last_bytes = 1e30;
  for (const char* codec : {"quant:8", "quant:4", "quant:2", "quant:1"}) {
    EXPECT_LE(entry(codec).Agreement(), last_agreement) << codec;
    EXPECT_LT(entry(codec).MeanBytes(), last_bytes) << codec;
    last_agreement = entry(codec).Agreement();
    last_bytes = entry(codec).MeanBytes();
  }

  // Region masking keeping every position is lossless.
  EXPECT_DOUBLE_EQ(entry("regions:1").Agreement(), 1.0);
  EXPECT_EQ(entry("regions:1").correct, none.correct);

  // zstd keeps the predictions and sends data-dependent, smaller sizes.
  const CatalogEntry zstd = entry("quant:8,zstd:3");
  EXPECT_EQ(zstd.correct, entry("quant:8").correct);
  EXPECT_LT(zstd.MeanBytes(), entry("quant:8").MeanBytes());
  EXPECT_LT(zstd.BytesQuantile(0), zstd.BytesQuantile(1));
}

TEST(Capture, ReusesTheCatalogAndRejectsBadSplitsAndCodecs) {
  std::unique_ptr<CompressionCatalog> catalog;
  ASSERT_TRUE(
      CompressionCatalog::Open((TempDir("reuse") / "catalog.sqlite").string(), &catalog).ok());
  CaptureOptions o;
  o.card = kModels + "/small_vgg.json";
  o.codecs = {"quant:4"};
  o.splits = {10};
  o.samples = 200;
  int measured = 0;
  auto count = [&](const CatalogEntry&) { ++measured; };
  ASSERT_TRUE(CaptureToCatalog(o, catalog.get(), count).ok());
  EXPECT_EQ(measured, 1);
  o.samples = 100;  // fewer than stored: nothing to measure
  ASSERT_TRUE(CaptureToCatalog(o, catalog.get(), count).ok());
  EXPECT_EQ(measured, 1);

  o.codecs = {"quant:9"};
  Status st = CaptureToCatalog(o, catalog.get(), count);
  EXPECT_NE(st.message().find("'quant:9'"), std::string::npos) << st.message();
  o.codecs = {"none"};
  o.splits = {999};
  st = CaptureToCatalog(o, catalog.get(), count);
  EXPECT_NE(st.message().find("999 is not a split point"), std::string::npos) << st.message();
}

// A card's integer fields must be integers that fit: nlohmann converts a
// float or an out-of-range number with undefined behaviour (the fuzzer's
// find: a 120-digit validation_correct).
TEST(ModelCardTest, AnIntegerFieldThatIsNotOneOrDoesNotFitIsAnInputError) {
  std::stringstream shipped;
  shipped << std::ifstream(kModels + "/small_vgg.json").rdbuf();
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"\"epochs\": 4", "\"epochs\": 2.5", "epochs: not an integer"},
      {"\"seed\": 1", "\"seed\": -1", "seed: out of range"},
      {"\"threads\": 2", "\"threads\": 3000000000", "threads: out of range"},
      {"\"validation_samples\": 5000", "\"validation_samples\": " + std::string(120, '7'),
       "validation_samples: not an integer"}};
  const std::string path = ::testing::TempDir() + "card_" + std::to_string(getpid()) + ".json";
  for (const auto& [field, bad, error] : cases) {
    std::string text = shipped.str();
    const size_t at = text.find(field);
    ASSERT_NE(at, std::string::npos) << field;
    text.replace(at, field.size(), bad);
    std::ofstream(path) << text;
    ModelCard card;
    const Status st = ReadModelCard(path, &card);
    EXPECT_NE(st.message().find(error), std::string::npos) << st.message();
  }
  ModelCard card;
  EXPECT_TRUE(ReadModelCard(kModels + "/small_vgg.json", &card).ok());
}

}  // namespace
}  // namespace coinfer
