#include "fs/fs_core.h"

#include <cerrno>

#include "fs/fs_core_impl.h"

namespace objfs::fs {

FsCore::FsCore(FsConfig config, std::shared_ptr<s3::ObjectClient> client)
    : impl_(std::make_unique<FsCoreImpl>(std::move(config), std::move(client))) {}
FsCore::~FsCore() = default;

Status FsCore::Init() { return impl_->Init(); }
Status FsCore::SyncAll() { return impl_->SyncAll(); }
FsStats FsCore::Stats() const { return impl_->Stats(); }
void FsCore::SetCapacity(uint64_t capacity_bytes) { impl_->SetCapacity(capacity_bytes); }
const FsConfig& FsCore::config() const { return impl_->config(); }

ErrnoOr<Entry> FsCore::Lookup(uint64_t parent, std::string_view name) { return impl_->Lookup(parent, name); }
void FsCore::Forget(uint64_t ino, uint64_t nlookup) { impl_->Forget(ino, nlookup); }
void FsCore::ForgetMulti(std::span<const std::pair<uint64_t, uint64_t>> items) {
  for (const auto& [ino, n] : items) impl_->Forget(ino, n);
}
ErrnoOr<AttrReply> FsCore::GetAttr(uint64_t ino) { return impl_->GetAttr(ino); }
ErrnoOr<AttrReply> FsCore::SetAttr(uint64_t ino, const SetAttrRequest& request, std::optional<uint64_t> fh,
                                   const RequestContext&) {
  return impl_->SetAttr(ino, request, fh);
}
ErrnoOr<std::string> FsCore::ReadLink(uint64_t ino) { return impl_->ReadLink(ino); }
ErrnoOr<Entry> FsCore::Mknod(uint64_t parent, std::string_view name, mode_t mode, dev_t,
                             const RequestContext& ctx) {
  return impl_->Mknod(parent, name, mode, ctx);
}
ErrnoOr<Entry> FsCore::Mkdir(uint64_t parent, std::string_view name, mode_t mode, const RequestContext& ctx) {
  return impl_->Mkdir(parent, name, mode, ctx);
}
ErrnoStatus FsCore::Unlink(uint64_t parent, std::string_view name) { return impl_->Unlink(parent, name); }
ErrnoStatus FsCore::Rmdir(uint64_t parent, std::string_view name) { return impl_->Rmdir(parent, name); }
ErrnoOr<Entry> FsCore::Symlink(std::string_view target, uint64_t parent, std::string_view name,
                               const RequestContext& ctx) {
  return impl_->Symlink(target, parent, name, ctx);
}
ErrnoStatus FsCore::Rename(uint64_t parent, std::string_view name, uint64_t new_parent, std::string_view new_name,
                           unsigned flags) {
  return impl_->Rename(parent, name, new_parent, new_name, flags);
}
ErrnoOr<Entry> FsCore::Link(uint64_t, uint64_t, std::string_view) { return ErrnoOr<Entry>::Error(EPERM); }

ErrnoOr<OpenReply> FsCore::Open(uint64_t ino, int flags) { return impl_->Open(ino, flags); }
ErrnoOr<CreateReply> FsCore::Create(uint64_t parent, std::string_view name, mode_t mode, int flags,
                                    const RequestContext& ctx) {
  return impl_->Create(parent, name, mode, flags, ctx);
}
ErrnoOr<size_t> FsCore::Read(uint64_t ino, uint64_t fh, uint64_t offset, std::span<char> out) {
  return impl_->Read(ino, fh, offset, out);
}

ErrnoOr<size_t> FsCore::ReadSlices(uint64_t ino, uint64_t fh, uint64_t offset, size_t size,
                                   std::vector<ReadSlice>* slices) {
  return impl_->ReadSlices(ino, fh, offset, size, slices);
}
ErrnoOr<size_t> FsCore::Write(uint64_t ino, uint64_t fh, uint64_t offset, std::span<const char> data) {
  return impl_->Write(ino, fh, offset, data);
}
ErrnoStatus FsCore::Flush(uint64_t ino, uint64_t fh) { return impl_->Flush(ino, fh); }
ErrnoStatus FsCore::Fsync(uint64_t ino, uint64_t fh, bool) { return impl_->Flush(ino, fh); }
ErrnoStatus FsCore::Release(uint64_t ino, uint64_t fh) { return impl_->Release(ino, fh); }

ErrnoOr<uint64_t> FsCore::OpenDir(uint64_t ino) { return impl_->OpenDir(ino); }
ErrnoStatus FsCore::ReadDir(uint64_t ino, uint64_t dh, uint64_t offset, const DirFiller& filler) {
  return impl_->ReadDir(ino, dh, offset, filler, false);
}
ErrnoStatus FsCore::ReadDirPlus(uint64_t ino, uint64_t dh, uint64_t offset, const DirFiller& filler) {
  return impl_->ReadDir(ino, dh, offset, filler, true);
}
ErrnoStatus FsCore::ReleaseDir(uint64_t, uint64_t dh) { return impl_->ReleaseDir(dh); }
ErrnoStatus FsCore::FsyncDir(uint64_t, uint64_t) { return ErrnoStatus::Ok(); }
ErrnoOr<struct statvfs> FsCore::StatFs(uint64_t) { return impl_->StatFs(); }

}  // namespace objfs::fs
