// File: crypto/openssl/encoding.cpp
//
// base64 / base64url on EVP_EncodeBlock / EVP_DecodeBlock. The strict checks
// (alphabet, padding, canonical trailing bits) happen here, because
// EVP_DecodeBlock skips leading/trailing whitespace and reports padding as
// zero bytes.
#include "crypto/encoding.h"

#include <string>

#include "crypto/openssl/wrappers.h"

namespace mpcc::crypto {
namespace {

using internal::int_len;

bool is_std_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  return 63;  // '/'
}

// `text` uses the standard alphabet (after any url translation). Padding is
// optional but must be exactly right when present.
StatusOr<Bytes> decode_standard(std::string_view text, std::string_view what) {
  std::size_t pad = 0;
  while (pad < text.size() && pad < 3 && text[text.size() - 1 - pad] == '=') ++pad;
  std::string_view body = text.substr(0, text.size() - pad);
  for (char c : body) {
    if (!is_std_char(c)) {
      return invalid_argument(std::string(what) + ": invalid character");
    }
  }
  std::size_t rem = body.size() % 4;
  if (rem == 1 || pad > 2) return invalid_argument(std::string(what) + ": invalid length");
  if (pad != 0 && (rem == 0 || (body.size() + pad) % 4 != 0)) {
    return invalid_argument(std::string(what) + ": invalid padding");
  }
  if (body.empty()) return Bytes{};
  // Unused low bits of the last character must be zero (canonical encoding).
  if (rem != 0) {
    int last = sextet(body.back());
    int mask = rem == 2 ? 0x0f : 0x03;
    if ((last & mask) != 0) {
      return invalid_argument(std::string(what) + ": non-canonical trailing bits");
    }
  }
  std::string padded(body);
  if (rem != 0) padded.append(4 - rem, '=');
  Bytes out(padded.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(padded.data()),
                          int_len(padded.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) {
    internal::clear_openssl_errors();
    return invalid_argument(std::string(what) + ": malformed input");
  }
  // EVP_DecodeBlock counts each '=' as a zero byte.
  out.resize(out.size() - (rem == 0 ? 0 : 4 - rem));
  return out;
}

}  // namespace

std::string base64_encode(ByteSpan data) {
  if (data.empty()) return {};
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                          int_len(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64url_encode(ByteSpan data) {
  std::string s = base64_encode(data);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return s;
}

StatusOr<Bytes> base64_decode(std::string_view text) { return decode_standard(text, "base64"); }

StatusOr<Bytes> base64url_decode(std::string_view text) {
  std::string t(text);
  for (char& c : t) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/')
      return invalid_argument("base64url: invalid character");
  }
  return decode_standard(t, "base64url");
}

StatusOr<Bytes> base64_decode_any(std::string_view text) {
  std::string t(text);
  for (char& c : t) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
  }
  return decode_standard(t, "base64");
}

}  // namespace mpcc::crypto
