// Result<T>: a value or a non-ok Status, without exceptions or heap.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "bleota/status.hpp"

namespace bleota {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : status_(), has_value_(true) {  // NOLINT: implicit by design
    ::new (static_cast<void*>(&storage_)) T(value);
  }
  Result(T&& value) : status_(), has_value_(true) {  // NOLINT
    ::new (static_cast<void*>(&storage_)) T(std::move(value));
  }
  // An error. An ok status here is a programming error and is turned into kInternal.
  Result(Status status)  // NOLINT
      : status_(status.ok() ? Status(StatusCode::kInternal) : status), has_value_(false) {}
  Result(StatusCode code) : Result(Status(code)) {}  // NOLINT

  Result(const Result& other) : status_(other.status_), has_value_(other.has_value_) {
    if (has_value_) ::new (static_cast<void*>(&storage_)) T(other.ref());
  }
  Result(Result&& other) noexcept : status_(other.status_), has_value_(other.has_value_) {
    if (has_value_) ::new (static_cast<void*>(&storage_)) T(std::move(other.ref()));
  }
  Result& operator=(const Result& other) {
    if (this != &other) {
      Reset();
      status_ = other.status_;
      has_value_ = other.has_value_;
      if (has_value_) ::new (static_cast<void*>(&storage_)) T(other.ref());
    }
    return *this;
  }
  Result& operator=(Result&& other) noexcept {
    if (this != &other) {
      Reset();
      status_ = other.status_;
      has_value_ = other.has_value_;
      if (has_value_) ::new (static_cast<void*>(&storage_)) T(std::move(other.ref()));
    }
    return *this;
  }
  ~Result() { Reset(); }

  bool ok() const { return has_value_; }
  Status status() const { return status_; }

  // Precondition: ok(). Device code checks ok() first; there is nothing to throw.
  T& value() & { return ref(); }
  const T& value() const& { return ref(); }
  T&& value() && { return std::move(ref()); }
  T* operator->() { return &ref(); }
  const T* operator->() const { return &ref(); }
  T& operator*() & { return ref(); }
  const T& operator*() const& { return ref(); }

 private:
  T& ref() { return *std::launder(reinterpret_cast<T*>(&storage_)); }
  const T& ref() const { return *std::launder(reinterpret_cast<const T*>(&storage_)); }
  void Reset() {
    if (has_value_) ref().~T();
    has_value_ = false;
  }

  Status status_;
  bool has_value_;
  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace bleota
