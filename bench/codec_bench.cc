// Encode and decode throughput of each codec on a 1 MiB float activation
// (256 x 32 x 32, ReLU-like: half zeros). Bytes/s count the fp32 input.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>

#include "compress/codec.h"

namespace coinfer {
namespace {

const char* const kCodecs[] = {"none",
                               "fp16",
                               "quant:8",
                               "quant:8,zstd:3",
                               "quant:4,zstd:3",
                               "quant:8:channel,zstd:1",
                               "quant:8,zstd:1",
                               "zstd:3",
                               "regions:0.5,quant:8,zstd:3",
                               "channels:0.5,quant:8"};

const Activation& MiB() {
  static const Activation a = [] {
    Activation x{{256, 32, 32}, std::vector<float>(256 * 32 * 32)};
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (float& v : x.values) v = std::max(0.0f, normal(rng));
    return x;
  }();
  return a;
}

std::vector<int> HalfTheChannels() {
  std::vector<int> kept;
  for (int c = 0; c < 256; c += 2) kept.push_back(c);
  return kept;
}

// The codec the benchmark's argument names (keeping every other channel when
// it selects channels), labelled in the report.
std::unique_ptr<Codec> BenchCodec(benchmark::State& state) {
  CodecSpec spec;
  ParseCodecSpec(kCodecs[state.range(0)], &spec);
  state.SetLabel(kCodecs[state.range(0)]);
  return std::make_unique<Codec>(spec, HalfTheChannels());
}

void BM_Encode(benchmark::State& state) {
  const std::unique_ptr<Codec> codec = BenchCodec(state);
  std::string bytes;
  for (auto _ : state) {
    codec->Encode(MiB().values.data(), MiB().shape, &bytes);
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetBytesProcessed(state.iterations() * MiB().values.size() * sizeof(float));
  state.counters["ratio"] = static_cast<double>(MiB().values.size() * sizeof(float)) / bytes.size();
}

void BM_Decode(benchmark::State& state) {
  const std::unique_ptr<Codec> codec = BenchCodec(state);
  std::string bytes;
  codec->Encode(MiB().values.data(), MiB().shape, &bytes);
  Activation out;
  for (auto _ : state) {
    codec->Decode(bytes, &out);
    benchmark::DoNotOptimize(out.values.data());
  }
  state.SetBytesProcessed(state.iterations() * MiB().values.size() * sizeof(float));
}

BENCHMARK(BM_Encode)->DenseRange(0, std::size(kCodecs) - 1);
BENCHMARK(BM_Decode)->DenseRange(0, std::size(kCodecs) - 1);

}  // namespace
}  // namespace coinfer
