#include "devices/android_power_profile.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace coinfer {
namespace {

namespace fs = std::filesystem;

const std::string kAndroidData = std::string(COINFER_SOURCE_DIR) + "/devices/data/android/";

// A profile in this test process's own folder (ctest runs tests in parallel).
std::string WriteProfile(const std::string& name, const std::string& body) {
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("coinfer_android_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path) << body;
  return path;
}

// Android's current naming (cpu.suspend/cpu.idle, cpu.active, cluster costs),
// two clusters whose second draws most at its top speed.
const char kRenamedProfile[] = R"(<?xml version="1.0" encoding="utf-8"?>
<device name="Android">
  <item name="radio.active">100</item>
  <array name="radio.on"><value>4</value><value>8</value></array>
  <array name="cpu.clusters.cores"><value>4</value><value>2</value></array>
  <array name="cpu.core_speeds.cluster0"><value>300000</value><value>1800000</value></array>
  <array name="cpu.core_power.cluster0"><value>10</value><value>50</value></array>
  <array name="cpu.core_speeds.cluster1"><value>300000</value><value>2400000</value></array>
  <array name="cpu.core_power.cluster1"><value>20</value><value>300</value></array>
  <item name="cpu.suspend">2</item>
  <item name="cpu.idle">3</item>
  <item name="cpu.active">10</item>
  <item name="cpu.cluster_power.cluster1">5</item>
  <item name="battery.capacity">3000</item>
</device>
)";

TEST(AndroidPowerTest, ShippedMi8ProfileGivesItsStatesAtTheBatteryVoltage) {
  AndroidPowerOptions options;
  options.battery_volts = 3.85;
  DevicePower power;
  std::string derivation;
  ASSERT_TRUE(
      ReadAndroidPowerProfile(kAndroidData + "xiaomi_mi8_dipper.xml", options, &power, &derivation)
          .ok());
  // The Mi 8's profile uses the pre-2017 names: cpu.idle is the suspended
  // CPU, cpu.awake its idle loop. Compute busies the 4 big cores at 2.65 GHz.
  EXPECT_DOUBLE_EQ(power.idle_w, (4.87 + 9.85 + 6.57) * 3.85 / 1e3);
  EXPECT_DOUBLE_EQ(power.compute_w, (4.87 + 9.85 + 6.57 + 4 * 416.77) * 3.85 / 1e3);
  EXPECT_DOUBLE_EQ(power.transmit_w, (4.87 + 9.85 + 230) * 3.85 / 1e3);
  EXPECT_EQ(power.transmit_w_per_mbps, 0);
  EXPECT_NE(derivation.find("4 cores at 2649.6 MHz"), std::string::npos) << derivation;
}

// The shipped phones' device files carry what their power profiles give at
// 3.85 V (devices/data/README.md says how they were written).
TEST(AndroidPowerTest, ShippedPhonesCarryTheirProfilesPower) {
  for (const auto& [device, profile] :
       {std::pair{"mi8", "xiaomi_mi8_dipper.xml"}, {"mi8se", "xiaomi_mi8se_sirius.xml"}}) {
    DeviceModel phone;
    ASSERT_TRUE(DeviceModel::Load(
                    std::string(COINFER_SOURCE_DIR) + "/devices/data/" + device + ".device", &phone)
                    .ok());
    AndroidPowerOptions options;
    options.battery_volts = 3.85;
    DevicePower power;
    std::string derivation;
    ASSERT_TRUE(ReadAndroidPowerProfile(kAndroidData + profile, options, &power, &derivation).ok());
    EXPECT_NEAR(phone.power().idle_w, power.idle_w, 1e-6) << device;
    EXPECT_NEAR(phone.power().compute_w, power.compute_w, 1e-5) << device;
    EXPECT_NEAR(phone.power().transmit_w, power.transmit_w, 1e-6) << device;
    EXPECT_EQ(phone.power().transmit_w_per_mbps, 0) << device;
  }
}

TEST(AndroidPowerTest, CurrentNamesClusterCostsAndChosenCoresCount) {
  const std::string path = WriteProfile("renamed.xml", kRenamedProfile);
  AndroidPowerOptions options;
  options.battery_volts = 4;
  DevicePower power;
  std::string derivation;
  ASSERT_TRUE(ReadAndroidPowerProfile(path, options, &power, &derivation).ok());
  const double idle_ma = 2 + 3 + 6;  // suspended + idle loop + mean radio.on
  EXPECT_DOUBLE_EQ(power.idle_w, idle_ma * 4 / 1e3);
  EXPECT_DOUBLE_EQ(power.compute_w, (idle_ma + 10 + 5 + 2 * 300) * 4 / 1e3);
  EXPECT_DOUBLE_EQ(power.transmit_w, (2 + 3 + 100) * 4 / 1e3);

  // One little core instead: cluster 0 has no cost of its own in this profile.
  options.compute_cluster = 0;
  options.compute_cores = 1;
  ASSERT_TRUE(ReadAndroidPowerProfile(path, options, &power, &derivation).ok());
  EXPECT_DOUBLE_EQ(power.compute_w, (idle_ma + 10 + 50) * 4 / 1e3);
}

// Bad input names the file, the line when there is one, and the item.
TEST(AndroidPowerTest, BadProfilesNameTheFileLineAndItem) {
  AndroidPowerOptions options;
  options.battery_volts = 3.85;
  DevicePower power;
  std::string derivation = "untouched";
  auto error = [&](const std::string& name, const std::string& body) {
    const std::string path = WriteProfile(name, body);
    const Status st = ReadAndroidPowerProfile(path, options, &power, &derivation);
    EXPECT_TRUE(st.IsInvalidInput()) << name;
    EXPECT_EQ(st.message().rfind(path, 0), 0u) << st.message();
    return st.message().substr(path.size());
  };
  std::string bad_number = kRenamedProfile;
  bad_number.replace(bad_number.find(">100<"), 5, ">1OO<");
  EXPECT_EQ(error("bad_number.xml", bad_number),
            ":3: radio.active: '1OO' is not a non-negative number");

  std::string missing = kRenamedProfile;
  const size_t radio_line = missing.find("  <item name=\"radio.active\">");
  missing.erase(radio_line, missing.find('\n', radio_line) + 1 - radio_line);
  EXPECT_EQ(error("missing.xml", missing), ": radio.active: missing");

  std::string twice = kRenamedProfile;
  twice.insert(twice.find("  <item name=\"battery"), "  <item name=\"cpu.idle\">4</item>\n");
  EXPECT_EQ(error("twice.xml", twice), ":11: cpu.idle: given 2 times");

  std::string unequal = kRenamedProfile;
  unequal.replace(unequal.find("<value>20</value>"), 17, "");
  EXPECT_NE(error("unequal.xml", unequal).find("cpu.core_power.cluster1: needs one current per"),
            std::string::npos);

  EXPECT_NE(error("broken.xml", "<device>\n<item name=\"x\">1</itm>\n</device>\n")
                .find(":2: not well-formed XML"),
            std::string::npos);

  std::string half_core = kRenamedProfile;
  half_core.replace(half_core.find("<value>4</value><value>2</value>"), 16, "<value>4.5</value>");
  EXPECT_EQ(error("half_core.xml", half_core),
            ":5: cpu.clusters.cores: a cluster has a whole number of cores, at least one");

  options.compute_cores = 3;  // cluster 1 has 2
  EXPECT_EQ(error("too_many_cores.xml", kRenamedProfile), ": compute cores: cluster 1 has 2 cores");
  EXPECT_EQ(derivation, "untouched");
  EXPECT_EQ(power.idle_w, -1);
}

}  // namespace
}  // namespace coinfer
