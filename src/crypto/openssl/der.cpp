// File: crypto/openssl/der.cpp
//
// DER encoders/decoders for X.509 extension values, on OpenSSL's ASN.1 codec.
#include <stdexcept>

#include "crypto/openssl/wrappers.h"
#include "crypto/x509.h"

namespace mpcc::crypto {

namespace {

template <typename T, typename Encode>
Bytes encode(T* obj, Encode enc) {
  unsigned char* buf = nullptr;
  int len = enc(obj, &buf);
  if (len <= 0) throw std::logic_error(internal::drain_openssl_errors("DER: encoding failed"));
  internal::UniqueOsslBuf owned(buf);
  return Bytes(buf, buf + len);
}

}  // namespace

Bytes der_integer(uint64_t v) {
  internal::UniqueAsn1Integer i(ASN1_INTEGER_new());
  if (!i || ASN1_INTEGER_set_uint64(i.get(), v) != 1) throw std::bad_alloc();
  return encode(i.get(), i2d_ASN1_INTEGER);
}

Bytes der_ia5_string(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) > 0x7f) {
      throw std::logic_error("DER: IA5String must be 7-bit ASCII");
    }
  }
  internal::UniqueAsn1String str(ASN1_IA5STRING_new());
  if (!str || ASN1_STRING_set(str.get(), s.data(), internal::int_len(s.size())) != 1) {
    throw std::bad_alloc();
  }
  return encode(str.get(), i2d_ASN1_IA5STRING);
}

Bytes der_octet_string(ByteSpan v) {
  internal::UniqueAsn1OctetString str(ASN1_OCTET_STRING_new());
  if (!str ||
      ASN1_OCTET_STRING_set(str.get(), internal::uchar_ptr(v), internal::int_len(v.size())) != 1) {
    throw std::bad_alloc();
  }
  return encode(str.get(), i2d_ASN1_OCTET_STRING);
}

StatusOr<uint64_t> der_parse_integer(ByteSpan der) {
  const unsigned char* p = internal::uchar_ptr(der);
  internal::UniqueAsn1Integer i(d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(der.size())));
  if (!i || p != der.data() + der.size()) {
    internal::clear_openssl_errors();
    return invalid_argument("DER: not a single INTEGER");
  }
  uint64_t v = 0;
  if (ASN1_INTEGER_get_uint64(&v, i.get()) != 1) {
    internal::clear_openssl_errors();
    return invalid_argument("DER: INTEGER is negative or wider than 64 bits");
  }
  return v;
}

StatusOr<std::string> der_parse_string(ByteSpan der) {
  const unsigned char* p = internal::uchar_ptr(der);
  using UniqueAsn1Type = internal::OsslPtr<ASN1_TYPE, ASN1_TYPE_free>;
  UniqueAsn1Type t(d2i_ASN1_TYPE(nullptr, &p, static_cast<long>(der.size())));
  if (!t || p != der.data() + der.size()) {
    internal::clear_openssl_errors();
    return invalid_argument("DER: not a single string value");
  }
  int type = ASN1_TYPE_get(t.get());
  if (type != V_ASN1_IA5STRING && type != V_ASN1_UTF8STRING && type != V_ASN1_PRINTABLESTRING) {
    return invalid_argument("DER: expected IA5String, UTF8String or PrintableString");
  }
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, t->value.asn1_string);
  if (len < 0) {
    internal::clear_openssl_errors();
    return invalid_argument("DER: string is not valid for its type");
  }
  internal::UniqueOsslBuf owned(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
}

}  // namespace mpcc::crypto
