// STUB until the training work lands.
#include "fit/training.h"

namespace memfit {

Result<TrainingTerms> training_terms(const BuiltModel&, const Json&, const TrainingOptions&) {
  return fail(ErrorKind::Unsupported, "training estimates are not implemented yet");
}

}  // namespace memfit
