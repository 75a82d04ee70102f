/* Windows time-zone rules as the registry keeps them
 * (SYSTEM\CurrentControlSet\Control\TimeZoneInformation: Bias,
 * StandardBias, DaylightBias, StandardStart, DaylightStart as 16-byte
 * SYSTEMTIMEs, TimeZoneKeyName), and the conversion of a local wall-clock
 * time to UTC with them. Logs that write local time (TeamViewer, Zoho
 * Assist) need it to sit on the same timeline as UTC evidence.
 *
 * UTC = local + bias, in minutes: Bias + StandardBias outside daylight
 * time, Bias + DaylightBias inside it. A start's wYear 0 is a yearly rule
 * (wDay = the week, 5 = the last, of weekday wDayOfWeek in wMonth, at
 * wHour:wMinute local time); a non-zero wYear a date of that year only;
 * wMonth 0 no daylight time. Per-year overrides (Time Zones\<key>\Dynamic
 * DST) are not applied. */
#ifndef GL_TZI_H
#define GL_TZI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef struct tzi_start {
    uint16_t year, month, day_of_week, day, hour, minute, second;
} tzi_start;

typedef struct tzi_zone {
    int32_t bias, standard_bias, daylight_bias; /* minutes */
    tzi_start standard_start, daylight_start;
    bool has_daylight; /* both starts name a month */
} tzi_zone;

/* From the registry values (the SYSTEMTIMEs as raw bytes; NULL/short ones
 * mean no daylight time). -1 with err when a start is present but
 * impossible (month > 12, week 0 or > 5, weekday > 6, hour > 23...), or a
 * bias beyond +-24 h. */
int tzi_from_values(int32_t bias, int32_t standard_bias, int32_t daylight_bias, const uint8_t *standard_start,
                    size_t standard_len, const uint8_t *daylight_start, size_t daylight_len, tzi_zone *out,
                    gl_err *err);

/* Minutes to add to a local time (FILETIME ticks read as if UTC) to get
 * UTC, and whether daylight time applied. */
int32_t tzi_bias_at_local(const tzi_zone *z, uint64_t local_filetime, bool *is_dst);

#endif
