/* bcryptprimitives.dll for Wine 8, which lacks it: Go programs since Go
 * 1.24 get their random numbers from its ProcessPrng, and without it they
 * do not start. This one asks RtlGenRandom (advapi32's SystemFunction036),
 * which Wine has. Built with MinGW-w64 by scripts/wine-test.sh into the
 * test Wine prefix only; nothing of it ships. */
#include <windows.h>
BOOLEAN NTAPI SystemFunction036(PVOID, ULONG);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n)) return FALSE;
		data += n; len -= n;
	}
	return TRUE;
}
