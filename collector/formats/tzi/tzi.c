/* Windows time-zone rules (tzi.h). Calendar arithmetic on days since
 * 1601-01-01 (the FILETIME epoch, a Monday). */
#include "tzi.h"
#include <string.h>
#include "text.h"

#define TICKS_PER_MINUTE 600000000ULL
#define MINUTES_PER_DAY 1440ULL

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[m - 1] + (m == 2 && leap(y));
}

/* Days from 1601-01-01 to y-m-d. */
static int64_t day_number(int y, int m, int d)
{
    int64_t years = y - 1601;
    int64_t n = years * 365 + years / 4 - years / 100 + years / 400;
    for (int k = 1; k < m; k++)
        n += month_days(y, k);
    return n + d - 1;
}

/* Calendar year and month of a day number. */
static void civil(int64_t days, int *y, int *m)
{
    int yy = 1601 + (int)(days / 366);
    while (day_number(yy + 1, 1, 1) <= days)
        yy++;
    int mm = 1;
    while (mm < 12 && day_number(yy, mm + 1, 1) <= days)
        mm++;
    *y = yy;
    *m = mm;
}

static void read_start(const uint8_t *p, size_t n, tzi_start *s)
{
    memset(s, 0, sizeof *s);
    if (!p || n < 16)
        return;
    s->year = gl_le16(p);
    s->month = gl_le16(p + 2);
    s->day_of_week = gl_le16(p + 4);
    s->day = gl_le16(p + 6);
    s->hour = gl_le16(p + 8);
    s->minute = gl_le16(p + 10);
    s->second = gl_le16(p + 12);
}

static int check_start(const tzi_start *s, const char *which, gl_err *err)
{
    if (s->month == 0)
        return 0;
    bool yearly = s->year == 0;
    if (s->month > 12 || s->hour > 23 || s->minute > 59 || s->second > 59 || (yearly && s->day_of_week > 6) ||
        (yearly && (s->day < 1 || s->day > 5)) || (!yearly && (s->day < 1 || s->day > 31)))
        return gl_err_set(err, "time zone %s: month %u, weekday %u, day %u, %02u:%02u is not a possible rule", which,
                          s->month, s->day_of_week, s->day, s->hour, s->minute);
    return 0;
}

int tzi_from_values(int32_t bias, int32_t standard_bias, int32_t daylight_bias, const uint8_t *standard_start,
                    size_t standard_len, const uint8_t *daylight_start, size_t daylight_len, tzi_zone *out,
                    gl_err *err)
{
    memset(out, 0, sizeof *out);
    const int32_t day = 24 * 60;
    if (bias < -day || bias > day || standard_bias < -day || standard_bias > day || daylight_bias < -day ||
        daylight_bias > day)
        return gl_err_set(err, "time zone bias %d/%d/%d minutes is beyond a day", (int)bias, (int)standard_bias,
                          (int)daylight_bias);
    out->bias = bias;
    out->standard_bias = standard_bias;
    out->daylight_bias = daylight_bias;
    read_start(standard_start, standard_len, &out->standard_start);
    read_start(daylight_start, daylight_len, &out->daylight_start);
    if (check_start(&out->standard_start, "StandardStart", err) != 0 ||
        check_start(&out->daylight_start, "DaylightStart", err) != 0)
        return -1;
    out->has_daylight = out->standard_start.month != 0 && out->daylight_start.month != 0;
    return 0;
}

/* Local minute (since 1601) at which a start takes effect in year y; -1
 * when a dated start is for another year. */
static int64_t start_minute(const tzi_start *s, int y)
{
    int d;
    if (s->year != 0) {
        if (s->year != y)
            return -1;
        d = s->day > month_days(y, s->month) ? month_days(y, s->month) : s->day;
    } else {
        int64_t first = day_number(y, s->month, 1);
        int first_wd = (int)((first + 1) % 7); /* 1601-01-01 was a Monday (1) */
        d = 1 + (s->day_of_week - first_wd + 7) % 7 + 7 * (s->day - 1);
        while (d > month_days(y, s->month))
            d -= 7; /* week 5 means the last one */
    }
    return (day_number(y, s->month, d) * (int64_t)MINUTES_PER_DAY) + s->hour * 60 + s->minute;
}

int32_t tzi_bias_at_local(const tzi_zone *z, uint64_t local_filetime, bool *is_dst)
{
    *is_dst = false;
    if (!z->has_daylight)
        return z->bias + z->standard_bias;
    int64_t minute = (int64_t)(local_filetime / TICKS_PER_MINUTE);
    int y, m;
    civil(minute / (int64_t)MINUTES_PER_DAY, &y, &m);
    int64_t dst_on = start_minute(&z->daylight_start, y), dst_off = start_minute(&z->standard_start, y);
    if (dst_on < 0 || dst_off < 0)
        return z->bias + z->standard_bias;
    /* north: daylight between spring and autumn; south: across new year */
    *is_dst = dst_on < dst_off ? (minute >= dst_on && minute < dst_off) : (minute >= dst_on || minute < dst_off);
    return z->bias + (*is_dst ? z->daylight_bias : z->standard_bias);
}
