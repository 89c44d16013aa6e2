#include "invite/common/json_writer.hpp"

// RAPIDJSON_SSE2/SSE42 (16 bytes at a time when copying strings) stay off: on these documents' short strings (ids,
// e-mails, names) they measured slower than the plain loop.
#include <rapidjson/encodings.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cassert>
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>

namespace invite::common {

struct JsonWriter::State {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
  bool busy = false;
};

namespace {

// A thread's buffer keeps the capacity of its largest document, so that steady traffic writes without growing
// it; past this size (a reply listing thousands of users) it is given back after the document instead.
constexpr std::size_t kKeptCapacity = std::size_t{1} << 20;

// A view as a RapidJSON input stream that ends where the view ends: past the end it yields NUL, which no UTF-8
// sequence continues with, so a sequence cut off by the end is invalid rather than read on into foreign memory.
class ViewStream {
 public:
  using Ch = char;
  explicit ViewStream(std::string_view text) : text_(text) {}
  Ch Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  Ch Take() { return pos_ < text_.size() ? text_[pos_++] : '\0'; }
  std::size_t Tell() const { return pos_; }
  bool done() const { return pos_ >= text_.size(); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

struct Discard {
  void Put(char /*unused*/) {}
};

bool is_utf8(std::string_view text) {
  std::size_t first = 0;  // most values (ids, e-mails, times, names of enums) are ASCII: no decoding for them
  while (first < text.size() && (static_cast<unsigned char>(text[first]) & 0x80U) == 0) ++first;
  if (first == text.size()) return true;
  ViewStream in(text.substr(first));
  Discard out;
  while (!in.done()) {
    if (!rapidjson::UTF8<>::Validate(in, out)) return false;
  }
  return true;
}

// RapidJSON can only refuse invalid UTF-8, not replace it; nlohmann replaces each maximal invalid subsequence with
// U+FFFD. Its dump and parse back give the text the tree-building encoders wrote, on a path valid input (all of it
// in practice: every value was parsed from JSON or a checked request) never takes.
std::string replace_invalid_utf8(std::string_view text) {
  const auto quoted = nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

rapidjson::SizeType length_of(std::string_view text) {
  // RapidJSON counts in 32 bits; no record comes near (Kafka's limits are megabytes).
  assert(text.size() <= std::numeric_limits<rapidjson::SizeType>::max());
  return static_cast<rapidjson::SizeType>(text.size());
}

// RapidJSON asserts on a null pointer even with length 0, which an empty string_view may hold.
const char* data_of(std::string_view text) { return text.data() != nullptr ? text.data() : ""; }

}  // namespace

JsonWriter::JsonWriter() {
  // One buffer per thread, cleared per document: the rows of one request are written one after the other, so
  // after the first document a row costs no allocation but its final std::string. A writer made while another of
  // the same thread is still open (nothing does that today) gets a buffer of its own instead of corrupting that one.
  thread_local State shared;
  if (shared.busy) {
    own_ = std::make_unique<State>();
    state_ = own_.get();
  } else {
    state_ = &shared;
  }
  state_->busy = true;
  state_->buffer.Clear();
  state_->writer.Reset(state_->buffer);
}

JsonWriter::~JsonWriter() {
  state_->busy = false;
  if (state_->buffer.GetSize() > kKeptCapacity) {
    state_->buffer.Clear();
    state_->buffer.ShrinkToFit();
  }
}

void JsonWriter::begin_object() { state_->writer.StartObject(); }
void JsonWriter::end_object() { state_->writer.EndObject(); }
void JsonWriter::begin_array() { state_->writer.StartArray(); }
void JsonWriter::end_array() { state_->writer.EndArray(); }

void JsonWriter::key(std::string_view name) {
  if (is_utf8(name)) {
    state_->writer.Key(data_of(name), length_of(name));
  } else {
    const auto repaired = replace_invalid_utf8(name);
    state_->writer.Key(repaired.data(), length_of(repaired));
  }
}

void JsonWriter::value(std::string_view text) {
  if (is_utf8(text)) {
    state_->writer.String(data_of(text), length_of(text));
  } else {
    const auto repaired = replace_invalid_utf8(text);
    state_->writer.String(repaired.data(), length_of(repaired));
  }
}

void JsonWriter::boolean(bool flag) { state_->writer.Bool(flag); }
void JsonWriter::signed_integer(std::int64_t number) { state_->writer.Int64(number); }
void JsonWriter::unsigned_integer(std::uint64_t number) { state_->writer.Uint64(number); }

std::string JsonWriter::text() const { return {state_->buffer.GetString(), state_->buffer.GetSize()}; }

}  // namespace invite::common
