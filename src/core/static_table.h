// A table the linker gathers from every source file, with no code run at start-up: each entry is a constant object
// (constinit) plus a pointer to it placed in a named ELF section; the linker concatenates the sections and defines
// __start_<section> / __stop_<section> around them. The families' registrations use it (arch/registry.h), so that
// a run pays nothing for the ~500 families it does not build: no constructors, no heap, no pages touched.
#pragma once
#include <span>

// Declares table `sec` of `const T*` (at namespace scope, once per table). Weak, so an empty table is an empty span;
// hidden, so a shared object that links the same sources (memfit-serve.so) reads its own copy.
#define MEMFIT_STATIC_TABLE(sec, T)                                                         \
  extern "C" [[gnu::weak, gnu::visibility("hidden")]] const T* const __start_##sec[];      \
  extern "C" [[gnu::weak, gnu::visibility("hidden")]] const T* const __stop_##sec[];       \
  inline std::span<const T* const> sec##_table() {                                        \
    return __start_##sec ? std::span<const T* const>(__start_##sec, __stop_##sec)          \
                         : std::span<const T* const>();                                   \
  }

// Adds one constant entry of type T to table `sec`, initialised from the remaining arguments; `id` makes the
// names unique within a file.
#define MEMFIT_STATIC_TABLE_ENTRY(sec, T, id, ...) MEMFIT_STATIC_TABLE_ENTRY_(sec, T, id, __VA_ARGS__)
#define MEMFIT_STATIC_TABLE_ENTRY_(sec, T, id, ...)                                                  \
  constinit static const T memfit_entry_##id{__VA_ARGS__};                                          \
  [[gnu::used, gnu::section(#sec)]] constinit static const T* const memfit_entry_ptr_##id = &memfit_entry_##id
