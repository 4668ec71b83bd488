/* arch/linux/switch.S - the native build switches threads exactly as a
 * Denali guest does: the code is plain i386. */
#include "../denali/switch.S"
