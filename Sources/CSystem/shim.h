// Linux interfaces the Glibc module does not export; used only from Sources/ExporterCore/System.
#include <sys/epoll.h>
#include <sys/socket.h>

// GNU extensions hidden without _GNU_SOURCE; the prototypes are those of accept4(2) and pipe2(2).
int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
int pipe2(int pipefd[2], int flags);

#include <malloc.h>
#include <pthread.h>
int pthread_setname_np(pthread_t thread, const char *name);

// fstatfs(2): the file system type of a descriptor (procfs and sysfs files are kept open).
#include <sys/vfs.h>

// rtnetlink(7): struct sockaddr_nl and NETLINK_ROUTE, for reading network devices in one dump.
#include <linux/netlink.h>

// adjtimex(2): the kernel clock discipline's state, for node_timex_*.
#include <sys/timex.h>
