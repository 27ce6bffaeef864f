#pragma once
// MEMFIT_TU names a source file's own namespace (`namespace MEMFIT_TU { ... }` holds everything a family file or a
// test file defines). In a normal build it is empty, so the namespace is the file's unnamed one; when CMake compiles
// such files in unity batches (MEMFIT_UNITY) it defines MEMFIT_TU to a name unique to each file, so that two files'
// helpers of the same name stay apart inside one batch.
#ifndef MEMFIT_TU
#define MEMFIT_TU
#endif
