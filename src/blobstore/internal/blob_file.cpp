// File: blobstore/internal/blob_file.cpp
#include "blobstore/internal/blob_file.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "blobstore/internal/percent_encoding.h"
#include "blobstore/internal/posix_file.h"
#include "crypto/hash.h"

namespace mpcc::blobstore::internal {

namespace {

constexpr std::string_view kMagic = "mpcc-blob/1 ";
constexpr std::size_t kMaxEncodedFileName = 200;
constexpr std::size_t kFirstLineMax = 32;
constexpr std::size_t kMaxHeaderBytes = 1u << 20;

Status corrupt(const std::filesystem::path& path, std::string_view why) {
  return data_loss(fmt::format("blob file {} is corrupt: {}", path.string(), why));
}

bool is_hex_digest(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

StatusOr<BlobProperties> parse_header(std::string_view text, const std::filesystem::path& path) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    BlobProperties p;
    p.name = j.at("name").get<std::string>();
    p.etag = j.at("etag").get<std::string>();
    p.size = j.at("size").get<std::uint64_t>();
    p.content_type = j.at("content_type").get<std::string>();
    p.last_modified = j.at("last_modified").get<std::string>();
    p.metadata = j.at("metadata").get<std::map<std::string, std::string>>();
    return p;
  } catch (const nlohmann::json::exception& e) {
    return corrupt(path, fmt::format("bad header: {}", e.what()));
  }
}

}  // namespace

std::string blob_file_name(std::string_view blob_name) {
  std::string encoded = percent_encode(blob_name, KeepSet::kFileName);
  if (encoded.size() <= kMaxEncodedFileName) return encoded;
  return "~" + hex_encode(crypto::sha256(blob_name));
}

ClassifiedFile classify_file_name(std::string_view file_name) {
  ClassifiedFile out;
  if (file_name.empty() || file_name.front() == '.') return out;
  if (file_name.front() == '~') {
    if (is_hex_digest(file_name.substr(1))) out.kind = BlobFileKind::kHashed;
    return out;
  }
  StatusOr<std::string> name = percent_decode(file_name);
  // Only the canonical spelling counts, so one blob has one file.
  if (!name.ok() || blob_file_name(*name) != file_name) return out;
  out.kind = BlobFileKind::kNamed;
  out.blob_name = std::move(name).value();
  return out;
}

std::string encode_blob_head(const BlobProperties& properties) {
  const nlohmann::json j = {{"name", properties.name},
                            {"etag", properties.etag},
                            {"size", properties.size},
                            {"content_type", properties.content_type},
                            {"last_modified", properties.last_modified},
                            {"metadata", properties.metadata}};
  const std::string header = j.dump();
  return fmt::format("{}{}\n{}", kMagic, header.size(), header);
}

StatusOr<BlobHead> read_blob_head(int fd, const std::filesystem::path& path) {
  MPCC_ASSIGN_OR_RETURN(std::uint64_t total, file_size(fd, path));
  MPCC_ASSIGN_OR_RETURN(std::string first, read_at(fd, 0, kFirstLineMax, path));
  const std::size_t newline = first.find('\n');
  if (!first.starts_with(kMagic) || newline == std::string::npos) {
    return corrupt(path, "no mpcc-blob/1 header line");
  }
  std::size_t header_size = 0;
  const char* begin = first.data() + kMagic.size();
  const char* end = first.data() + newline;
  auto [ptr, ec] = std::from_chars(begin, end, header_size);
  if (ec != std::errc() || ptr != end || header_size > kMaxHeaderBytes) {
    return corrupt(path, "bad header length");
  }
  MPCC_ASSIGN_OR_RETURN(std::string header, read_at(fd, newline + 1, header_size, path));
  if (header.size() != header_size) return corrupt(path, "truncated header");
  MPCC_ASSIGN_OR_RETURN(BlobProperties properties, parse_header(header, path));
  BlobHead head;
  head.data_offset = newline + 1 + header_size;
  if (total < head.data_offset || total - head.data_offset != properties.size) {
    return corrupt(path, fmt::format("{} data bytes, header says {}",
                                     total < head.data_offset ? 0 : total - head.data_offset,
                                     properties.size));
  }
  head.properties = std::move(properties);
  return head;
}

StatusOr<Blob> read_blob(int fd, const std::filesystem::path& path) {
  MPCC_ASSIGN_OR_RETURN(BlobHead head, read_blob_head(fd, path));
  Blob blob;
  MPCC_ASSIGN_OR_RETURN(blob.data, read_at(fd, head.data_offset, head.properties.size, path));
  if (blob.data.size() != head.properties.size) return corrupt(path, "truncated data");
  blob.properties = std::move(head.properties);
  return blob;
}

}  // namespace mpcc::blobstore::internal
