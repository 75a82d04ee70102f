/* Every evidence module, one line each. The core never names a module. */
#ifndef GL_MODULE_LIST_H
#define GL_MODULE_LIST_H

#define GL_MODULE_LIST(X) \
    X(files) \
    X(logs) \
    X(yara) \
    X(ioc) \
    X(defender) \
    X(firewall) \
    X(tasks) \
    X(rmm) \
    X(services) \
    X(accounts) \
    X(staging) \
    X(chain)

/* Modules that exist only to test the pipeline (tests/modules/). */
#ifdef GLEANER_TEST_BUILD
#define GL_TEST_MODULE_LIST(X) \
    X(pipeline_probe) X(kit_reader_a) X(kit_reader_b) X(kit_reader_c) X(kit_follower) X(kit_cycle_x) X(kit_cycle_y) \
    X(limits_writer) X(limits_reader)
#else
#define GL_TEST_MODULE_LIST(X)
#endif

#endif
