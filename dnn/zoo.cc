// The zoo, written layer for layer as torchvision defines the ImageNet models
// (dropout omitted: the graphs describe inference, where it is the identity).
#include "dnn/zoo.h"

#include <array>
#include <functional>
#include <map>

#include "dnn/channel_attention.h"
#include "dnn/torchscript_import.h"
#include "dnn/zoo_networks.h"

namespace coinfer {
namespace {

namespace nn = torch::nn;

struct Builder {
  Network* net;
  // 0: standard convolutions. r > 0: every standard 3x3 convolution with at
  // least 4r input channels becomes EdgeDI's compact block with reduction r.
  int64_t compact_ratio = 0;

  int Conv(const std::string& name, int in, int64_t cin, int64_t cout, int64_t k, int64_t stride,
           int64_t pad, int64_t groups = 1, bool bias = false) {
    if (compact_ratio > 0 && k == 3 && groups == 1 && cin >= 4 * compact_ratio)
      return CompactBlock(name, in, cin, cout, stride, pad, bias);
    return StandardConv(name, in, cin, cout, k, stride, pad, groups, bias);
  }
  int StandardConv(const std::string& name, int in, int64_t cin, int64_t cout, int64_t k,
                   int64_t stride, int64_t pad, int64_t groups = 1, bool bias = false) {
    return net->Add(
        name,
        nn::AnyModule(nn::Conv2d(
            nn::Conv2dOptions(cin, cout, k).stride(stride).padding(pad).groups(groups).bias(bias))),
        in);
  }
  int BatchNorm(const std::string& name, int in, int64_t c) {
    return net->Add(name, nn::AnyModule(nn::BatchNorm2d(c)), in);
  }
  int Relu(const std::string& name, int in) {
    return net->Add(name, nn::AnyModule(nn::ReLU()), in);
  }
  int Relu6(const std::string& name, int in) {
    return net->Add(name, nn::AnyModule(nn::ReLU6()), in);
  }
  int MaxPool(const std::string& name, int in, int64_t k, int64_t stride, int64_t pad = 0) {
    return net->Add(
        name, nn::AnyModule(nn::MaxPool2d(nn::MaxPool2dOptions(k).stride(stride).padding(pad))),
        in);
  }
  int AdaptiveAvgPool(const std::string& name, int in, int64_t size) {
    return net->Add(name, nn::AnyModule(nn::AdaptiveAvgPool2d(size)), in);
  }
  int Flatten(const std::string& name, int in) {
    return net->Add(name, nn::AnyModule(nn::Flatten()), in);
  }
  int Linear(const std::string& name, int in, int64_t fin, int64_t fout) {
    return net->Add(name, nn::AnyModule(nn::Linear(fin, fout)), in);
  }
  // EdgeDI's replacement of a 3x3 convolution (cin -> cout): a 1x1
  // reduction to cin / r channels, the 3x3 on those, channel attention, a
  // 1x1 expansion to cout, ReLU, batch norm.
  int CompactBlock(const std::string& name, int in, int64_t cin, int64_t cout, int64_t stride,
                   int64_t pad, bool bias) {
    const int64_t mid = cin / compact_ratio;
    int x = StandardConv(name + ".reduce", in, cin, mid, 1, 1, 0);
    x = StandardConv(name + ".conv", x, mid, mid, 3, stride, pad);
    x = net->Add(name + ".attention", nn::AnyModule(ChannelAttention(mid)), x);
    x = StandardConv(name + ".expand", x, mid, cout, 1, 1, 0, 1, bias);
    x = Relu(name + ".relu", x);
    return BatchNorm(name + ".bn", x, cout);
  }
  // conv -> batch norm -> activation, the unit of ResNet stems and MobileNetV2.
  int ConvBn(const std::string& name, int in, int64_t cin, int64_t cout, int64_t k, int64_t stride,
             int64_t groups, bool relu6) {
    int x = Conv(name + ".conv", in, cin, cout, k, stride, (k - 1) / 2, groups);
    x = BatchNorm(name + ".bn", x, cout);
    return relu6 ? Relu6(name + ".relu6", x) : Relu(name + ".relu", x);
  }
};

// VGG-style chain: numbers are 3x3 conv widths, 0 is a 2x2 max pool.
int VggFeatures(Builder& b, const std::vector<int>& cfg, int64_t cin) {
  int x = Network::kInput;
  int i = 0;
  for (int c : cfg) {
    const std::string name = "features." + std::to_string(i);
    if (c == 0) {
      x = b.MaxPool(name, x, 2, 2);
      ++i;
    } else {
      x = b.Conv(name, x, cin, c, 3, 1, 1, 1, /*bias=*/true);
      x = b.Relu("features." + std::to_string(i + 1), x);
      cin = c;
      i += 2;
    }
  }
  return x;
}

// torchvision's VGG classifier after `features`.
void VggClassifier(Builder& b, int x) {
  x = b.AdaptiveAvgPool("avgpool", x, 7);
  x = b.Flatten("flatten", x);
  x = b.Relu("classifier.1", b.Linear("classifier.0", x, 512 * 7 * 7, 4096));
  x = b.Relu("classifier.4", b.Linear("classifier.3", x, 4096, 4096));
  b.Linear("classifier.6", x, 4096, 1000);
}

void Vgg16(Builder& b) {
  VggClassifier(
      b, VggFeatures(
             b, {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0}, 3));
}

// EdgeLD's and EdgeDI's model: VGG-16 without the third convolution of its
// last three blocks.
void Vgg13(Builder& b) {
  VggClassifier(b,
                VggFeatures(b, {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0}, 3));
}

void AlexNet(Builder& b) {
  int x = b.Relu("features.1", b.Conv("features.0", Network::kInput, 3, 64, 11, 4, 2, 1, true));
  x = b.MaxPool("features.2", x, 3, 2);
  x = b.Relu("features.4", b.Conv("features.3", x, 64, 192, 5, 1, 2, 1, true));
  x = b.MaxPool("features.5", x, 3, 2);
  x = b.Relu("features.7", b.Conv("features.6", x, 192, 384, 3, 1, 1, 1, true));
  x = b.Relu("features.9", b.Conv("features.8", x, 384, 256, 3, 1, 1, 1, true));
  x = b.Relu("features.11", b.Conv("features.10", x, 256, 256, 3, 1, 1, 1, true));
  x = b.MaxPool("features.12", x, 3, 2);
  x = b.AdaptiveAvgPool("avgpool", x, 6);
  x = b.Flatten("flatten", x);
  x = b.Relu("classifier.2", b.Linear("classifier.1", x, 256 * 6 * 6, 4096));
  x = b.Relu("classifier.5", b.Linear("classifier.4", x, 4096, 4096));
  b.Linear("classifier.6", x, 4096, 1000);
}

// convN -> bnN of a ResNet block, named as torchvision names them.
int ResNetConvBn(Builder& b, const std::string& block, int n, int in, int64_t cin, int64_t cout,
                 int64_t k, int64_t stride) {
  const std::string i = std::to_string(n);
  return b.BatchNorm(block + ".bn" + i,
                     b.Conv(block + ".conv" + i, in, cin, cout, k, stride, (k - 1) / 2), cout);
}

// The block's output: relu(residual + shortcut), the shortcut downsampled by a
// strided 1x1 conv and batch norm when the shape changes.
int ResidualAdd(Builder& b, const std::string& block, int last_relu, int residual, int in,
                int64_t cin, int64_t cout, int64_t stride) {
  int shortcut = in;
  if (stride != 1 || cin != cout) {
    shortcut = b.BatchNorm(block + ".downsample.1",
                           b.Conv(block + ".downsample.0", in, cin, cout, 1, stride, 0), cout);
  }
  return b.Relu(block + ".relu" + std::to_string(last_relu),
                b.net->AddSum(block + ".add", {residual, shortcut}));
}

// ResNet basic block (two 3x3 convs); returns the block's output node.
int BasicBlock(Builder& b, const std::string& name, int in, int64_t cin, int64_t cout,
               int64_t stride) {
  int x = b.Relu(name + ".relu1", ResNetConvBn(b, name, 1, in, cin, cout, 3, stride));
  x = ResNetConvBn(b, name, 2, x, cout, cout, 3, 1);
  return ResidualAdd(b, name, 2, x, in, cin, cout, stride);
}

// ResNet bottleneck block (1x1 reduce, 3x3, 1x1 expand by 4).
int Bottleneck(Builder& b, const std::string& name, int in, int64_t cin, int64_t width,
               int64_t stride) {
  const int64_t cout = width * 4;
  int x = b.Relu(name + ".relu1", ResNetConvBn(b, name, 1, in, cin, width, 1, 1));
  x = b.Relu(name + ".relu2", ResNetConvBn(b, name, 2, x, width, width, 3, stride));
  x = ResNetConvBn(b, name, 3, x, width, cout, 1, 1);
  return ResidualAdd(b, name, 3, x, in, cin, cout, stride);
}

void ResNet(Builder& b, bool bottleneck, const std::vector<int>& blocks) {
  int x = b.Relu("relu", b.BatchNorm("bn1", b.Conv("conv1", Network::kInput, 3, 64, 7, 2, 3), 64));
  x = b.MaxPool("maxpool", x, 3, 2, 1);
  const int expansion = bottleneck ? 4 : 1;
  int64_t cin = 64;
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t width = 64 << stage;
    for (int i = 0; i < blocks[stage]; ++i) {
      const std::string name = "layer" + std::to_string(stage + 1) + "." + std::to_string(i);
      const int64_t stride = (i == 0 && stage > 0) ? 2 : 1;
      x = bottleneck ? Bottleneck(b, name, x, cin, width, stride)
                     : BasicBlock(b, name, x, cin, width, stride);
      cin = width * expansion;
    }
  }
  x = b.Flatten("flatten", b.AdaptiveAvgPool("avgpool", x, 1));
  b.Linear("fc", x, cin, 1000);
}

// MobileNetV2's inverted residual blocks; each setting is t (expansion), c
// (channels), n (repeats), s (first stride), as in the paper.
struct MobileNetConfig {
  int64_t in_channels, stem_channels, stem_stride;
  std::vector<std::array<int, 4>> settings;
  int64_t last_channels, classes;
};

void MobileNet(Builder& b, const MobileNetConfig& config) {
  int x = b.ConvBn("features.0", Network::kInput, config.in_channels, config.stem_channels, 3,
                   config.stem_stride, 1, true);
  int64_t cin = config.stem_channels;
  int block = 1;
  for (const auto& s : config.settings) {
    for (int i = 0; i < s[2]; ++i, ++block) {
      const std::string name = "features." + std::to_string(block);
      const int64_t stride = i == 0 ? s[3] : 1;
      const int64_t hidden = cin * s[0];
      int y = x;
      if (s[0] != 1) y = b.ConvBn(name + ".expand", y, cin, hidden, 1, 1, 1, true);
      y = b.ConvBn(name + ".dw", y, hidden, hidden, 3, stride, hidden, true);
      y = b.BatchNorm(name + ".project.bn",
                      b.Conv(name + ".project.conv", y, hidden, s[1], 1, 1, 0), s[1]);
      x = (stride == 1 && cin == s[1]) ? b.net->AddSum(name + ".add", {x, y}) : y;
      cin = s[1];
    }
  }
  x = b.ConvBn("features." + std::to_string(block), x, cin, config.last_channels, 1, 1, 1, true);
  x = b.Flatten("flatten", b.AdaptiveAvgPool("avgpool", x, 1));
  b.Linear("classifier.1", x, config.last_channels, config.classes);
}

void MobileNetV2(Builder& b) {
  MobileNet(b, {3,
                32,
                2,
                {{1, 16, 1, 1},
                 {6, 24, 2, 2},
                 {6, 32, 3, 2},
                 {6, 64, 4, 2},
                 {6, 96, 3, 1},
                 {6, 160, 3, 2},
                 {6, 320, 1, 1}},
                1280,
                1000});
}

// Small networks for 28x28 grayscale input (Fashion-MNIST), ten classes.
void SmallVgg(Builder& b) {
  int x = VggFeatures(b, {32, 32, 0, 64, 64, 0}, 1);
  x = b.Flatten("flatten", x);
  x = b.Relu("classifier.1", b.Linear("classifier.0", x, 64 * 7 * 7, 128));
  b.Linear("classifier.2", x, 128, 10);
}

void SmallResNet(Builder& b) {
  int x = b.Relu("relu", b.BatchNorm("bn1", b.Conv("conv1", Network::kInput, 1, 16, 3, 1, 1), 16));
  x = BasicBlock(b, "layer1.0", x, 16, 16, 1);
  x = BasicBlock(b, "layer2.0", x, 16, 32, 2);
  x = BasicBlock(b, "layer3.0", x, 32, 64, 2);
  x = b.Flatten("flatten", b.AdaptiveAvgPool("avgpool", x, 1));
  b.Linear("fc", x, 64, 10);
}

// MobileNetV2's blocks at a 28x28 scale: stride-1 stem, two downsamplings.
void SmallMobileNet(Builder& b) {
  MobileNet(b, {1, 16, 1, {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 2, 2}, {6, 64, 2, 1}}, 256, 10});
}

struct ZooEntry {
  std::function<void(Builder&)> build;
  Shape input_shape;
};

const std::map<std::string, ZooEntry>& Zoo() {
  static const Shape kImageNet = {1, 3, 224, 224};
  static const Shape kMnist = {1, 1, 28, 28};
  static const std::map<std::string, ZooEntry> zoo = {
      {"vgg16", {Vgg16, kImageNet}},
      {"vgg13", {Vgg13, kImageNet}},
      {"alexnet", {AlexNet, kImageNet}},
      {"resnet18",
       {[](Builder& b) {
          ResNet(b, false, {2, 2, 2, 2});
        },
        kImageNet}},
      {"resnet50",
       {[](Builder& b) {
          ResNet(b, true, {3, 4, 6, 3});
        },
        kImageNet}},
      {"mobilenet_v2", {MobileNetV2, kImageNet}},
      {"small_vgg", {SmallVgg, kMnist}},
      {"small_resnet", {SmallResNet, kMnist}},
      {"small_mobilenet", {SmallMobileNet, kMnist}},
  };
  return zoo;
}

}  // namespace

const std::string kCompactSuffix = "-compact";

std::vector<std::string> ZooModelNames() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : Zoo()) names.push_back(name);
  return names;
}

namespace {

// The zoo model `name` builds from, and whether it is the compact version.
std::string BaseModel(const std::string& name, bool* compact) {
  const size_t n = kCompactSuffix.size();
  *compact = name.size() > n && name.compare(name.size() - n, n, kCompactSuffix) == 0;
  return *compact ? name.substr(0, name.size() - n) : name;
}

}  // namespace

bool IsZooModel(const std::string& name) {
  bool compact = false;
  return Zoo().count(BaseModel(name, &compact)) > 0;
}

Status BuildZooNetwork(const std::string& name, Network* net, Shape* input_shape) {
  if (IsTorchScriptSpec(name)) return ImportTorchScript(name, net, input_shape);
  Builder b{net};
  bool compact = false;
  auto it = Zoo().find(BaseModel(name, &compact));
  if (compact) b.compact_ratio = kCompactRatio;
  if (it == Zoo().end()) {
    std::string known;
    for (const auto& n : ZooModelNames()) known += (known.empty() ? "" : ", ") + n;
    return Status::InvalidInput("", "model", "unknown model '" + name + "' (zoo: " + known + ")");
  }
  it->second.build(b);
  net->SetTraining(false);
  *input_shape = it->second.input_shape;
  return Status::Ok();
}

Status RecordZooGraph(const std::string& name, Graph* out) {
  Network net;
  Shape input_shape;
  COINFER_RETURN_IF_ERROR(BuildZooNetwork(name, &net, &input_shape));
  *out = net.Record(name, input_shape);
  return Status::Ok();
}

}  // namespace coinfer
