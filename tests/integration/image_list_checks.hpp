// Checks on the JSON of `bleota dfu --json image list`, shared by the integration tests.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace bleota::integration {

// The image list entry of `slot`, or null when the slot is empty.
inline nlohmann::json SlotEntry(const nlohmann::json& list, int slot) {
  for (const nlohmann::json& image : list.at("images")) {
    if (image.at("slot") == slot) return image;
  }
  return nullptr;
}

// The primary slot runs `version` with `hash`, confirmed or in test mode.
inline void ExpectRunning(const nlohmann::json& list, const std::string& version,
                          const std::string& hash, bool confirmed) {
  const nlohmann::json primary = SlotEntry(list, 0);
  ASSERT_FALSE(primary.is_null()) << list.dump();
  EXPECT_EQ(primary.at("version"), version);
  EXPECT_EQ(primary.at("hash"), hash);
  EXPECT_TRUE(primary.at("active").get<bool>());
  EXPECT_EQ(primary.at("confirmed").get<bool>(), confirmed) << list.dump();
}

}  // namespace bleota::integration
