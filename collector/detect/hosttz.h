/* The host's time zone (SYSTEM\CurrentControlSet\Control\TimeZoneInformation),
 * read once per run and shared, so modules that meet local times in logs
 * put them on the UTC timeline the same way. */
#ifndef GL_HOSTTZ_H
#define GL_HOSTTZ_H
#include <stdbool.h>
#include <stdint.h>
#include "module.h"
#include "tzi.h"

typedef struct gl_host_tz {
    bool known;          /* false: no SYSTEM hive, no key, or damaged values */
    tzi_zone zone;
    char name[128];      /* TimeZoneKeyName, else StandardName, else "" */
    char problem[256];   /* why it is not known, when the values are damaged */
} gl_host_tz;

/* The run's host time zone (never NULL). A damaged key is reported once
 * with gl_run_error by the first module that asks. */
const gl_host_tz *gl_host_tz_get(gl_run *run);

/* A local time "YYYY-MM-DDTHH:MM:SS[.fff]" (FILETIME read as UTC) in UTC,
 * with the bias used (minutes); false when the zone is unknown. */
bool gl_host_tz_to_utc(const gl_host_tz *tz, uint64_t local_filetime, uint64_t *utc, int32_t *bias_minutes);

#endif
