/* <sys/utsname.h> for the Windows build: sysname "Windows", release the
 * version (10.0), version the build number (19045), from RtlGetVersion,
 * which unlike GetVersionEx is not capped by the manifest. */
#ifndef GL_SYS_UTSNAME_SHIM_H
#define GL_SYS_UTSNAME_SHIM_H
struct utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65];
};
int gl_w32_uname(struct utsname *u);
#define uname(u) gl_w32_uname(u)
#endif
