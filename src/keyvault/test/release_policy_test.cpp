#include "keyvault/release_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/bytes.h"
#include "crypto/encoding.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;

constexpr const char* kMaa = "https://sharedeus.eus.attest.azure.net";
constexpr const char* kHostData =
    "73973b78d70cc68353426de188db5dfc57e5b766e399935fb73a61127ea26d20";
constexpr const char* kOtherHostData =
    "cadd74f7e5b4ff8b60a0a4e5c2b1c9c4e4d7e1a1c5d3a6b3e2f1a0b9c8d7031c";

// A realistic MAA SevSnpVm token payload (spec 8.4), as an ACI container's.
json aci_claims() {
  return json::parse(R"({
    "iss": "https://sharedeus.eus.attest.azure.net",
    "iat": 1700000000, "nbf": 1700000000, "exp": 1700028800,
    "jti": "0ad4f7a4f2b6b1f9d5a8c1e3b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b1d3",
    "nonce": "7394904505194784658",
    "x-ms-ver": "1.0",
    "x-ms-attestation-type": "sevsnpvm",
    "x-ms-compliance-status": "azure-compliant-uvm",
    "x-ms-policy-hash": "9NY0VnTQ-IiBriBplVUpFbczcDaEBUwsiFYAzHu_gco",
    "x-ms-runtime": {"keys": [{"kty": "RSA", "e": "AQAB", "n": "sXch", "kid": "k1",
                                "key_ops": ["encrypt"]}]},
    "x-ms-sevsnpvm-authorkeydigest": "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "x-ms-sevsnpvm-bootloader-svn": 3,
    "x-ms-sevsnpvm-familyId": "01000000000000000000000000000000",
    "x-ms-sevsnpvm-guestsvn": 2,
    "x-ms-sevsnpvm-hostdata": "73973b78d70cc68353426de188db5dfc57e5b766e399935fb73a61127ea26d20",
    "x-ms-sevsnpvm-idkeydigest": "03564bd1d4ae1b39bb4dba0ee69e2ee0b0ac8b19da91a8ad8e9e3c2c6c5e61e8e1f4eb4c1ab8fa3d1e64fdc1b5d7c2a4",
    "x-ms-sevsnpvm-imageId": "02000000000000000000000000000000",
    "x-ms-sevsnpvm-is-debuggable": false,
    "x-ms-sevsnpvm-launchmeasurement": "a1e1a4b1c7e2d0f3b5a6c8e9d1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4",
    "x-ms-sevsnpvm-microcode-svn": 115,
    "x-ms-sevsnpvm-migration-allowed": false,
    "x-ms-sevsnpvm-reportdata": "5f3c0f0e4a8d2b6c9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d00000000000000000000000000000000000000000000000000000000000000",
    "x-ms-sevsnpvm-reportid": "6a4c2e0f8d6b4a2c0e8f6d4b2a0c8e6f4d2b0a8c6e4f2d0b8a6c4e2f0d8b6a4c",
    "x-ms-sevsnpvm-smt-allowed": true,
    "x-ms-sevsnpvm-snpfw-svn": 8,
    "x-ms-sevsnpvm-tee-svn": 0,
    "x-ms-sevsnpvm-vmpl": 0,
    "x-ms-sevsnpvm-uvm-endorsement": {"x-ms-sevsnpvm-guestsvn": "100",
                                      "x-ms-sevsnpvm-launchmeasurement": "a1e1"},
    "x-ms-sevsnpvm-uvm-endorsement-headers": {"feed": "ContainerPlat-AMD-UVM",
      "iss": "did:x509:0:sha256:I__iuL25oXEVFdTP_aBLx_eT1RPHbCQ_ECBQfYZpt9s::eku:1.3.6.1.4.1.311.76.59.1.2"}
  })");
}

// The per-party policy of the multi-party demo (spec 3).
json demo_policy() {
  return json{{"version", "1.0.0"},
              {"anyOf",
               {{{"authority", kMaa},
                 {"allOf",
                  {{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}},
                   {{"claim", "x-ms-sevsnpvm-hostdata"}, {"equals", kHostData}}}}}}}};
}

// The fuller policy of spec 10.1 (string-typed "false" and "0").
json full_policy() {
  return json{{"version", "1.0.0"},
              {"anyOf",
               {{{"authority", kMaa},
                 {"allOf",
                  {{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}},
                   {{"claim", "x-ms-compliance-status"}, {"equals", "azure-compliant-uvm"}},
                   {{"claim", "x-ms-sevsnpvm-hostdata"}, {"equals", kHostData}},
                   {{"claim", "x-ms-sevsnpvm-is-debuggable"}, {"equals", "false"}},
                   {{"claim", "x-ms-sevsnpvm-vmpl"}, {"equals", "0"}}}}}}}};
}

ReleasePolicy must_parse(const json& j) {
  auto p = ReleasePolicy::parse(j);
  EXPECT_TRUE(p.ok()) << p.status().to_string();
  return std::move(p).value();
}

// A one-authority policy with a single allOf of the given conditions.
ReleasePolicy policy_of(json conditions) {
  return must_parse(json{{"version", "1.0.0"},
                         {"anyOf", {{{"authority", kMaa}, {"allOf", std::move(conditions)}}}}});
}

ReleasePolicy single(const std::string& claim, const std::string& op, json value) {
  return policy_of(json::array({json{{"claim", claim}, {op, std::move(value)}}}));
}

bool holds(const std::string& claim, const std::string& op, json value, json actual) {
  json claims = {{"iss", kMaa}, {claim, std::move(actual)}};
  return single(claim, op, std::move(value)).evaluate(claims).released();
}

// ------------------------------------------------------------------ parse

TEST(ReleasePolicyParse, DemoPolicy) {
  ReleasePolicy p = must_parse(demo_policy());
  EXPECT_EQ(p.version(), "1.0.0");
  ASSERT_EQ(p.authorities().size(), 1u);
  const AuthorityRule& r = p.authorities()[0];
  EXPECT_EQ(r.authority, kMaa);
  EXPECT_EQ(r.root.kind, PolicyNode::Kind::kAllOf);
  ASSERT_EQ(r.root.children.size(), 2u);
  EXPECT_EQ(r.root.children[1].kind, PolicyNode::Kind::kClaim);
  EXPECT_EQ(r.root.children[1].condition.claim, "x-ms-sevsnpvm-hostdata");
  EXPECT_EQ(r.root.children[1].condition.op, ClaimOperator::kEquals);
  EXPECT_EQ(r.root.children[1].condition.value, kHostData);
}

TEST(ReleasePolicyParse, FullPolicyOfSpec10) {
  ReleasePolicy p = must_parse(full_policy());
  ASSERT_EQ(p.authorities()[0].root.children.size(), 5u);
  EXPECT_EQ(p.authorities()[0].root.children[3].condition.value, "false");
}

TEST(ReleasePolicyParse, SdkInteropExampleWithDotPath) {
  // The decoded release_policy.data captured from @azure/keyvault-keys (A5.1).
  auto p = ReleasePolicy::parse_text(
      R"({"version":"1.0.0","anyOf":[{"authority":"https://sharedeus.eus.attest.azure.net","allOf":[{"claim":"x-ms-isolation-tee.x-ms-attestation-type","equals":"sevsnpvm"}]}]})");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->authorities()[0].root.children[0].condition.claim,
            "x-ms-isolation-tee.x-ms-attestation-type");
}

TEST(ReleasePolicyParse, LegacyConditionForm) {
  ReleasePolicy p = policy_of(json::array(
      {json{{"claim", "x-ms-sevsnpvm-vmpl"}, {"condition", "lessOrEquals"}, {"value", 1}},
       json{{"claim", "x-ms-attestation-type"}, {"condition", "equals"}, {"value", "sevsnpvm"}}}));
  const PolicyNode& n = p.authorities()[0].root.children[0];
  EXPECT_TRUE(n.condition.legacy_form);
  EXPECT_EQ(n.condition.op, ClaimOperator::kLessOrEquals);
  EXPECT_EQ(n.condition.value, 1);
  EXPECT_TRUE(p.evaluate(aci_claims()).released());
  // Canonical form rewrites it with the operator as the key.
  EXPECT_EQ(p.to_json()["anyOf"][0]["allOf"][0],
            (json{{"claim", "x-ms-sevsnpvm-vmpl"}, {"lessOrEquals", 1}}));
}

TEST(ReleasePolicyParse, Version02) {
  json j = demo_policy();
  j["version"] = "0.2";
  ReleasePolicy p = must_parse(j);
  EXPECT_EQ(p.version(), "0.2");
  EXPECT_TRUE(p.evaluate(aci_claims()).released());
}

TEST(ReleasePolicyParse, EveryOperatorAndNesting) {
  json j = {{"version", "1.0.0"},
            {"anyOf",
             {{{"authority", kMaa},
               {"anyOf",
                {{{"claim", "a"}, {"equals", "x"}},
                 {{"claim", "b"}, {"notEquals", 1}},
                 {{"allOf",
                   {{{"claim", "c"}, {"less", 1.5}},
                    {{"claim", "d"}, {"lessOrEquals", "2"}},
                    {{"anyOf",
                      {{{"claim", "e"}, {"greater", -3}},
                       {{"claim", "f"}, {"greaterOrEquals", 0}},
                       {{"claim", "g.h"}, {"exists", true}},
                       {{"claim", "i"}, {"exists", "false"}}}}}}}}}}}}}};
  ReleasePolicy p = must_parse(j);
  const PolicyNode& inner = p.authorities()[0].root.children[2].children[2];
  EXPECT_EQ(inner.kind, PolicyNode::Kind::kAnyOf);
  EXPECT_EQ(inner.children[3].condition.op, ClaimOperator::kExists);
  EXPECT_EQ(inner.children[3].condition.value, false);  // "false" normalised
}

TEST(ReleasePolicyParse, OperatorNames) {
  for (const char* name :
       {"equals", "notEquals", "less", "lessOrEquals", "greater", "greaterOrEquals", "exists"}) {
    auto op = parse_operator(name);
    ASSERT_TRUE(op.has_value()) << name;
    EXPECT_EQ(operator_name(*op), name);
  }
  EXPECT_FALSE(parse_operator("Equals").has_value());
  EXPECT_FALSE(parse_operator("equal").has_value());
}

TEST(ReleasePolicyParse, CanonicalRoundTripAndEncoding) {
  ReleasePolicy p = must_parse(full_policy());
  ReleasePolicy again = must_parse(p.to_json());
  EXPECT_EQ(again.canonical_text(), p.canonical_text());
  EXPECT_EQ(p.canonical_text(), full_policy().dump());  // already canonical
  auto decoded = crypto::base64url_decode(p.encode());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(to_string(*decoded), p.canonical_text());
  EXPECT_EQ(p.encode().find('='), std::string::npos);
  auto back = ReleasePolicy::from_encoded(p.encode());
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->canonical_text(), p.canonical_text());
}

TEST(ReleasePolicyParse, FromEncodedAcceptsBothAlphabets) {
  // Six '?' in a row always contain an aligned "???", whose base64 is "Pz8/":
  // the standard encoding has '/', the URL-safe one '_'.
  json policy = demo_policy();
  policy["anyOf"][0]["allOf"].push_back(json{{"claim", "note"}, {"notEquals", "??????"}});
  std::string text = policy.dump();
  std::string std_b64 = crypto::base64_encode(as_span(text));
  std::string url = crypto::base64url_encode(text);
  ASSERT_NE(std_b64.find('/'), std::string::npos);
  ASSERT_NE(url.find('_'), std::string::npos);
  std::string url_padded = url + std::string((4 - url.size() % 4) % 4, '=');
  std::string std_unpadded = std_b64.substr(0, std_b64.find('='));
  for (const std::string& data : {std_b64, std_unpadded, url, url_padded}) {
    auto p = ReleasePolicy::from_encoded(data);
    ASSERT_TRUE(p.ok()) << data << ": " << p.status().to_string();
    EXPECT_EQ(p->canonical_text(), text);
  }
}

TEST(ReleasePolicyParse, FromEncodedRejectsBadData) {
  auto p = ReleasePolicy::from_encoded("not*base64");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("policy: data is not base64/base64url"), std::string::npos);
  auto q = ReleasePolicy::from_encoded(crypto::base64url_encode("{not json"));
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("policy: not JSON"), std::string::npos);
}

struct Malformed {
  const char* name;
  const char* text;
  const char* message;
};

class ReleasePolicyMalformed : public testing::TestWithParam<Malformed> {};

TEST_P(ReleasePolicyMalformed, RejectedWithPreciseMessage) {
  const Malformed& m = GetParam();
  auto p = ReleasePolicy::parse_text(m.text);
  ASSERT_FALSE(p.ok()) << m.name;
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find(m.message), std::string::npos)
      << m.name << ": got \"" << p.status().message() << "\", want \"" << m.message << "\"";
}

#define AUTH R"("authority":"https://sharedeus.eus.attest.azure.net")"
#define HEAD R"({"version":"1.0.0","anyOf":[{)" AUTH

const Malformed kMalformed[] = {
    {"NotJson", R"({"version":)", "policy: not JSON"},
    {"NotObject", R"([1,2])", "policy: must be a JSON object, found an array"},
    {"MissingVersion", R"({"anyOf":[]})", "policy: version: missing"},
    {"VersionNotString", R"({"version":1,"anyOf":[]})",
     "policy: version: must be a string, found a number"},
    {"UnsupportedVersion", R"({"version":"1.0.2","anyOf":[]})",
     "policy: version: unsupported \"1.0.2\" (supported: \"1.0.0\", \"0.2\")"},
    {"MissingAnyOf", R"({"version":"1.0.0"})", "policy: anyOf: missing"},
    {"TopLevelAllOf", R"({"version":"1.0.0","allOf":[]})",
     "policy: allOf: not allowed at the top level"},
    {"UnknownTopMember", R"({"version":"1.0.0","anyOf":[],"extra":1})",
     "policy: unknown member \"extra\" in the policy object"},
    {"AnyOfNotArray", R"({"version":"1.0.0","anyOf":{}})",
     "policy: anyOf: must be an array, found an object"},
    {"AnyOfEmpty", R"({"version":"1.0.0","anyOf":[]})", "policy: anyOf: must not be empty"},
    {"EntryNotObject", R"({"version":"1.0.0","anyOf":["x"]})",
     "policy: anyOf[0]: an authority entry must be an object, found a string"},
    {"AuthorityMissing", R"({"version":"1.0.0","anyOf":[{"allOf":[{"claim":"a","equals":1}]}]})",
     "policy: anyOf[0]: authority: missing"},
    {"AuthorityNotString",
     R"({"version":"1.0.0","anyOf":[{"authority":7,"allOf":[{"claim":"a","equals":1}]}]})",
     "policy: anyOf[0]: authority: must be a string, found a number"},
    {"AuthorityEmpty",
     R"({"version":"1.0.0","anyOf":[{"authority":"","allOf":[{"claim":"a","equals":1}]}]})",
     "policy: anyOf[0]: authority: must not be empty"},
    {"AuthorityBoth",
     HEAD R"(,"allOf":[{"claim":"a","equals":1}],"anyOf":[{"claim":"a","equals":1}]}]})",
     "policy: anyOf[0]: an authority object needs exactly one of allOf or anyOf, found both"},
    {"AuthorityNeither", HEAD R"(}]})",
     "policy: anyOf[0]: an authority object needs exactly one of allOf or anyOf, found neither"},
    {"AuthorityWithClaim", HEAD R"(,"claim":"a","equals":1}]})",
     "policy: anyOf[0]: unknown member \"claim\" in an authority object"},
    {"EmptyAllOf", HEAD R"(,"allOf":[]}]})", "policy: anyOf[0].allOf: must not be empty"},
    {"AllOfNotArray", HEAD R"(,"allOf":{"claim":"a","equals":1}}]})",
     "policy: anyOf[0].allOf: must be an array, found an object"},
    {"ConditionNotObject", HEAD R"(,"allOf":[{"claim":"a","equals":1},"b"]}]})",
     "policy: anyOf[0].allOf[1]: must be an object, found a string"},
    {"TwoOperators",
     HEAD
     R"(,"allOf":[{"claim":"a","equals":1},{"claim":"b","equals":1},{"claim":"c","equals":1,"notEquals":2}]}]})",
     "policy: anyOf[0].allOf[2]: a claim condition needs exactly one operator (equals, notEquals, "
     "less, lessOrEquals, greater, greaterOrEquals, exists), found 2: equals, notEquals"},
    {"NoOperator", HEAD R"(,"allOf":[{"claim":"a"}]}]})",
     "policy: anyOf[0].allOf[0]: a claim condition needs exactly one operator"},
    {"MisspelledOperator", HEAD R"(,"allOf":[{"claim":"a","equal":1}]}]})",
     "policy: anyOf[0].allOf[0]: unknown member \"equal\" in a claim condition"},
    {"ObjectValue", HEAD R"(,"allOf":[{"claim":"a","equals":{"x":1}}]}]})",
     "policy: anyOf[0].allOf[0]: equals: must be a string, number or boolean, found an object"},
    {"ArrayValue", HEAD R"(,"allOf":[{"claim":"a","greater":[1]}]}]})",
     "policy: anyOf[0].allOf[0]: greater: must be a string, number or boolean, found an array"},
    {"NullValue", HEAD R"(,"allOf":[{"claim":"a","notEquals":null}]}]})",
     "policy: anyOf[0].allOf[0]: notEquals: must be a string, number or boolean, found null"},
    {"ExistsNotBoolean", HEAD R"(,"allOf":[{"claim":"a","exists":1}]}]})",
     "policy: anyOf[0].allOf[0]: exists: must be a boolean"},
    {"ClaimNotString", HEAD R"(,"allOf":[{"claim":3,"equals":1}]}]})",
     "policy: anyOf[0].allOf[0]: claim: must be a string, found a number"},
    {"ClaimEmpty", HEAD R"(,"allOf":[{"claim":"","equals":1}]}]})",
     "policy: anyOf[0].allOf[0]: claim: must not be empty"},
    {"ClaimEmptySegment", HEAD R"(,"allOf":[{"claim":"a..b","equals":1}]}]})",
     "policy: anyOf[0].allOf[0]: claim: empty name segment in \"a..b\""},
    {"ClaimTrailingDot", HEAD R"(,"allOf":[{"claim":"a.","equals":1}]}]})",
     "claim: empty name segment in \"a.\""},
    {"OperatorWithoutClaim", HEAD R"(,"allOf":[{"equals":1}]}]})",
     "policy: anyOf[0].allOf[0]: claim: missing"},
    {"NestedAuthority",
     HEAD R"(,"allOf":[{"claim":"a","equals":1},{)" AUTH
          R"(,"allOf":[{"claim":"a","equals":1}]}]}]})",
     "policy: anyOf[0].allOf[1]: authority is only allowed in the top-level anyOf entries"},
    {"GroupBoth",
     HEAD
     R"(,"allOf":[{"claim":"a","equals":1},{"allOf":[{"claim":"a","equals":1}],"anyOf":[{"claim":"a","equals":1}]}]}]})",
     "policy: anyOf[0].allOf[1]: a group needs exactly one of allOf or anyOf, found both"},
    {"ClaimAndGroup",
     HEAD R"(,"allOf":[{"claim":"a","equals":1,"anyOf":[{"claim":"a","equals":1}]}]}]})",
     "policy: anyOf[0].allOf[0]: a condition is either a claim or an allOf/anyOf group, not both"},
    {"GroupExtraMember", HEAD R"(,"allOf":[{"anyOf":[{"claim":"a","equals":1}],"x":1}]}]})",
     "policy: anyOf[0].allOf[0]: unknown member \"x\" in an allOf/anyOf group"},
    {"EmptyObjectCondition", HEAD R"(,"allOf":[{}]}]})",
     "policy: anyOf[0].allOf[0]: needs a claim or exactly one of allOf or anyOf"},
    {"NestedEmptyAnyOf", HEAD R"(,"allOf":[{"claim":"a","equals":1},{"anyOf":[]}]}]})",
     "policy: anyOf[0].allOf[1].anyOf: must not be empty"},
    {"DeepPath",
     R"({"version":"1.0.0","anyOf":[{)" AUTH R"(,"allOf":[{"claim":"a","equals":1}]},{)" AUTH
     R"(,"anyOf":[{"allOf":[{"claim":"a","equals":1},{"claim":"b","equals":1},{"claim":"c","less":{}}]}]}]})",
     "policy: anyOf[1].anyOf[0].allOf[2]: less: must be a string, number or boolean, found an "
     "object"},
    {"LegacyUnknownCondition", HEAD R"(,"allOf":[{"claim":"a","condition":"equal","value":1}]}]})",
     "policy: anyOf[0].allOf[0]: condition: unknown operator \"equal\""},
    {"LegacyConditionNotString", HEAD R"(,"allOf":[{"claim":"a","condition":1,"value":1}]}]})",
     "policy: anyOf[0].allOf[0]: condition: must be a string, found a number"},
    {"LegacyMissingValue", HEAD R"(,"allOf":[{"claim":"a","condition":"equals"}]}]})",
     "policy: anyOf[0].allOf[0]: legacy form: value: missing"},
    {"LegacyMissingCondition", HEAD R"(,"allOf":[{"claim":"a","value":1}]}]})",
     "policy: anyOf[0].allOf[0]: legacy form: condition: missing"},
    {"LegacyMixedWithOperator",
     HEAD R"(,"allOf":[{"claim":"a","condition":"equals","value":1,"equals":1}]}]})",
     "policy: anyOf[0].allOf[0]: unknown member \"equals\" in a legacy claim condition"},
    {"LegacyObjectValue", HEAD R"(,"allOf":[{"claim":"a","condition":"equals","value":{}}]}]})",
     "policy: anyOf[0].allOf[0]: value: must be a string, number or boolean, found an object"},
    {"DuplicateMember", HEAD R"(,"allOf":[{"claim":"a","equals":"x","equals":"y"}]}]})",
     "policy: duplicate member \"equals\" in an object"},
};

INSTANTIATE_TEST_SUITE_P(Grammar, ReleasePolicyMalformed, testing::ValuesIn(kMalformed),
                         [](const testing::TestParamInfo<Malformed>& i) { return i.param.name; });

TEST(ReleasePolicyParse, NestingLimit) {
  auto nested = [](std::size_t depth) {
    json leaf = json::array({json{{"claim", "a"}, {"equals", 1}}});
    for (std::size_t i = 1; i < depth; ++i) leaf = json::array({json{{"allOf", leaf}}});
    return json{{"version", "1.0.0"}, {"anyOf", {{{"authority", kMaa}, {"allOf", leaf}}}}};
  };
  EXPECT_TRUE(ReleasePolicy::parse(nested(kMaxPolicyDepth)).ok());
  auto p = ReleasePolicy::parse(nested(kMaxPolicyDepth + 1));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("nesting deeper than 32 groups"), std::string::npos)
      << p.status().message();
}

TEST(ReleasePolicyParse, SizeLimit) {
  std::string big = demo_policy().dump();
  big.insert(big.size() - 1, std::string(kMaxPolicyBytes, ' '));
  auto p = ReleasePolicy::parse_text(big);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("policy: larger than 65536 bytes"), std::string::npos);
}

// ---------------------------------------------------------------- operators

TEST(ReleasePolicyOperators, EqualsStrings) {
  EXPECT_TRUE(holds("a", "equals", "sevsnpvm", "sevsnpvm"));
  EXPECT_FALSE(holds("a", "equals", "sevsnpvm", "SEVSNPVM"));  // case-sensitive
  EXPECT_FALSE(holds("a", "equals", "0123", "123"));  // two strings never compare as numbers
}

TEST(ReleasePolicyOperators, EqualsNumbersAndNumericStrings) {
  EXPECT_TRUE(holds("a", "equals", 0, 0));
  EXPECT_TRUE(holds("a", "equals", "0", 0));  // production policies rely on this
  EXPECT_TRUE(holds("a", "equals", 0, "0"));
  EXPECT_TRUE(holds("a", "equals", "0.0", 0));  // numerically equal
  EXPECT_TRUE(holds("a", "equals", 2.5, "2.5"));
  EXPECT_TRUE(holds("a", "equals", 18446744073709551615u, "18446744073709551615"));
  EXPECT_FALSE(holds("a", "equals", "1", 0));
  EXPECT_FALSE(holds("a", "equals", "zero", 0));
  EXPECT_FALSE(holds("a", "equals", 0, "0x0"));
  EXPECT_FALSE(holds("a", "equals", 1, 2));
}

TEST(ReleasePolicyOperators, EqualsBooleansAndBooleanStrings) {
  EXPECT_TRUE(holds("a", "equals", false, false));
  EXPECT_TRUE(holds("a", "equals", "false", false));  // production policies rely on this
  EXPECT_TRUE(holds("a", "equals", "true", true));
  EXPECT_TRUE(holds("a", "equals", true, "true"));
  EXPECT_FALSE(holds("a", "equals", "false", true));
  EXPECT_FALSE(holds("a", "equals", "False", false));  // exact spelling only
  EXPECT_FALSE(holds("a", "equals", 0, false));        // "0" is not "false"
  EXPECT_FALSE(holds("a", "equals", false, 0));
}

TEST(ReleasePolicyOperators, NotEquals) {
  EXPECT_TRUE(holds("a", "notEquals", "sgx", "sevsnpvm"));
  EXPECT_FALSE(holds("a", "notEquals", "sevsnpvm", "sevsnpvm"));
  EXPECT_FALSE(holds("a", "notEquals", "true", true));  // same coercion as equals
  EXPECT_TRUE(holds("a", "notEquals", "true", false));
  EXPECT_FALSE(holds("a", "notEquals", 0, "0"));
}

TEST(ReleasePolicyOperators, Ordering) {
  EXPECT_TRUE(holds("a", "less", 5, 4));
  EXPECT_FALSE(holds("a", "less", 5, 5));
  EXPECT_TRUE(holds("a", "lessOrEquals", 5, 5));
  EXPECT_FALSE(holds("a", "lessOrEquals", 5, 6));
  EXPECT_TRUE(holds("a", "greater", 5, 6));
  EXPECT_FALSE(holds("a", "greater", 5, 5));
  EXPECT_TRUE(holds("a", "greaterOrEquals", 5, 5));
  EXPECT_FALSE(holds("a", "greaterOrEquals", 5, 4));
  EXPECT_TRUE(holds("a", "greater", -1, 0));
  EXPECT_TRUE(holds("a", "less", 1.5, 1.25));
}

TEST(ReleasePolicyOperators, OrderingWithNumericStrings) {
  EXPECT_TRUE(holds("a", "greaterOrEquals", "100", 100));  // policy string, claim number
  EXPECT_TRUE(holds("a", "greaterOrEquals", 100, "100"));  // uvm-endorsement guestsvn is a string
  EXPECT_TRUE(holds("a", "greater", "9", "10"));           // numeric, not lexicographic
  EXPECT_FALSE(holds("a", "less", "9", "10"));
  EXPECT_TRUE(holds("a", "lessOrEquals", "1e3", 1000));
}

TEST(ReleasePolicyOperators, OrderingRefusesNonNumbers) {
  json claims = {{"iss", kMaa}, {"s", "abc"}, {"b", true}, {"n", 3}};
  struct Case {
    const char* claim;
    json value;
    const char* reason;
  };
  for (const Case& c : {Case{"s", 1, "not comparable: actual value is not a number"},
                        Case{"b", 1, "not comparable: actual value is not a number"},
                        Case{"n", "three", "not comparable: expected value is not a number"},
                        Case{"n", true, "not comparable: expected value is not a number"}}) {
    Evaluation e = single(c.claim, "greater", c.value).evaluate(claims);
    ASSERT_FALSE(e.released()) << c.claim;
    ASSERT_EQ(e.failed_clauses().size(), 1u);
    EXPECT_EQ(e.failed_clauses()[0].reason, c.reason);
  }
}

TEST(ReleasePolicyOperators, ExistsTrueAndFalse) {
  json claims = {{"iss", kMaa}, {"present", "x"}, {"nul", nullptr}, {"obj", {{"k", 1}}}};
  EXPECT_TRUE(single("present", "exists", true).evaluate(claims).released());
  EXPECT_TRUE(single("nul", "exists", true).evaluate(claims).released());
  EXPECT_TRUE(single("obj", "exists", true).evaluate(claims).released());
  EXPECT_TRUE(single("obj.k", "exists", true).evaluate(claims).released());
  EXPECT_FALSE(single("absent", "exists", true).evaluate(claims).released());
  EXPECT_TRUE(single("absent", "exists", false).evaluate(claims).released());
  EXPECT_TRUE(single("obj.absent", "exists", false).evaluate(claims).released());
  Evaluation e = single("present", "exists", false).evaluate(claims);
  ASSERT_FALSE(e.released());
  EXPECT_EQ(e.failed_clauses()[0].reason, "claim present");
  EXPECT_EQ(e.failed_clauses()[0].actual, json("x"));
}

TEST(ReleasePolicyOperators, MissingClaimIsFalseForEveryComparison) {
  json claims = {{"iss", kMaa}};
  for (const char* op :
       {"equals", "notEquals", "less", "lessOrEquals", "greater", "greaterOrEquals"}) {
    Evaluation e = single("x-ms-sevsnpvm-vmpl", op, 0).evaluate(claims);
    ASSERT_FALSE(e.released()) << op;
    ASSERT_EQ(e.failed_clauses().size(), 1u);
    EXPECT_FALSE(e.failed_clauses()[0].actual.has_value());
    EXPECT_EQ(e.failed_clauses()[0].reason, "claim missing");
    EXPECT_EQ(e.to_json()["failedClauses"][0]["missing"], true);
    EXPECT_FALSE(e.to_json()["failedClauses"][0].contains("actual"));
  }
}

TEST(ReleasePolicyOperators, NonScalarClaimNeverCompares) {
  json claims = aci_claims();
  Evaluation e = single("x-ms-runtime", "notEquals", "x").evaluate(claims);
  ASSERT_FALSE(e.released());
  EXPECT_EQ(e.failed_clauses()[0].reason,
            "claim is an object; only strings, numbers and booleans compare");
  EXPECT_EQ(e.failed_clauses()[0].actual, claims["x-ms-runtime"]);
  // Reasons show a large value cut short; the JSON keeps it whole.
  json big = {{"iss", kMaa}, {"blob", {{"data", std::string(1000, 'x')}}}};
  Evaluation b = single("blob", "equals", "x").evaluate(big);
  ASSERT_FALSE(b.released());
  EXPECT_LT(b.reasons()[0].size(), 350u);
  EXPECT_NE(b.reasons()[0].find("... (claim is an object"), std::string::npos) << b.reasons()[0];
  EXPECT_EQ(b.to_json()["failedClauses"][0]["actual"], big["blob"]);
  json nul = {{"iss", kMaa}, {"a", nullptr}};
  EXPECT_FALSE(single("a", "notEquals", "x").evaluate(nul).released());
}

// ---------------------------------------------------------------- dot paths

TEST(ReleasePolicyPaths, DotPathWalksNestedObjects) {
  json cvm = {
      {"iss", kMaa},
      {"x-ms-isolation-tee",
       {{"x-ms-attestation-type", "sevsnpvm"}, {"x-ms-compliance-status", "azure-compliant-cvm"}}}};
  EXPECT_TRUE(single("x-ms-isolation-tee.x-ms-attestation-type", "equals", "sevsnpvm")
                  .evaluate(cvm)
                  .released());
  EXPECT_TRUE(single("x-ms-sevsnpvm-uvm-endorsement.x-ms-sevsnpvm-guestsvn", "greaterOrEquals", 100)
                  .evaluate(aci_claims())
                  .released());
  // The top-level claim of the same name is not what a dotted path means.
  Evaluation e = single("x-ms-isolation-tee.x-ms-attestation-type", "equals", "sevsnpvm")
                     .evaluate(aci_claims());
  ASSERT_FALSE(e.released());
  EXPECT_EQ(e.failed_clauses()[0].reason, "claim missing");
}

TEST(ReleasePolicyPaths, NoArrayIndexingAndNoWalkThroughScalars) {
  json claims = aci_claims();
  EXPECT_FALSE(single("x-ms-runtime.keys.0.kty", "equals", "RSA").evaluate(claims).released());
  EXPECT_TRUE(single("x-ms-runtime.keys.0", "exists", false).evaluate(claims).released());
  EXPECT_TRUE(single("x-ms-ver.major", "exists", false).evaluate(claims).released());
  // A claim whose own name contains a dot is not reachable (dots always walk).
  json dotted = {{"iss", kMaa}, {"a.b", 1}};
  EXPECT_FALSE(single("a.b", "equals", 1).evaluate(dotted).released());
}

// --------------------------------------------------------------- nesting

TEST(ReleasePolicyNesting, AllOfOfAnyOf) {
  // allOf[ anyOf[type == sevsnpvm, type == sgx], anyOf[vmpl == 0, debuggable == false] ]
  ReleasePolicy p = policy_of(
      json::array({json{{"anyOf",
                         {{{"claim", "x-ms-attestation-type"}, {"equals", "sgx"}},
                          {{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}}}}},
                   json{{"anyOf",
                         {{{"claim", "x-ms-sevsnpvm-vmpl"}, {"equals", 1}},
                          {{"claim", "x-ms-sevsnpvm-is-debuggable"}, {"equals", false}}}}}}));
  json claims = aci_claims();
  EXPECT_TRUE(p.evaluate(claims).released());
  claims["x-ms-sevsnpvm-is-debuggable"] = true;
  Evaluation e = p.evaluate(claims);
  ASSERT_FALSE(e.released());
  // Both alternatives of the failed anyOf are reported; the satisfied anyOf is not.
  ASSERT_EQ(e.failed_clauses().size(), 2u);
  EXPECT_EQ(e.failed_clauses()[0].path, "anyOf[0].allOf[1].anyOf[0]");
  EXPECT_EQ(e.failed_clauses()[0].claim, "x-ms-sevsnpvm-vmpl");
  EXPECT_EQ(e.failed_clauses()[1].path, "anyOf[0].allOf[1].anyOf[1]");
  EXPECT_EQ(e.failed_clauses()[1].actual, json(true));
}

TEST(ReleasePolicyNesting, AnyOfAtAuthorityLevelAndDeepNesting) {
  json j = {{"version", "1.0.0"},
            {"anyOf",
             {{{"authority", kMaa},
               {"anyOf",
                {{{"claim", "x-ms-attestation-type"}, {"equals", "tdxvm"}},
                 {{"allOf",
                   {{{"claim", "x-ms-sevsnpvm-vmpl"}, {"lessOrEquals", 1}},
                    {{"anyOf",
                      {{{"claim", "x-ms-sevsnpvm-hostdata"}, {"equals", kOtherHostData}},
                       {{"claim", "x-ms-sevsnpvm-hostdata"}, {"equals", kHostData}}}}}}}}}}}}}};
  ReleasePolicy p = must_parse(j);
  json claims = aci_claims();
  EXPECT_TRUE(p.evaluate(claims).released());
  claims["x-ms-sevsnpvm-vmpl"] = 2;
  Evaluation e = p.evaluate(claims);
  ASSERT_FALSE(e.released());
  ASSERT_EQ(e.failed_clauses().size(), 2u);
  EXPECT_EQ(e.failed_clauses()[0].path, "anyOf[0].anyOf[0]");
  EXPECT_EQ(e.failed_clauses()[1].path, "anyOf[0].anyOf[1].allOf[0]");
  EXPECT_EQ(e.failed_clauses()[1].actual, json(2));
}

// -------------------------------------------------------------- authority

TEST(ReleasePolicyAuthority, Matching) {
  EXPECT_TRUE(authority_matches("https://sharedeus.eus.attest.azure.net",
                                "https://sharedeus.eus.attest.azure.net"));
  EXPECT_TRUE(authority_matches("https://sharedeus.eus.attest.azure.net/",
                                "https://sharedeus.eus.attest.azure.net"));
  EXPECT_TRUE(authority_matches("https://sharedeus.eus.attest.azure.net",
                                "https://sharedeus.eus.attest.azure.net/"));
  EXPECT_TRUE(authority_matches("HTTPS://SharedEUS.eus.attest.azure.net",
                                "https://sharedeus.eus.attest.azure.net"));
  EXPECT_TRUE(authority_matches("https://127.0.0.1:443", "https://127.0.0.1"));
  EXPECT_TRUE(authority_matches("https://[::1]:8443/", "https://[::1]:8443"));
  EXPECT_FALSE(authority_matches("https://127.0.0.1:8443", "https://127.0.0.1:8444"));
  EXPECT_FALSE(authority_matches("https://127.0.0.1:8443", "https://127.0.0.1"));
  EXPECT_FALSE(authority_matches("http://sharedeus.eus.attest.azure.net",
                                 "https://sharedeus.eus.attest.azure.net"));
  EXPECT_FALSE(authority_matches("https://sharedeus.eus.attest.azure.net.evil.example",
                                 "https://sharedeus.eus.attest.azure.net"));
  EXPECT_FALSE(authority_matches("https://sharedeus.eus.attest.azure.net",
                                 "https://sharedeus.eus.attest.azure.net.evil.example"));
  EXPECT_FALSE(authority_matches("https://host/Tenant", "https://host/tenant"));  // path exact
  EXPECT_FALSE(authority_matches("https://host//", "https://host"));  // only one '/' dropped
  EXPECT_FALSE(authority_matches("sharedeus.eus.attest.azure.net",
                                 "https://sharedeus.eus.attest.azure.net"));
}

TEST(ReleasePolicyAuthority, TrailingSlashInPolicy) {
  json j = demo_policy();
  j["anyOf"][0]["authority"] = std::string(kMaa) + "/";
  EXPECT_TRUE(must_parse(j).evaluate(aci_claims()).released());
  json claims = aci_claims();
  claims["iss"] = std::string(kMaa) + "/";
  EXPECT_TRUE(must_parse(demo_policy()).evaluate(claims).released());
}

TEST(ReleasePolicyAuthority, MismatchIsReported) {
  json claims = aci_claims();
  claims["iss"] = "https://snooper.attest.example";
  Evaluation e = must_parse(demo_policy()).evaluate(claims);
  ASSERT_FALSE(e.released());
  EXPECT_TRUE(e.failed_clauses().empty());
  ASSERT_EQ(e.authority_mismatches().size(), 1u);
  EXPECT_EQ(e.authority_mismatches()[0].path, "anyOf[0]");
  EXPECT_EQ(e.authority_mismatches()[0].authority, kMaa);
  EXPECT_EQ(e.authority_mismatches()[0].issuer, "https://snooper.attest.example");
  EXPECT_EQ(e.reasons(), std::vector<std::string>{
                             "anyOf[0]: authority \"https://sharedeus.eus.attest.azure.net\" "
                             "does not match the token issuer "
                             "\"https://snooper.attest.example\""});
  json j = e.to_json();
  EXPECT_EQ(j["decision"], "deny");
  EXPECT_EQ(j["authorityMismatches"][0]["issuer"], "https://snooper.attest.example");
}

TEST(ReleasePolicyAuthority, ExplicitIssuerOverridesClaims) {
  ReleasePolicy p = must_parse(demo_policy());
  EXPECT_FALSE(p.evaluate(aci_claims(), "https://other.example").released());
  json claims = aci_claims();
  claims.erase("iss");
  EXPECT_TRUE(p.evaluate(claims, kMaa).released());
}

TEST(ReleasePolicyAuthority, MultipleAuthorities) {
  json j = {{"version", "1.0.0"},
            {"anyOf",
             {{{"authority", "https://other.attest.example"},
               {"allOf", {{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}}}}},
              {{"authority", kMaa},
               {"allOf", {{{"claim", "x-ms-sevsnpvm-hostdata"}, {"equals", kOtherHostData}}}}},
              {{"authority", std::string(kMaa) + "/"},
               {"allOf", {{{"claim", "x-ms-sevsnpvm-hostdata"}, {"equals", kHostData}}}}}}}};
  ReleasePolicy p = must_parse(j);
  Evaluation ok = p.evaluate(aci_claims());
  ASSERT_TRUE(ok.released());
  EXPECT_EQ(ok.satisfied_by(), "anyOf[2]");
  EXPECT_TRUE(ok.reasons().empty());
  EXPECT_TRUE(ok.status().ok());
  EXPECT_EQ(ok.to_json()["satisfiedBy"], "anyOf[2]");

  json claims = aci_claims();
  claims["x-ms-sevsnpvm-hostdata"] = std::string(64, 'e');
  Evaluation e = p.evaluate(claims);
  ASSERT_FALSE(e.released());
  ASSERT_EQ(e.failed_clauses().size(), 2u);
  EXPECT_EQ(e.failed_clauses()[0].path, "anyOf[1].allOf[0]");
  EXPECT_EQ(e.failed_clauses()[1].path, "anyOf[2].allOf[0]");
  ASSERT_EQ(e.authority_mismatches().size(), 1u);
  EXPECT_EQ(e.authority_mismatches()[0].path, "anyOf[0]");
  EXPECT_EQ(e.reasons().size(), 3u);
}

TEST(ReleasePolicyAuthority, TokenProblems) {
  ReleasePolicy p = must_parse(demo_policy());
  json claims = aci_claims();
  claims.erase("iss");
  Evaluation e = p.evaluate(claims);
  ASSERT_FALSE(e.released());
  EXPECT_EQ(e.token_errors(), std::vector<std::string>{"token: no string iss claim"});
  EXPECT_EQ(e.status().message(), "policy: token: no string iss claim");
  Evaluation f = p.evaluate(json::array(), kMaa);
  ASSERT_FALSE(f.released());
  EXPECT_EQ(f.token_errors(), std::vector<std::string>{"token: claims are not a JSON object"});
}

// --------------------------------------- the issue's cases, on MAA claims

TEST(ReleasePolicyIssueCases, PolicySatisfied) {
  for (const json& policy : {demo_policy(), full_policy()}) {
    Evaluation e = must_parse(policy).evaluate(aci_claims());
    EXPECT_TRUE(e.released()) << e.to_json().dump();
    EXPECT_EQ(e.satisfied_by(), "anyOf[0]");
    EXPECT_EQ(e.issuer(), kMaa);
    EXPECT_TRUE(e.status().ok());
  }
}

TEST(ReleasePolicyIssueCases, HostDataMismatch) {
  json claims = aci_claims();
  claims["x-ms-sevsnpvm-hostdata"] = kOtherHostData;
  Evaluation e = must_parse(full_policy()).evaluate(claims);
  ASSERT_FALSE(e.released());
  ASSERT_EQ(e.failed_clauses().size(), 1u);
  const FailedClause& f = e.failed_clauses()[0];
  EXPECT_EQ(f.path, "anyOf[0].allOf[2]");
  EXPECT_EQ(f.claim, "x-ms-sevsnpvm-hostdata");
  EXPECT_EQ(f.op, ClaimOperator::kEquals);
  EXPECT_EQ(f.expected, kHostData);
  EXPECT_EQ(f.actual, json(kOtherHostData));
  EXPECT_EQ(f.reason, "value differs");
  EXPECT_EQ(e.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(e.status().message(),
            std::string("policy: anyOf[0].allOf[2]: x-ms-sevsnpvm-hostdata equals \"") + kHostData +
                "\": actual \"" + kOtherHostData + "\" (value differs)");
  json body = e.to_json();
  EXPECT_EQ(body["failedClauses"][0], (json{{"path", "anyOf[0].allOf[2]"},
                                            {"claim", "x-ms-sevsnpvm-hostdata"},
                                            {"operator", "equals"},
                                            {"expected", kHostData},
                                            {"actual", kOtherHostData},
                                            {"reason", "value differs"}}));
}

TEST(ReleasePolicyIssueCases, DebuggableGuest) {
  json claims = aci_claims();
  claims["x-ms-sevsnpvm-is-debuggable"] = true;
  Evaluation e = must_parse(full_policy()).evaluate(claims);
  ASSERT_FALSE(e.released());
  ASSERT_EQ(e.failed_clauses().size(), 1u);
  const FailedClause& f = e.failed_clauses()[0];
  EXPECT_EQ(f.path, "anyOf[0].allOf[3]");
  EXPECT_EQ(f.claim, "x-ms-sevsnpvm-is-debuggable");
  EXPECT_EQ(f.expected, json("false"));  // the policy's string
  EXPECT_EQ(f.actual, json(true));       // the token's boolean
  EXPECT_EQ(e.to_json()["failedClauses"][0]["actual"], true);
  EXPECT_EQ(e.status().message(),
            "policy: anyOf[0].allOf[3]: x-ms-sevsnpvm-is-debuggable equals \"false\": actual true "
            "(value differs)");
}

TEST(ReleasePolicyIssueCases, WrongAttestationType) {
  json claims = aci_claims();
  claims["x-ms-attestation-type"] = "sgx";
  Evaluation e = must_parse(demo_policy()).evaluate(claims);
  ASSERT_FALSE(e.released());
  ASSERT_EQ(e.failed_clauses().size(), 1u);
  const FailedClause& f = e.failed_clauses()[0];
  EXPECT_EQ(f.path, "anyOf[0].allOf[0]");
  EXPECT_EQ(f.claim, "x-ms-attestation-type");
  EXPECT_EQ(f.expected, json("sevsnpvm"));
  EXPECT_EQ(f.actual, json("sgx"));
}

TEST(ReleasePolicyIssueCases, EveryFailedClauseOfAnAllOfIsListed) {
  json claims = aci_claims();
  claims["x-ms-attestation-type"] = "sgx";
  claims["x-ms-sevsnpvm-vmpl"] = 2;
  claims.erase("x-ms-compliance-status");
  Evaluation e = must_parse(full_policy()).evaluate(claims);
  ASSERT_FALSE(e.released());
  std::vector<std::string> paths;
  for (const FailedClause& f : e.failed_clauses()) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"anyOf[0].allOf[0]", "anyOf[0].allOf[1]",
                                             "anyOf[0].allOf[4]"}));
  EXPECT_EQ(e.failed_clauses()[1].reason, "claim missing");
  EXPECT_EQ(e.failed_clauses()[2].expected, json("0"));
  EXPECT_EQ(e.failed_clauses()[2].actual, json(2));
  EXPECT_NE(e.status().message().find("(+2 more)"), std::string::npos);
  EXPECT_EQ(
      e.reasons()[1],
      "anyOf[0].allOf[1]: x-ms-compliance-status equals \"azure-compliant-uvm\": claim missing");
}

}  // namespace
}  // namespace mpcc::keyvault
