/* clockrand: clocks move forward, sleeping waits, random bytes look random. The output does
   not depend on the time or the bytes, so every run prints the same. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    struct timespec a, b, r;
    if (clock_gettime(CLOCK_MONOTONIC, &a) != 0) return 1;
    struct timespec nap = {0, 2000000};
    nanosleep(&nap, NULL);
    usleep(1000);
    if (clock_gettime(CLOCK_MONOTONIC, &b) != 0) return 1;
    printf("monotonic advanced by >= 3ms: %s\n", ns(b) - ns(a) >= 3000000 ? "yes" : "no");
    if (clock_gettime(CLOCK_REALTIME, &r) != 0) return 1;
    printf("realtime after 2020: %s\n", r.tv_sec > 1577836800 ? "yes" : "no");
    printf("time() agrees: %s\n", time(NULL) - r.tv_sec <= 1 ? "yes" : "no");
    if (clock_getres(CLOCK_MONOTONIC, &r) != 0) return 1;
    printf("resolution under 1ms: %s\n", r.tv_sec == 0 && r.tv_nsec < 1000000 ? "yes" : "no");

    unsigned char x[32], y[32], zero[32] = {0};
    if (getentropy(x, sizeof x) != 0 || getentropy(y, sizeof y) != 0) return 1;
    printf("random bytes nonzero: %s\n", memcmp(x, zero, sizeof x) != 0 ? "yes" : "no");
    printf("two draws differ: %s\n", memcmp(x, y, sizeof x) != 0 ? "yes" : "no");
    return 0;
}
