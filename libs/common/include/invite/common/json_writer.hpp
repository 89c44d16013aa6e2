#pragma once
// A streaming JSON writer for the documents written on hot paths: the outbox rows of every invitation (the reply,
// the e-mail job, the domain event and their headers) and the records the gateway produces. Building an
// nlohmann tree first and dumping it cost the worker's thread more than a sixth of its time (docs/performance.md):
// here keys and values go straight into a buffer, in the order they are written. RapidJSON does the escaping and
// the numbers; it stays out of this header so that includers need not find it.
#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace invite::common {

// One document per writer: begin_object(), members, end_object(), then text(). Members are written in call order,
// which is the documents' documented key order. The structure is the caller's to get right (RapidJSON asserts it
// in builds with assertions).
class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;
  JsonWriter(JsonWriter&&) = delete;
  JsonWriter& operator=(JsonWriter&&) = delete;

  void begin_object();
  void begin_object(std::string_view name) {  // a member whose value is an object
    key(name);
    begin_object();
  }
  void end_object();
  void begin_array();
  void begin_array(std::string_view name) {
    key(name);
    begin_array();
  }
  void end_array();
  void key(std::string_view name);

  // Strings are written as UTF-8 (non-ASCII unescaped); invalid UTF-8 becomes U+FFFD exactly as nlohmann's dump
  // with error_handler_t::replace did, so a producer never throws nor writes a document no consumer can parse.
  void value(std::string_view text);
  void value(const std::string& text) { value(std::string_view(text)); }
  void value(const char* text) { value(std::string_view(text)); }
  // Integers and booleans only: enums are cast by the caller, which states the number the schema expects. A
  // template rather than overloads, so that a string literal never converts to bool and an int is never ambiguous.
  template <std::integral Number>
  void value(Number number) {
    if constexpr (std::is_same_v<Number, bool>) {
      boolean(number);
    } else if constexpr (std::is_signed_v<Number>) {
      signed_integer(number);
    } else {
      unsigned_integer(number);
    }
  }

  template <class Value>
  void member(std::string_view name, const Value& v) {
    key(name);
    value(v);
  }

  // The document written so far: complete once every object and array is closed.
  [[nodiscard]] std::string text() const;

 private:
  struct State;  // the buffer and RapidJSON's writer (json_writer.cpp)

  void boolean(bool flag);
  void signed_integer(std::int64_t number);
  void unsigned_integer(std::uint64_t number);

  State* state_;
  std::unique_ptr<State> own_;  // only while another writer of this thread holds the thread's buffer
};

}  // namespace invite::common
