/* BAM value decoder: last-run FILETIME and the path without its volume
 * device, on values shaped like Windows writes them (built here). */
#include <criterion/criterion.h>
#include <string.h>
#include "bam.h"

Test(bam, last_run_and_path)
{
    /* 2026-11-12T21:57:36Z, then 16 bytes Windows leaves zero */
    static const uint8_t data[24] = {0x00, 0x88, 0xac, 0xd3, 0xf0, 0x72, 0xdd, 0x01};
    const char *name = "\\Device\\HarddiskVolume3\\Users\\jdoe\\AppData\\Local\\rustdesk\\rustdesk.exe";
    gl_bam_entry e;
    gl_bam_parse(name, strlen(name), data, sizeof data, &e);
    cr_assert_eq(e.last_run, 0x01dd72f0d3ac8800ull);
    cr_assert_eq(e.path_len, strlen("\\Users\\jdoe\\AppData\\Local\\rustdesk\\rustdesk.exe"));
    cr_assert(!memcmp(e.path, "\\Users\\jdoe\\AppData\\Local\\rustdesk\\rustdesk.exe", e.path_len));
}

Test(bam, short_data_and_other_names)
{
    static const uint8_t data[7] = {1, 2, 3, 4, 5, 6, 7};
    gl_bam_entry e;
    /* packaged apps are named by their package family, not a device path */
    const char *app = "Microsoft.Windows.Explorer";
    gl_bam_parse(app, strlen(app), data, sizeof data, &e);
    cr_assert_eq(e.last_run, 0);
    cr_assert_eq(e.path, app);
    cr_assert_eq(e.path_len, strlen(app));
    /* a volume prefix without a number is not one */
    const char *odd = "\\Device\\HarddiskVolume\\x.exe";
    gl_bam_parse(odd, strlen(odd), NULL, 0, &e);
    cr_assert_eq(e.path, odd);
    const char *bare = "\\Device\\HarddiskVolume12";
    gl_bam_parse(bare, strlen(bare), NULL, 0, &e);
    cr_assert_eq(e.path_len, 0);
}
