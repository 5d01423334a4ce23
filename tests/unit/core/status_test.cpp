#include "bleota/status.hpp"
#include "bleota/result.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bleota {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return StatusCode::kInvalidArgument;
  return v / 2;
}

Result<int> Quarter(int v) {
  BLEOTA_ASSIGN_OR_RETURN(int half, Half(v));
  BLEOTA_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int v) {
  BLEOTA_TRY(Half(v).status());
  return Status::Ok();
}

TEST(StatusTest, DefaultIsOkAndNamesAreStable) {
  EXPECT_TRUE(Status().ok());
  EXPECT_STREQ(Status(StatusCode::kImageHash).name(), "hash");
  EXPECT_STREQ(Status(StatusCode::kImageEncKeyUnwrap).name(), "enc_key_unwrap");
  EXPECT_FALSE(Status(StatusCode::kFlashIo).ok());
}

TEST(ResultTest, CarriesValueOrError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Quarter(7).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(5).code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, OkStatusWithoutValueIsInternalError) {
  Result<int> r(Status::Ok());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(ResultTest, CopiesAndMovesNonTrivialValues) {
  Result<std::string> a(std::string(100, 'x'));
  Result<std::string> b = a;
  Result<std::string> c = std::move(a);
  EXPECT_EQ(*b, std::string(100, 'x'));
  EXPECT_EQ(*c, std::string(100, 'x'));
  b = Result<std::string>(StatusCode::kNotFound);
  EXPECT_FALSE(b.ok());
  b = c;
  EXPECT_EQ(b->size(), 100u);
}

}  // namespace
}  // namespace bleota
