// Compiled with -std=c++11/17/20 -Wall -Wextra -Wpedantic -Werror by ctest.
#include "vyre.h"
#include "vyre.h"

int main() { return vyre_version() == VYRE_VERSION_NUMBER ? 0 : 1; }
