/* Every evidence module, one line each. The core never names a module. */
#ifndef GL_MODULE_LIST_H
#define GL_MODULE_LIST_H

#define GL_MODULE_LIST(X) \
    X(files)

/* Modules that exist only to test the pipeline (tests/modules/). */
#ifdef GLEANER_TEST_BUILD
#define GL_TEST_MODULE_LIST(X) X(pipeline_probe)
#else
#define GL_TEST_MODULE_LIST(X)
#endif

#endif
