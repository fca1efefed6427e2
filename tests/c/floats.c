/* floats: printf %g/%e/%f/%a formatting and strtod of doubles and floats. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    const double values[] = {
        0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3.0, 2.0 / 3.0, 123456789.0, 1e21, 1e-7, 6.02214076e23,
        1.7976931348623157e308, 2.2250738585072014e-308, 4.9e-324, 3.141592653589793,
        2.718281828459045, 100.0, 1e100, 0.5, 255.0 / 256.0,
    };
    const char *texts[] = {"3.25", "-0.001", "1e-310", "0x1.8p3", "12345678901234567890", "  42.5e-1xyz"};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        double x = values[i];
        printf("%g|%.3g|%.17g|%e|%.2f|%10.4g|%-10g|", x, x, x, x, x, x, x);
        /* %a of a subnormal is spelled differently by glibc and musl (both correct) */
        if (fpclassify(x) == FP_SUBNORMAL) printf("subnormal\n");
        else printf("%a\n", x);
    }
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char *end;
        double d = strtod(texts[i], &end);
        float f = strtof(texts[i], NULL);
        printf("strtod(%s) = %.17g rest \"%s\"; strtof = %.9g\n", texts[i], d, end, (double)f);
    }
    double acc = 0;
    for (int i = 1; i <= 1000; i++) acc += 1.0 / i;
    printf("harmonic(1000) = %.15g\n", acc);
    printf("sqrt(2) = %.17g, fma = %.17g, floor = %g, ceil = %g, fmod = %g\n", sqrt(2.0),
           fma(0.1, 10.0, -1.0), floor(-2.5), ceil(-2.5), fmod(10.0, 3.0));
    printf("inf %g %g nan %g\n", HUGE_VAL, -HUGE_VAL, fabs(NAN));
    printf("float %g %.9g %g\n", (double)1.1f, (double)(1.0f / 3.0f), (double)16777217.0f);
    return 0;
}
