// The git commit the binary was built from: Package.swift reads it from .git (no git process)
// and passes it as -DSE_GIT_REVISION="…"; a build outside a checkout says "unknown". Swift
// imports the string macro as a constant.
#ifndef SE_GIT_REVISION
#define SE_GIT_REVISION "unknown"
#endif

// A function, not the macro itself: Swift imports macros defined in the header only, and
// -DSE_GIT_REVISION comes from the command line.
static inline const char *se_git_revision(void) { return SE_GIT_REVISION; }
