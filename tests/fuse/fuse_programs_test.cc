// Real programs on a real objfs mount: cp -r, tar c and x, rsync -a, git, and
// sqlite3 (random writes inside one file). Every result is compared byte for
// byte with a local copy, also after a remount (so the bytes came from S3).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <sstream>

#include "fuse_harness.h"

namespace objfs::fusetest {
namespace {

void Ok(const RunResult& r, const std::string& what) {
  REQUIRE_MESSAGE(r.exit_code == 0, what, " exited ", r.exit_code, std::string(r.timed_out ? " (timed out)" : ""),
                  "\nstdout:\n", r.out, "\nstderr:\n", r.err);
}

std::string Q(const std::string& path) { return "'" + path + "'"; }

// A local tree with nested directories, empty files, small and multi-MiB files,
// a symlink and unusual (but valid) names.
std::string MakeLocalTree() {
  std::string root = NewDir("tree");
  std::mt19937_64 rng(77);
  for (const char* d : {"a", "a/b", "a/b/c", "empty-dir", "with space", "ünïcødé"}) {
    REQUIRE(mkdir((root + "/" + d).c_str(), 0755) == 0);
  }
  WriteFile(root + "/zero", "");
  WriteFile(root + "/a/small.txt", "small file\n");
  WriteFile(root + "/a/b/one-mib.bin", RandomBytes(1 << 20, rng()));
  WriteFile(root + "/a/b/c/big.bin", RandomBytes((6 << 20) + 3, rng()));
  WriteFile(root + "/with space/file name.txt", "spaces");
  WriteFile(root + "/ünïcødé/ファイル.txt", "unicode");
  for (int i = 0; i < 40; ++i) {
    WriteFile(root + "/a/f" + std::to_string(i), RandomBytes(rng() % 20000, rng()));
  }
  REQUIRE(symlink("a/small.txt", (root + "/link-to-small").c_str()) == 0);
  REQUIRE(chmod((root + "/a/small.txt").c_str(), 0600) == 0);
  return root;
}

using Fixture = MountedBucket;

TEST_CASE_FIXTURE(Fixture, "cp -r in and out") {
  std::string local = MakeLocalTree();
  Ok(Run({"cp", "-r", local, P("copy")}), "cp -r into the mount");
  Ok(Run({"diff", "-r", "--no-dereference", local, P("copy")}), "diff after cp -r");
  Remount();
  Ok(Run({"diff", "-r", "--no-dereference", local, P("copy")}), "diff after remount");
  std::string back = NewDir("back");
  Ok(Run({"cp", "-r", P("copy"), back + "/copy"}), "cp -r out of the mount");
  Ok(Run({"diff", "-r", "--no-dereference", local, back + "/copy"}), "diff of the copy out");
}

TEST_CASE_FIXTURE(Fixture, "tar c into the mount, tar x inside it, tar c from it") {
  std::string local = MakeLocalTree();
  Ok(Shell("tar cf " + Q(P("t.tar")) + " -C " + Q(local) + " ."), "tar c to the mount");
  std::string local_tar = NewDir("tar") + "/t.tar";
  Ok(Shell("tar cf " + Q(local_tar) + " -C " + Q(local) + " ."), "tar c locally");
  CHECK(ReadFile(P("t.tar")) == ReadFile(local_tar));
  REQUIRE(mkdir(P("x").c_str(), 0755) == 0);
  Ok(Run({"tar", "xpf", P("t.tar"), "-C", P("x")}), "tar x inside the mount");
  Ok(Run({"diff", "-r", "--no-dereference", local, P("x")}), "diff after tar x");
  // tar preserves modes and mtimes (whole seconds in its format): the mount
  // must report them back.
  const std::string listing = " && find . -type f -exec stat -c '%n %a %Y %s' {} + | sort";
  RunResult local_list = Shell("cd " + Q(local) + listing);
  RunResult mount_list = Shell("cd " + Q(P("x")) + listing);
  Ok(mount_list, "stat of the extracted files");
  CHECK(local_list.out == mount_list.out);
  Remount();
  Ok(Run({"diff", "-r", "--no-dereference", local, P("x")}), "diff after remount");
  std::string out = NewDir("out");
  Ok(Shell("tar cf - -C " + Q(P("x")) + " . | tar xf - -C " + Q(out)), "tar c from the mount");
  Ok(Run({"diff", "-r", "--no-dereference", local, out}), "diff of the tree read back by tar");
}

TEST_CASE_FIXTURE(Fixture, "rsync -a, then an incremental rsync that finds nothing to do") {
  std::string local = MakeLocalTree();
  Ok(Run({"rsync", "-a", local + "/", P("rs/")}), "rsync -a");
  Ok(Run({"diff", "-r", "--no-dereference", local, P("rs")}), "diff after rsync");
  Remount();
  // Sizes, mtimes, modes and links all came back as rsync set them.
  RunResult dry = Run({"rsync", "-a", "-n", "-i", local + "/", P("rs/")});
  Ok(dry, "rsync -a -n -i");
  CHECK_MESSAGE(dry.out.empty(), "rsync still sees differences after a remount:\n", dry.out);
  // Change a file locally and sync again (rsync writes a temp file and renames it).
  WriteFile(local + "/a/small.txt", "changed content\n");
  Ok(Run({"rsync", "-a", local + "/", P("rs/")}), "incremental rsync");
  CHECK(ReadFile(P("rs/a/small.txt")) == "changed content\n");
  Ok(Run({"rsync", "-a", "--delete", local + "/", P("rs/")}), "rsync --delete");
  Ok(Run({"diff", "-r", "--no-dereference", local, P("rs")}), "diff after the incremental rsync");
}

TEST_CASE_FIXTURE(Fixture, "git init, add, commit inside the mount; clone out of it") {
  RunOptions git_env;
  git_env.env = {{"GIT_AUTHOR_NAME", "objfs test"}, {"GIT_AUTHOR_EMAIL", "test@objfs.invalid"},
                 {"GIT_COMMITTER_NAME", "objfs test"}, {"GIT_COMMITTER_EMAIL", "test@objfs.invalid"},
                 {"HOME", NewDir("home")}, {"GIT_CONFIG_NOSYSTEM", "1"}};
  git_env.cwd = P("");
  Ok(Run({"git", "init", "-q", "repo"}, git_env), "git init");
  git_env.cwd = P("repo");
  std::string local = MakeLocalTree();
  Ok(Shell("cp -r " + Q(local) + "/. .", git_env), "populate the work tree");
  Ok(Run({"git", "add", "-A"}, git_env), "git add");
  Ok(Run({"git", "commit", "-q", "-m", "first"}, git_env), "git commit");
  WriteFile(P("repo/a/small.txt"), "second version\n");
  Ok(Run({"git", "commit", "-q", "-a", "-m", "second"}, git_env), "git commit -a");
  Ok(Run({"git", "fsck", "--strict"}, git_env), "git fsck");
  RunResult status = Run({"git", "status", "--porcelain"}, git_env);
  Ok(status, "git status");
  CHECK_MESSAGE(status.out.empty(), "work tree not clean:\n", status.out);
  Remount();
  git_env.cwd = P("repo");
  RunResult log = Run({"git", "log", "--format=%s"}, git_env);
  Ok(log, "git log after remount");
  CHECK(log.out == "second\nfirst\n");
  Ok(Run({"git", "fsck", "--strict"}, git_env), "git fsck after remount");
  std::string clone = NewDir("clone") + "/repo";
  RunOptions clone_env = git_env;
  clone_env.cwd = "";
  Ok(Run({"git", "clone", "-q", P("repo"), clone}, clone_env), "git clone from the mount");
  CHECK(ReadFile(clone + "/a/small.txt") == "second version\n");
  CHECK(ReadFile(clone + "/a/b/c/big.bin") == ReadFile(local + "/a/b/c/big.bin"));
}

TEST_CASE_FIXTURE(Fixture, "sqlite3 random writes give the same database as on a local disk") {
  // A deterministic script: tables, indexes, many transactions of inserts,
  // updates and deletes scattered over the file.
  std::ostringstream sql;
  sql << "PRAGMA page_size=4096;\nCREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, v BLOB);\n"
         "CREATE INDEX tk ON t(k);\n";
  std::mt19937_64 rng(99);
  int next_id = 1;
  for (int tx = 0; tx < 30; ++tx) {
    sql << "BEGIN;\n";
    for (int i = 0; i < 100; ++i) {
      int op = static_cast<int>(rng() % 10);
      if (op < 6 || next_id < 10) {
        sql << "INSERT INTO t VALUES(" << next_id++ << ", 'k" << rng() % 100000 << "', zeroblob(" << rng() % 3000
            << "));\n";
      } else if (op < 9) {
        sql << "UPDATE t SET k='u" << rng() % 1000 << "', v=zeroblob(" << rng() % 5000 << ") WHERE id="
            << 1 + rng() % static_cast<uint64_t>(next_id - 1) << ";\n";
      } else {
        sql << "DELETE FROM t WHERE id=" << 1 + rng() % static_cast<uint64_t>(next_id - 1) << ";\n";
      }
    }
    sql << "COMMIT;\n";
  }
  std::string local = NewDir("sqlite") + "/db.sqlite";
  RunOptions in;
  in.stdin_text = sql.str();
  Ok(Run({"sqlite3", local}, in), "sqlite3 on a local disk");
  Ok(Run({"sqlite3", P("db.sqlite")}, in), "sqlite3 on the mount");
  RunResult check = Run({"sqlite3", P("db.sqlite"), "PRAGMA integrity_check;"});
  Ok(check, "integrity_check");
  CHECK(check.out == "ok\n");
  RunResult dump_local = Run({"sqlite3", local, ".dump"});
  RunResult dump_mount = Run({"sqlite3", P("db.sqlite"), ".dump"});
  Ok(dump_mount, "sqlite3 .dump");
  CHECK(dump_local.out == dump_mount.out);
  // Same statements, same page size: the files are byte-identical.
  CHECK(ReadFile(local) == ReadFile(P("db.sqlite")));
  Remount();
  CHECK(ReadFile(local) == ReadFile(P("db.sqlite")));
  CHECK(GetObjectBody(bucket, "db.sqlite") == ReadFile(local));
  RunResult again = Run({"sqlite3", P("db.sqlite"), "PRAGMA integrity_check;"});
  CHECK(again.out == "ok\n");
}

}  // namespace
}  // namespace objfs::fusetest
