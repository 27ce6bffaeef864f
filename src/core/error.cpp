#include "core/error.h"

namespace memfit {

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Usage: return 2;
    case ErrorKind::NotFound: return 3;
    case ErrorKind::BadInput: return 4;
    case ErrorKind::Unsupported: return 5;
    case ErrorKind::Network: return 6;
    case ErrorKind::Auth: return 7;
    case ErrorKind::Internal: return 1;
  }
  return 1;
}

}  // namespace memfit
