// File: blobstore/internal/list_xml.h
//
// Reads Azure's List Blobs answer (EnumerationResults XML, spec Part B4)
// with tinyxml2: each Blob's Name (decoded when Encoded="true"), Etag,
// Content-Length, Content-Type, Last-Modified and Metadata, and NextMarker.
//
//   MPCC_ASSIGN_OR_RETURN(ListPage page, parse_list_blobs_xml(response.body));
//
// Errors: kInternal "List Blobs answer: ..." when the XML is malformed or
// lacks a required element.
//
// Thread-safety: pure function.
#pragma once

#include <string_view>

#include "blobstore/blob_store.h"
#include "common/status.h"

namespace mpcc::blobstore::internal {

StatusOr<ListPage> parse_list_blobs_xml(std::string_view xml);

}  // namespace mpcc::blobstore::internal
