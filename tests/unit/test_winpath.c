/* detect/winpath: where a Windows path points, as exclusions and firewall
 * rule programs are judged. */
#include <criterion/criterion.h>
#include <string.h>
#include "winpath.h"

Test(winpath, classes)
{
    static const struct {
        const char *path;
        gl_path_class cls;
    } cases[] = {
        {"C:\\", GL_PATH_DRIVE_ROOT},
        {"C:", GL_PATH_DRIVE_ROOT},
        {"d:\\*", GL_PATH_DRIVE_ROOT},
        {"\\", GL_PATH_DRIVE_ROOT},
        {"*", GL_PATH_DRIVE_ROOT},
        {"C:/", GL_PATH_DRIVE_ROOT},
        {"C:\\Windows\\System32\\svchost.exe", GL_PATH_ADMIN_ONLY},
        {"c:/program files/Contoso/agent.exe", GL_PATH_ADMIN_ONLY},
        {"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe", GL_PATH_ADMIN_ONLY},
        {"%SystemRoot%\\system32\\svchost.exe", GL_PATH_ADMIN_ONLY},
        {"%ProgramFiles(x86)%\\Foo\\foo.exe", GL_PATH_ADMIN_ONLY},
        {"\"C:\\Windows\\explorer.exe\"", GL_PATH_ADMIN_ONLY},
        {"\\\\?\\C:\\Windows\\x.exe", GL_PATH_ADMIN_ONLY},
        {"C:\\Windows\\Temp\\x.exe", GL_PATH_USER_WRITABLE},
        {"C:\\Windows\\Tasks", GL_PATH_USER_WRITABLE},
        {"C:\\Windows\\System32\\spool\\drivers\\color\\a.exe", GL_PATH_USER_WRITABLE},
        {"C:\\WindowsApps2\\x", GL_PATH_USER_WRITABLE},
        {"C:\\Program Files Backup\\x", GL_PATH_USER_WRITABLE},
        {"C:\\Users\\Public", GL_PATH_USER_WRITABLE},
        {"C:\\ProgramData\\AnyDesk", GL_PATH_USER_WRITABLE},
        {"C:\\PerfLogs", GL_PATH_USER_WRITABLE},
        {"D:\\Shares\\Staging", GL_PATH_USER_WRITABLE},
        {"%TEMP%\\x.exe", GL_PATH_USER_WRITABLE},
        {"%ProgramData%\\x", GL_PATH_USER_WRITABLE},
        {"\\\\fs01\\share\\tool.exe", GL_PATH_NETWORK},
        {"//fs01/share", GL_PATH_NETWORK},
        {"rclone.exe", GL_PATH_NAME},
        {".ps1", GL_PATH_NAME},
        {"", GL_PATH_NAME},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(gl_winpath_class(cases[i].path), cases[i].cls, "%s: %s", cases[i].path,
                     gl_path_class_name(gl_winpath_class(cases[i].path)));
}

Test(winpath, long_and_odd_paths_are_bounded)
{
    /* Longer than the working buffer: judged by its start. */
    static char big[5000];
    memset(big, 'a', sizeof big - 1);
    memcpy(big, "C:\\Windows\\", 11);
    cr_assert_eq(gl_winpath_class(big), GL_PATH_ADMIN_ONLY);
    memcpy(big, "C:\\Users\\x\\", 11);
    cr_assert_eq(gl_winpath_class(big), GL_PATH_USER_WRITABLE);
    /* An admin-only variable expanding past the buffer. */
    static char var[1100];
    memset(var, 'b', sizeof var - 1);
    memcpy(var, "%SystemRoot%\\", 13);
    cr_assert_eq(gl_winpath_class(var), GL_PATH_ADMIN_ONLY);
    cr_assert_eq(gl_winpath_class("\xff\xfe:\\x"), GL_PATH_USER_WRITABLE);
}

Test(winpath, basename)
{
    cr_assert_str_eq(gl_winpath_basename("C:\\x\\rclone.exe"), "rclone.exe");
    cr_assert_str_eq(gl_winpath_basename("C:/x/y.exe"), "y.exe");
    cr_assert_str_eq(gl_winpath_basename("rclone.exe"), "rclone.exe");
    cr_assert_str_eq(gl_winpath_basename("C:\\x\\"), "x\\");
    cr_assert_str_eq(gl_winpath_basename(""), "");
    cr_assert_str_eq(gl_path_class_name(GL_PATH_ADMIN_ONLY), "admin_only");
}
