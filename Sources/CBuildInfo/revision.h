// The git commit the binary was built from. The build scripts pass -Xcc -DSE_GIT_REVISION="…"
// (scripts/revision-flags); a plain `swift build` says "unknown". A function, not the macro: Swift
// imports only macros defined in the header, and this one comes from the command line.
#ifndef SE_GIT_REVISION
#define SE_GIT_REVISION "unknown"
#endif

static inline const char *se_git_revision(void) { return SE_GIT_REVISION; }
