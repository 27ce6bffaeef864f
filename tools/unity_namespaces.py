#!/usr/bin/env python3
"""Lets family and test files join the unity batches (CMake option MEMFIT_UNITY, see CMakeLists.txt).

A file joins a batch when everything it defines sits in one `namespace MEMFIT_TU { ... }` (src/core/file_scope.h):
empty in a normal build (the file's unnamed namespace), a name unique to the file inside a batch. This script turns
the single file-local `namespace {` of each family file (src/arch/transformers, src/arch/timm) and test file
(src/**/*_test.cpp, tests/*_test.cpp) into `namespace MEMFIT_TU {` where that is safe: one unnamed namespace that
holds everything after it, no file-scope `static` or `using namespace` before it, no `#define`. Other files are left
alone and CMake compiles them on their own. Idempotent; prints what it changed.

    python3 tools/unity_namespaces.py [REPO_ROOT]
"""
import glob
import re
import sys


def closing_brace(text, start):
    depth = 0
    for k in range(start, len(text)):
        if text[k] == '{':
            depth += 1
        elif text[k] == '}':
            depth -= 1
            if depth == 0:
                return k
    return -1


def convert(path, is_test):
    text = open(path).read()
    if 'namespace MEMFIT_TU {' in text or text.count('namespace {') != 1 or '#define' in text:
        return False
    at = text.index('namespace {')
    end = closing_brace(text, at)
    if end < 0:
        return False
    rest = re.sub(r'\s', '', re.sub(r'//.*', '', text[end + 1:]))
    if rest not in ('', '}', '}}') or re.search(r'^\s*(using namespace|static )', text[:at], re.M):
        return False
    text = text[:at] + 'namespace MEMFIT_TU {' + text[at + len('namespace {'):]
    if is_test and '#include "core/file_scope.h"' not in text:
        # tests need the empty default themselves (family files get it from arch/blocks.h and arch/registry.h)
        lines = text.split('\n')
        ns_line = text[:text.index('namespace MEMFIT_TU {')].count('\n')
        last = max(k for k, line in enumerate(lines[:ns_line]) if line.startswith('#include'))
        lines.insert(last + 1, '#include "core/file_scope.h"')
        text = '\n'.join(lines)
    open(path, 'w').write(text)
    return True


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    families = glob.glob(root + '/src/arch/transformers/*.cpp') + glob.glob(root + '/src/arch/timm/*.cpp')
    tests = glob.glob(root + '/src/**/*_test.cpp', recursive=True) + glob.glob(root + '/tests/*_test.cpp')
    for path in sorted(set(families) - set(tests)):
        if convert(path, False):
            print('converted', path)
    for path in sorted(tests):
        if convert(path, True):
            print('converted', path)


if __name__ == '__main__':
    main()
