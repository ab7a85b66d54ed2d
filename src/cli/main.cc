// objfs: one binary, several subcommands (replaced by the full CLI).
#include <cstdio>
int main() { std::puts("objfs " OBJFS_VERSION); return 0; }
