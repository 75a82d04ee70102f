/* <arpa/inet.h> for the Windows build: inet_pton, inet_ntop, htons and
 * friends come from Winsock (ws2_32, in every Windows), which
 * posix_win32.h, force-included into every file, has included. */
#ifndef GL_ARPA_INET_SHIM_H
#define GL_ARPA_INET_SHIM_H
#include "posix_win32.h"
#endif
