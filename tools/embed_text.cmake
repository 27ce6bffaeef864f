# Build-time script: wraps one text file (data/gpus.json) in a C++ source as a raw string literal.
# usage: cmake -DIN=FILE -DOUT=OUT.cpp -DSYMBOL=name -DHEADER=path.h -P tools/embed_text.cmake
file(READ ${IN} CONTENT)
string(FIND "${CONTENT}" ")embedded\"" CLASH)
if(NOT CLASH EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter")
endif()
# The text comes back as a string_view of known length, so that reading its start never scans (and pages in) the
# whole file the way strlen would.
file(WRITE ${OUT} "// Generated from ${IN} by tools/embed_text.cmake; do not edit.\n#include \"${HEADER}\"\n\nnamespace memfit {\n\nstd::string_view ${SYMBOL}() {\n  static constexpr char kText[] = R\"embedded(${CONTENT})embedded\";\n  return {kText, sizeof kText - 1};\n}\n\n}  // namespace memfit\n")
