/* netinet/tcp.h - TCP socket options (TCP_NODELAY is in netinet/in.h). */
#ifndef _NETINET_TCP_H
#define _NETINET_TCP_H
#include <netinet/in.h>
#endif /* _NETINET_TCP_H */
