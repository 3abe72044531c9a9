#include "common/page_token.h"

#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "openssl/crypto.h"
#include "openssl/evp.h"
#include "openssl/hmac.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace sip {
namespace {

constexpr size_t kMacBytes = 16;  // HMAC-SHA256 truncated to 128 bits

struct Secret {
  std::mutex mu;  // not absl::Mutex: visible to ThreadSanitizer with Debian's Abseil
  std::string key ABSL_GUARDED_BY(mu);
};

Secret& TheSecret() {
  static Secret* const secret = [] {
    auto* s = new Secret;
    std::string key(32, '\0');
    absl::BitGen gen;
    for (char& c : key) c = static_cast<char>(absl::Uniform<unsigned>(gen, 0, 256));
    s->key = std::move(key);
    return s;
  }();
  return *secret;
}

std::string Mac(absl::string_view query, absl::string_view body) {
  std::string key;
  {
    Secret& secret = TheSecret();
    std::lock_guard<std::mutex> lock(secret.mu);
    key = secret.key;
  }
  // The query and the body are separated by a byte neither contains.
  const std::string message = absl::StrCat(query, std::string(1, '\0'), body);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &out_len);
  return std::string(reinterpret_cast<const char*>(out), kMacBytes);
}

absl::Status BadToken() {
  return InvalidField("page_token",
                      "is not a token this list returned for this query; pass the "
                      "previous response's next_page_token unchanged with the same "
                      "filters, or leave it empty for the first page");
}

}  // namespace

void SetPageTokenSecret(absl::string_view secret) {
  Secret& s = TheSecret();
  std::lock_guard<std::mutex> lock(s.mu);
  s.key = std::string(secret);
}

std::string EncodePageToken(const PageCursor& cursor, absl::string_view query) {
  const std::string body = absl::StrCat("2|", absl::ToUnixMicros(cursor.time), "|", cursor.id);
  return absl::WebSafeBase64Escape(absl::StrCat(Mac(query, body), body));
}

absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token, absl::string_view query) {
  std::string raw;
  if (token.size() > 512 || !absl::WebSafeBase64Unescape(token, &raw) ||
      raw.size() <= kMacBytes) {
    return BadToken();
  }
  const std::string mac = raw.substr(0, kMacBytes);
  const std::string body = raw.substr(kMacBytes);
  if (CRYPTO_memcmp(mac.data(), Mac(query, body).data(), kMacBytes) != 0) return BadToken();
  std::vector<std::string> parts = absl::StrSplit(body, absl::MaxSplits('|', 2));
  int64_t micros = 0;
  if (parts.size() != 3 || parts[0] != "2" || !absl::SimpleAtoi(parts[1], &micros)) {
    return BadToken();
  }
  return PageCursor{absl::FromUnixMicros(micros), parts[2]};
}

absl::StatusOr<int> EffectivePageSize(int32_t requested, int default_size, int max) {
  if (requested < 0) {
    return InvalidField("page_size", absl::StrCat("must not be negative; 0 means the default ",
                                                  default_size, ", at most ", max));
  }
  if (requested == 0) return default_size;
  return requested > max ? max : static_cast<int>(requested);
}

absl::StatusOr<std::optional<PageCursor>> CursorFromToken(absl::string_view token,
                                                          absl::string_view query) {
  if (token.empty()) return std::optional<PageCursor>();
  absl::StatusOr<PageCursor> cursor = DecodePageToken(token, query);
  if (!cursor.ok()) return cursor.status();
  return std::optional<PageCursor>(*std::move(cursor));
}

std::string TokenFromCursor(const std::optional<PageCursor>& next, absl::string_view query) {
  return next ? EncodePageToken(*next, query) : std::string();
}

std::string PageQueryOf(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> query(request.New());
  query->CopyFrom(request);
  const google::protobuf::Descriptor* type = query->GetDescriptor();
  for (const char* paging : {"page_token", "page_size"}) {
    if (const auto* field = type->FindFieldByName(paging)) {
      query->GetReflection()->ClearField(query.get(), field);
    }
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    query->SerializeToCodedStream(&coded);
  }
  return absl::StrCat(type->full_name(), "|", bytes);
}

}  // namespace sip
