#include "fs/dir_listing.h"

#include <algorithm>

#include "base/log.h"
#include "fs/name_filter.h"

namespace objfs::fs {
namespace {

constexpr std::string_view kOldDirSuffix = "_$folder$";

}  // namespace

Result<std::shared_ptr<const DirListing>> DirListing::Fetch(s3::ObjectClient& client, const std::string& bucket,
                                                            const std::string& dir_key, size_t max_pages) {
  std::shared_ptr<DirListing> listing(new DirListing());
  const Clock::time_point started = Clock::now();
  s3::ListRequest request;
  request.prefix = dir_key;
  request.delimiter = "/";
  request.max_keys = 1000;
  for (;;) {
    Result<s3::ListPage> page = client.ListObjects(bucket, request);
    if (!page.ok()) {
      Status s = page.status();
      s.Annotate("ListObjects " + bucket + "/" + dir_key);
      return s;
    }
    for (s3::ListedObject& obj : page->objects) {
      std::string_view rest = std::string_view(obj.key).substr(dir_key.size());
      if (rest.empty()) {  // the directory's own marker
        listing->has_marker_ = true;
        listing->marker_etag_ = obj.etag;
        listing->marker_last_modified_ = obj.last_modified;
        continue;
      }
      DirListingEntry e;
      e.kind = ObjectKind::kFile;
      if (rest.size() > kOldDirSuffix.size() && rest.ends_with(kOldDirSuffix)) {
        rest.remove_suffix(kOldDirSuffix.size());
        e.kind = ObjectKind::kDir;
      }
      if (!IsValidName(rest)) {
        LOG_WARN("skipping key that cannot be a file name: " << bucket << "/" << obj.key);
        continue;
      }
      e.name = std::string(rest);
      if (e.kind == ObjectKind::kFile) {
        e.size = obj.size;
        e.etag = std::move(obj.etag);
      }
      e.last_modified = obj.last_modified;
      listing->entries_.push_back(std::move(e));
    }
    for (const std::string& cp : page->common_prefixes) {
      std::string_view rest = std::string_view(cp).substr(dir_key.size());
      if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
      if (!IsValidName(rest)) {
        LOG_WARN("skipping prefix that cannot be a directory name: " << bucket << "/" << cp);
        continue;
      }
      DirListingEntry e;
      e.name = std::string(rest);
      e.kind = ObjectKind::kDir;
      listing->entries_.push_back(std::move(e));
    }
    if (!page->truncated || page->next_continuation_token.empty()) break;
    if (--max_pages == 0) {
      listing->complete_ = false;
      break;
    }
    request.continuation_token = page->next_continuation_token;
  }
  listing->SortAndDedupe();
  listing->fetched_at_ = started;  // the listing may miss changes made after this
  return std::shared_ptr<const DirListing>(std::move(listing));
}

std::shared_ptr<const DirListing> DirListing::FromEntries(std::vector<DirListingEntry> entries,
                                                          Clock::time_point fetched_at) {
  std::shared_ptr<DirListing> listing(new DirListing());
  listing->entries_ = std::move(entries);
  listing->fetched_at_ = fetched_at;
  listing->SortAndDedupe();
  return listing;
}

void DirListing::SortAndDedupe() {
  // Directories sort before files of the same name, so the first of a run of
  // equal names is the one kept.
  std::sort(entries_.begin(), entries_.end(), [](const DirListingEntry& a, const DirListingEntry& b) {
    if (a.name != b.name) return a.name < b.name;
    return a.kind == ObjectKind::kDir && b.kind != ObjectKind::kDir;
  });
  auto out = entries_.begin();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (out != entries_.begin() && (out - 1)->name == it->name) {
      if (it->kind == ObjectKind::kFile) {
        LOG_WARN("file '" << it->name << "' is hidden by a directory of the same name");
      }
      continue;
    }
    if (out != it) *out = std::move(*it);
    ++out;
  }
  entries_.erase(out, entries_.end());
  entries_.shrink_to_fit();
}

const DirListingEntry* DirListing::Find(std::string_view name) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const DirListingEntry& e, std::string_view n) { return e.name < n; });
  if (it == entries_.end() || it->name != name) return nullptr;
  return &*it;
}

}  // namespace objfs::fs
