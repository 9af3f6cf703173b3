// SPDX-License-Identifier: GPL-2.0
/*
 * churn: connect, accept and close on loopback as fast as one thread can,
 * for SECONDS; prints "churn CONNECTIONS_PER_SECOND COUNT".
 *
 *   churn [SECONDS] [PORT]
 *
 * The server side closes with SO_LINGER 0 (a reset), so no TIME_WAIT piles
 * up and the population stays what the benchmark built.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 10, t0, t;
	int port = argc > 2 ? atoi(argv[2]) : 7999;
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int lfd, one = 1;
	long n = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (void *)&a, sizeof(a)) || listen(lfd, 128)) {
		perror("churn: listener");
		return 1;
	}
	t0 = now_s();
	do {
		int c = socket(AF_INET, SOCK_STREAM, 0), s;

		if (c < 0 || connect(c, (void *)&a, sizeof(a))) {
			perror("churn: connect");
			return 1;
		}
		s = accept(lfd, NULL, NULL);
		if (s < 0) {
			perror("churn: accept");
			return 1;
		}
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
		close(c);
		n++;
		t = now_s();
	} while (t - t0 < secs);
	printf("churn %.1f %ld\n", n / (t - t0), n);
	return 0;
}
