// File: blobstore/internal/list_xml.cpp
#include "blobstore/internal/list_xml.h"

#include <fmt/format.h>
#include <tinyxml2.h>

#include <charconv>
#include <cstring>

#include "blobstore/blob_rules.h"
#include "blobstore/internal/ascii.h"
#include "blobstore/internal/percent_encoding.h"

namespace mpcc::blobstore::internal {

namespace {

Status malformed(std::string_view why) {
  return internal_error(fmt::format("List Blobs answer: {}", why));
}

// Text of a child element ("" when the element is empty or absent).
std::string child_text(const tinyxml2::XMLElement* parent, const char* name) {
  const tinyxml2::XMLElement* e = parent == nullptr ? nullptr : parent->FirstChildElement(name);
  const char* text = e == nullptr ? nullptr : e->GetText();
  return text == nullptr ? std::string() : std::string(text);
}

StatusOr<BlobProperties> parse_blob(const tinyxml2::XMLElement* blob) {
  BlobProperties p;
  const tinyxml2::XMLElement* name = blob->FirstChildElement("Name");
  if (name == nullptr) return malformed("a Blob without Name");
  p.name = name->GetText() == nullptr ? std::string() : std::string(name->GetText());
  if (name->BoolAttribute("Encoded", false)) {
    StatusOr<std::string> decoded = percent_decode(p.name);
    if (!decoded.ok()) return malformed("an Encoded Name that is not percent-encoded");
    p.name = std::move(decoded).value();
  }
  const tinyxml2::XMLElement* props = blob->FirstChildElement("Properties");
  if (props == nullptr) return malformed("a Blob without Properties");
  p.etag = normalize_etag(child_text(props, "Etag"));
  p.content_type = child_text(props, "Content-Type");
  p.last_modified = child_text(props, "Last-Modified");
  const std::string length = child_text(props, "Content-Length");
  auto [ptr, ec] = std::from_chars(length.data(), length.data() + length.size(), p.size);
  if (ec != std::errc() || ptr != length.data() + length.size()) {
    return malformed("a Blob with a bad Content-Length");
  }
  const tinyxml2::XMLElement* metadata = blob->FirstChildElement("Metadata");
  for (const tinyxml2::XMLElement* m = metadata == nullptr ? nullptr
                                                           : metadata->FirstChildElement();
       m != nullptr; m = m->NextSiblingElement()) {
    p.metadata[ascii_lower(m->Name())] = m->GetText() == nullptr ? std::string() : m->GetText();
  }
  return p;
}

}  // namespace

StatusOr<ListPage> parse_list_blobs_xml(std::string_view xml) {
  tinyxml2::XMLDocument doc(true, tinyxml2::PRESERVE_WHITESPACE);
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    return malformed(fmt::format("not XML ({})", doc.ErrorStr()));
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (root == nullptr || std::strcmp(root->Name(), "EnumerationResults") != 0) {
    return malformed("no EnumerationResults element");
  }
  ListPage page;
  const tinyxml2::XMLElement* blobs = root->FirstChildElement("Blobs");
  for (const tinyxml2::XMLElement* b = blobs == nullptr ? nullptr
                                                        : blobs->FirstChildElement("Blob");
       b != nullptr; b = b->NextSiblingElement("Blob")) {
    MPCC_ASSIGN_OR_RETURN(BlobProperties p, parse_blob(b));
    page.blobs.push_back(std::move(p));
  }
  page.next_marker = child_text(root, "NextMarker");
  return page;
}

}  // namespace mpcc::blobstore::internal
