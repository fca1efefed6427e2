/* fractions: print each fraction given as an argument in lowest terms ("12/18" -> "2/3"). */
#include <stdio.h>

/* Euclid's algorithm. noinline keeps it a function of its own in the WebAssembly module. */
__attribute__((noinline)) int gcd(int a, int b) {
    while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        int num, den;
        if (sscanf(argv[i], "%d/%d", &num, &den) != 2 || den == 0) {
            fprintf(stderr, "fractions: not a fraction: %s\n", argv[i]);
            return 1;
        }
        int g = gcd(num, den);
        printf("%s = %d/%d\n", argv[i], num / g, den / g);
    }
    return 0;
}
