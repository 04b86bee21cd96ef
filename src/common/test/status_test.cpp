#include "common/status.h"

#include <gtest/gtest.h>

namespace mpcc {
namespace {

StatusOr<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("not positive");
  return v;
}

StatusOr<int> doubled(int v) {
  MPCC_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

Status check_both(int a, int b) {
  MPCC_RETURN_IF_ERROR(parse_positive(a).status());
  MPCC_RETURN_IF_ERROR(parse_positive(b).status().with_context("second"));
  return ok_status();
}

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.to_string(), "OK");
}

TEST(Status, CarriesCodeAndMessage) {
  Status s = permission_denied("policy: clause 2 failed");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.to_string(), "PERMISSION_DENIED: policy: clause 2 failed");
}

TEST(Status, WithContextPrefixesAndKeepsCode) {
  Status s = not_found("key k1").with_context("release");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "release: key k1");
  EXPECT_TRUE(Status().with_context("x").ok());
}

TEST(StatusOr, ValueAndError) {
  StatusOr<int> good = parse_positive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  StatusOr<int> bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THROW((void)bad.value(), BadStatusOrAccess);
}

TEST(StatusOr, ConstructingFromOkStatusIsABug) {
  EXPECT_THROW(StatusOr<int>{Status()}, std::logic_error);
}

TEST(StatusMacros, Propagate) {
  EXPECT_EQ(*doubled(4), 8);
  EXPECT_EQ(doubled(0).status().message(), "not positive");
  EXPECT_TRUE(check_both(1, 2).ok());
  EXPECT_EQ(check_both(1, -2).message(), "second: not positive");
}

}  // namespace
}  // namespace mpcc
