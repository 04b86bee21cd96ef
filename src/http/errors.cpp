// File: http/errors.cpp
//
// The Status -> HTTP mapping of errors.h and the OData error body.
#include "http/errors.h"

#include <stdexcept>
#include <utility>

namespace mpcc::http {

int http_status_for(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kCancelled:
    case StatusCode::kUnknown:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kOutOfRange:
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      return 500;
  }
  return 500;
}

std::string_view default_error_code(int http_status) {
  switch (http_status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 408: return "RequestTimeout";
    case 409: return "Conflict";
    case 411: return "LengthRequired";
    case 413: return "PayloadTooLarge";
    case 414: return "UriTooLong";
    case 415: return "UnsupportedMediaType";
    case 416: return "RangeNotSatisfiable";
    case 429: return "TooManyRequests";
    case 501: return "NotImplemented";
    case 503: return "ServiceUnavailable";
    default: break;
  }
  if (http_status >= 400 && http_status < 500) return "BadRequest";
  return "InternalError";
}

Response http_error_response(int http_status, std::string message,
                             std::optional<std::string> code,
                             std::optional<nlohmann::json> innererror) {
  if (http_status < 400 || http_status > 599) {
    throw std::logic_error("http: error response with status " + std::to_string(http_status));
  }
  nlohmann::json error = {
      {"code", code ? *code : std::string(default_error_code(http_status))},
      {"message", std::move(message)},
  };
  if (innererror) error["innererror"] = std::move(*innererror);
  Response r;
  r.status = http_status;
  // Messages may quote client input; invalid UTF-8 is replaced, not thrown on.
  r.body = nlohmann::json{{"error", std::move(error)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response error_response(const Status& status, std::optional<std::string> code,
                        std::optional<nlohmann::json> innererror) {
  if (status.ok()) throw std::logic_error("http: error_response() with an OK status");
  return http_error_response(http_status_for(status.code()), status.message(), std::move(code),
                             std::move(innererror));
}

}  // namespace mpcc::http
