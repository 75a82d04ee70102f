/* <sys/mman.h> for the Windows build: read-only private mappings of a
 * whole file (all gl_mapfile asks for), on CreateFileMapping. */
#ifndef GL_SYS_MMAN_SHIM_H
#define GL_SYS_MMAN_SHIM_H
#include <stddef.h>
#include <sys/types.h>
#define PROT_READ 1
#define MAP_PRIVATE 2
#define MAP_FAILED ((void *)-1)
void *gl_w32_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int gl_w32_munmap(void *addr, size_t len);
#define mmap gl_w32_mmap
#define munmap gl_w32_munmap
#endif
