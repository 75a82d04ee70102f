/* Windows time-zone rules (collector/formats/tzi): local wall-clock times
 * to UTC across daylight-time changes, north and south, and refused
 * rules. */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>
#include "text.h"
#include "tzi.h"

/* FILETIME of a wall-clock time, read as if it were UTC */
static uint64_t ft(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
    return ((uint64_t)timegm(&tm) + 11644473600ULL) * 10000000ULL;
}

static void systime(uint8_t out[16], int year, int month, int dow, int day, int hour)
{
    memset(out, 0, 16);
    out[0] = (uint8_t)year, out[1] = (uint8_t)(year >> 8);
    out[2] = (uint8_t)month, out[4] = (uint8_t)dow, out[6] = (uint8_t)day, out[8] = (uint8_t)hour;
}

static int32_t bias_at(const tzi_zone *z, uint64_t local, bool *dst) { return tzi_bias_at_local(z, local, dst); }

Test(tzi, eastern_time_switches_on_the_second_sunday_of_march_and_off_the_first_of_november)
{
    uint8_t std[16], dst[16];
    systime(std, 0, 11, 0, 1, 2);
    systime(dst, 0, 3, 0, 2, 2);
    tzi_zone z;
    gl_err err = {0};
    cr_assert_eq(tzi_from_values(300, 0, -60, std, 16, dst, 16, &z, &err), 0, "%s", err.msg);
    cr_assert(z.has_daylight);
    bool d;
    /* 2026: DST from Sunday 8 March 02:00 to Sunday 1 November 02:00 */
    cr_assert_eq(bias_at(&z, ft(2026, 1, 15, 12, 0), &d), 300);
    cr_assert_not(d);
    cr_assert_eq(bias_at(&z, ft(2026, 3, 8, 1, 59), &d), 300);
    cr_assert_eq(bias_at(&z, ft(2026, 3, 8, 2, 0), &d), 240);
    cr_assert(d);
    cr_assert_eq(bias_at(&z, ft(2026, 7, 4, 12, 0), &d), 240);
    cr_assert_eq(bias_at(&z, ft(2026, 11, 1, 1, 59), &d), 240);
    cr_assert_eq(bias_at(&z, ft(2026, 11, 1, 2, 0), &d), 300);
    cr_assert_not(d);
    /* 2027: second Sunday of March is the 14th */
    cr_assert_eq(bias_at(&z, ft(2027, 3, 13, 12, 0), &d), 300);
    cr_assert_eq(bias_at(&z, ft(2027, 3, 14, 3, 0), &d), 240);
}

Test(tzi, southern_zone_has_daylight_time_across_new_year_and_week_five_is_the_last)
{
    /* AUS Eastern: Bias -600, daylight from the first Sunday of October
     * 02:00 to the first Sunday of April 03:00 */
    uint8_t std[16], dst[16];
    systime(std, 0, 4, 0, 1, 3);
    systime(dst, 0, 10, 0, 1, 2);
    tzi_zone z;
    gl_err err = {0};
    cr_assert_eq(tzi_from_values(-600, 0, -60, std, 16, dst, 16, &z, &err), 0);
    bool d;
    cr_assert_eq(bias_at(&z, ft(2026, 1, 10, 9, 0), &d), -660);
    cr_assert(d);
    cr_assert_eq(bias_at(&z, ft(2026, 6, 10, 9, 0), &d), -600);
    cr_assert_not(d);
    cr_assert_eq(bias_at(&z, ft(2026, 12, 24, 9, 0), &d), -660);
    /* week 5 = the last Sunday of October (25 October 2026) */
    systime(std, 0, 10, 0, 5, 3);
    systime(dst, 0, 3, 0, 5, 2);
    cr_assert_eq(tzi_from_values(0, 0, -60, std, 16, dst, 16, &z, &err), 0);
    cr_assert_eq(bias_at(&z, ft(2026, 10, 25, 2, 59), &d), -60);
    cr_assert_eq(bias_at(&z, ft(2026, 10, 25, 3, 0), &d), 0);
    cr_assert_eq(bias_at(&z, ft(2026, 3, 29, 2, 0), &d), -60); /* last Sunday of March 2026 is the 29th */
    cr_assert_eq(bias_at(&z, ft(2026, 3, 22, 2, 0), &d), 0);
}

Test(tzi, no_daylight_rule_and_impossible_rules)
{
    tzi_zone z;
    gl_err err = {0};
    bool d;
    cr_assert_eq(tzi_from_values(-330, 0, 0, NULL, 0, NULL, 0, &z, &err), 0); /* India */
    cr_assert_not(z.has_daylight);
    cr_assert_eq(bias_at(&z, ft(2026, 7, 1, 0, 0), &d), -330);
    uint8_t bad[16], ok[16];
    systime(ok, 0, 3, 0, 2, 2);
    systime(bad, 0, 13, 0, 1, 2);
    cr_assert_eq(tzi_from_values(300, 0, -60, bad, 16, ok, 16, &z, &err), -1);
    cr_assert_str_eq(err.msg, "time zone StandardStart: month 13, weekday 0, day 1, 02:00 is not a possible rule");
    systime(bad, 0, 11, 0, 6, 2);
    cr_assert_eq(tzi_from_values(300, 0, -60, bad, 16, ok, 16, &z, &err), -1);
    cr_assert_eq(tzi_from_values(100000, 0, 0, NULL, 0, NULL, 0, &z, &err), -1);
    cr_assert_str_eq(err.msg, "time zone bias 100000/0/0 minutes is beyond a day");
    /* a start of another year applies nowhere else; short values mean none */
    systime(bad, 2019, 3, 0, 10, 2);
    cr_assert_eq(tzi_from_values(300, 0, -60, ok, 16, bad, 16, &z, &err), 0);
    cr_assert_eq(bias_at(&z, ft(2026, 7, 1, 0, 0), &d), 300);
    cr_assert_eq(tzi_from_values(300, 0, -60, ok, 8, ok, 16, &z, &err), 0);
    cr_assert_not(z.has_daylight);
}
