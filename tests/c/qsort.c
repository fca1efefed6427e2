/* qsort: read integers from standard input, print them sorted, then count and sum. */
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int main(void) {
    size_t n = 0, cap = 16;
    long long *v = malloc(cap * sizeof *v);
    long long x, sum = 0;
    if (!v) return 2;
    while (scanf("%lld", &x) == 1) {
        if (n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            if (!v) return 2;
        }
        v[n++] = x;
    }
    qsort(v, n, sizeof *v, cmp);
    for (size_t i = 0; i < n; i++) {
        printf("%lld\n", v[i]);
        sum += v[i];
    }
    fprintf(stderr, "sorted %zu numbers, sum %lld\n", n, sum);
    free(v);
    return 0;
}
