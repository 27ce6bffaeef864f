// Python's number formatting as accelerate's output uses it: convert_bytes (round(x, 2) + repr) and str.center.
#pragma once
#include <string>
#include <string_view>

namespace memfit {

// accelerate's convert_bytes: divide by 1024 while >= 1024; "{round(size, 2)} {unit}".
std::string convert_bytes(double size, bool py_int);
// Python's str.center(width) (pads with spaces, the extra space on the left when width is odd).
std::string py_center(std::string_view s, size_t width);
// Length in code points (Python's len for str).
size_t py_len(std::string_view utf8);
// Shortest exact decimal for a byte count: integers without a fraction, others with as many digits as needed.
std::string exact_number(double v);

}  // namespace memfit
