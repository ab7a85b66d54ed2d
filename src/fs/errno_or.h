// ErrnoOr<T>: the result type of every FsCore operation — a value, or a
// positive errno (ENOENT, EIO, ...) that the FUSE adapter replies with as is.
//
// FsCore works with Status internally and turns a Status into an errno in one
// place only (fs/errno_map.h); ErrnoOr is what crosses into the adapter.
//
// Thread-safety: a value type.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

namespace objfs::fs {

template <typename T>
class [[nodiscard]] ErrnoOr {
 public:
  ErrnoOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // A positive errno.
  static ErrnoOr Error(int err) {
    assert(err > 0);
    return ErrnoOr(ErrTag{}, err);
  }

  bool ok() const { return value_.has_value(); }
  int error() const { return err_; }  // 0 when ok()

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  struct ErrTag {};
  ErrnoOr(ErrTag, int err) : err_(err) {}
  std::optional<T> value_;
  int err_ = 0;
};

// Operations without a value: 0 on success, else a positive errno.
template <>
class [[nodiscard]] ErrnoOr<void> {
 public:
  ErrnoOr() = default;
  static ErrnoOr Error(int err) {
    assert(err > 0);
    ErrnoOr r;
    r.err_ = err;
    return r;
  }
  static ErrnoOr Ok() { return ErrnoOr(); }
  bool ok() const { return err_ == 0; }
  int error() const { return err_; }

 private:
  int err_ = 0;
};

using ErrnoStatus = ErrnoOr<void>;

}  // namespace objfs::fs
