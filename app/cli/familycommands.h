#pragma once

// The joint backbone and exit search on the command line: `search --family N` and its options (the rest of a search's
// options are searchcommands.cpp's).

#include "argumentparser.h"

#include "search/familysearch.h"

#include <memory>

namespace earlybird::cli {

// --family, --family-members, --explore-share, --family-rounds.
void addFamilyOptions(ArgumentParser& parser);
// Whether the options ask for a family search.
bool wantsFamily(const ArgumentParser& parser);
// The family search the options describe around `search` (whose backbone is the family's base).
FamilySearchConfig familyConfig(const ArgumentParser& parser, SearchConfig search);
// Runs it (Ctrl-C stops cleanly; --resume continues) and prints its JSON summary.
int runFamilySession(std::unique_ptr<FamilySearch> family);

} // namespace earlybird::cli
