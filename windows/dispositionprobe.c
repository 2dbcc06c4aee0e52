#include <windows.h>
#include <winternl.h>
#include <stdio.h>
typedef NTSTATUS (NTAPI *setinfo_t)(HANDLE, PIO_STATUS_BLOCK, PVOID, ULONG, ULONG);
typedef struct { ULONG Flags; } DISP_EX;
int main(void) {
  HANDLE f = CreateFileW(L"probe.txt", GENERIC_WRITE|DELETE, FILE_SHARE_READ|FILE_SHARE_WRITE|FILE_SHARE_DELETE, NULL, CREATE_ALWAYS, 0, NULL);
  if (f == INVALID_HANDLE_VALUE) { printf("create failed %lu\n", GetLastError()); return 2; }
  setinfo_t set = (setinfo_t)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtSetInformationFile");
  IO_STATUS_BLOCK io; DISP_EX d = { 0x1 | 0x2 | 0x10 }; /* DELETE | POSIX_SEMANTICS | IGNORE_READONLY_ATTRIBUTE, as Go's os.RemoveAll */
  NTSTATUS st = set(f, &io, &d, sizeof d, 64 /* FileDispositionInformationEx */);
  printf("NtSetInformationFile(FileDispositionInformationEx) = 0x%08lx\n", (unsigned long)st);
  BOOL ok = SetFileInformationByHandle(f, 21 /* FileDispositionInfoEx */, &d, sizeof d);
  printf("SetFileInformationByHandle(FileDispositionInfoEx) = %d, GetLastError = %lu\n", ok, ok ? 0 : GetLastError());
  FILE_DISPOSITION_INFO old = { TRUE };
  ok = SetFileInformationByHandle(f, FileDispositionInfo, &old, sizeof old);
  printf("SetFileInformationByHandle(FileDispositionInfo) = %d\n", ok);
  CloseHandle(f);
  printf("probe.txt still there: %d\n", GetFileAttributesW(L"probe.txt") != INVALID_FILE_ATTRIBUTES);
  return 0;
}
