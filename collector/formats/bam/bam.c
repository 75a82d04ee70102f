#include "bam.h"
#include <string.h>
#include <strings.h>
#include "text.h"

void gl_bam_parse(const char *name, size_t name_len, const uint8_t *data, size_t len, gl_bam_entry *out)
{
    out->last_run = data && len >= 8 ? gl_le64(data) : 0;
    out->path = name;
    out->path_len = name_len;
    /* "\Device\HarddiskVolume<digits>" */
    static const char dev[] = "\\Device\\HarddiskVolume";
    size_t dn = sizeof dev - 1;
    if (name_len > dn && strncasecmp(name, dev, dn) == 0) {
        size_t i = dn;
        while (i < name_len && name[i] >= '0' && name[i] <= '9')
            i++;
        if (i > dn && (i == name_len || name[i] == '\\')) {
            out->path = name + i;
            out->path_len = name_len - i;
        }
    }
}
