/* Background Activity Moderator (BAM/DAM) entries: SYSTEM\ControlSetNNN\
 * Services\bam\State\UserSettings\<SID> (Windows 10 1809+; bam\UserSettings
 * on 1709) holds one REG_BINARY value per program a user ran, named by the
 * program's device path ("\Device\HarddiskVolume3\Users\x\a.exe"). The
 * data starts with the FILETIME of the last run, followed by 16 bytes
 * (RECmd BAM plugin; artifacts.md 1.1). Pure parsing of the value. */
#ifndef GL_BAM_H
#define GL_BAM_H
#include <stddef.h>
#include <stdint.h>

typedef struct gl_bam_entry {
    uint64_t last_run; /* FILETIME, 0 when the data is too short or zero */
    /* the program's path without its "\Device\HarddiskVolumeN" prefix
     * ("\Users\x\a.exe"), pointing into the name given; the whole name
     * when it has no such prefix */
    const char *path;
    size_t path_len;
} gl_bam_entry;

/* Decode one value: name (its value name, UTF-8) and data. */
void gl_bam_parse(const char *name, size_t name_len, const uint8_t *data, size_t len, gl_bam_entry *out);

#endif
