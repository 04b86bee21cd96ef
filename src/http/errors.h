// File: http/errors.h
//
// The one Status -> HTTP mapping (google.rpc's): kInvalidArgument and
// kFailedPrecondition 400, kUnauthenticated 401, kPermissionDenied 403,
// kNotFound 404, kAlreadyExists and kAborted 409, kResourceExhausted 429,
// kUnimplemented 501, kUnavailable 503, anything else 500.
// The body is OData-shaped, as Azure's services answer:
//   {"error": {"code": "<code>", "message": "<message>"}}
// with `code` from a closed list, chosen by the service (Azure Key Vault uses
// "BadParameter", "Unauthorized", "Forbidden", "KeyNotFound"...), or the
// default per status code ("BadRequest", "Unauthorized", "Forbidden",
// "NotFound", "Conflict", "TooManyRequests", "NotImplemented",
// "ServiceUnavailable", "InternalError"; and for the statuses the server
// itself produces: 405 "MethodNotAllowed", 408 "RequestTimeout",
// 411 "LengthRequired", 413 "PayloadTooLarge", 414 "UriTooLong",
// 415 "UnsupportedMediaType", 416 "RangeNotSatisfiable"; any other 4xx
// "BadRequest", any other status "InternalError").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/server.h"

namespace mpcc::http {

// The mapping above (kOk gives 200).
int http_status_for(StatusCode code);
std::string_view default_error_code(int http_status);

// {"error":{"code":..., "message": status.message()}}, plus "innererror" when given.
// An OK status is a caller bug: throws std::logic_error.
Response error_response(const Status& status, std::optional<std::string> code = std::nullopt,
                        std::optional<nlohmann::json> innererror = std::nullopt);

// The same body for an HTTP status chosen directly (405, 413, ... which have
// no StatusCode); `code` defaults to default_error_code(http_status). Statuses
// outside 400..599 throw std::logic_error. Invalid UTF-8 in `message` is
// replaced by U+FFFD rather than failing.
Response http_error_response(int http_status, std::string message,
                             std::optional<std::string> code = std::nullopt,
                             std::optional<nlohmann::json> innererror = std::nullopt);

}  // namespace mpcc::http
