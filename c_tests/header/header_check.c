/* Compiled with -std=c99/c11/c17 -Wall -Wextra -Wpedantic -Werror by ctest. */
#include "vyre.h"
#include "vyre.h" /* include guard works */

int main(void) { return vyre_version() == VYRE_VERSION_NUMBER ? 0 : 1; }
