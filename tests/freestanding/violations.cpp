// Deliberately not freestanding: heap, new/delete, exceptions, RTTI and stdio. The
// freestanding.detects_violations test links it like the probe and expects
// scripts/check-freestanding to reject it, so the check itself is known to work.
#include <cstdio>
#include <cstdlib>

namespace {
struct Base {
  virtual ~Base() = default;
};
struct Derived : Base {};
}  // namespace

int main(int argc, char**) {
  void* block = std::malloc(static_cast<size_t>(argc));
  std::printf("%p\n", block);
  Base* object = new Derived;
  if (dynamic_cast<Derived*>(object) != nullptr) std::puts("derived");
  try {
    if (argc > 3) throw argc;
  } catch (int) {
    std::abort();
  }
  delete object;
  std::free(block);
  return 0;
}
