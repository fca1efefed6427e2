/* Integers of every size, chars, floats, _Bool, enums and typedefs (tests/dwarf).
 * Lines marked `stop` are where the differential test against gdb breaks. */
#include <stdio.h>

typedef unsigned int u32;
typedef long long i64;
enum color { RED, GREEN = 5, BLUE };
typedef enum color color_t; static volatile int zero; /* (the optimiser cannot fold what it reads) */

static __attribute__((noinline)) int mix(char c, short s, int i, long l, long long ll) {
    int total = c + s + i;
    long wide = l / 2;
    long long big = ll - 1;
    total += (int)(wide + big); /* stop */
    return total;
}

static __attribute__((noinline)) unsigned widen(unsigned char uc, unsigned short us, unsigned u, unsigned long ul) {
    unsigned long long sum = (unsigned long long)uc + us + u + ul;
    u32 folded = (u32)(sum ^ (sum >> 32));
    return folded; /* stop */
}

static __attribute__((noinline)) double scale(float f, double d) {
    double r = f * d;
    float half = (float)(r / 2);
    _Bool positive = r > 0;
    return positive ? half : -half; /* stop */
}

static __attribute__((noinline)) int shade(color_t c) {
    enum color next = c == BLUE ? RED : c + 1;
    int n = (int)next;
    return n; /* stop */
}

int main(void) {
    char c = 'A' + zero;
    signed char sc = -56;
    unsigned char uc = 200 + zero;
    char newline = '\n';
    short s = -1234 + zero;
    unsigned short us = 65535 + zero;
    int i = -100000 + zero;
    unsigned u = 4000000000u + zero;
    long l = -2000000000L + zero;
    unsigned long ul = 3000000000UL + zero;
    long long ll = -1234567890123LL + zero;
    unsigned long long ull = 18446744073709551615ULL;
    i64 t = 42;
    u32 mask = 0xff00ff00u;
    float f = 2.5f + zero;
    double d = 3.14 + zero;
    _Bool yes = 1;
    color_t col = GREEN + zero;
    int m = 0;
    unsigned w = 0;
    double x = 0;
    int k = 0;
    m = mix(c, s, i, l, ll); /* stop */
    w = widen(uc, us, u, ul);
    x = scale(f, d);
    k = shade(col) + shade(BLUE);
    printf("%d %u %f %d %d %d %llu %lld %u %d %d\n", m, w, x, k, sc, newline, ull, t, mask, yes, u > 0);
    return 0; /* stop */
}
