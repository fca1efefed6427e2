/* grades: how many exam scores fall in each band of ten points (0-9, 10-19, ..., 90-100),
   and how many passed. */
#include <stdio.h>

#define BANDS 10
#define PASS 60

static const int scores[] = {100, 85, 58, 100, 91, 47, 77, 69, 45, 100};
#define COUNT (int)(sizeof scores / sizeof scores[0])

/* the band of a score: 0 for 0-9, 1 for 10-19, ..., 9 for 90-100 */
static int band_of(int score) {
    return score / 10;
}

static void print_band(int band, int count) {
    printf("%3d-%-3d ", band * 10, band == BANDS - 1 ? 100 : band * 10 + 9);
    for (int k = 0; k < count; k++) putchar('*');
    putchar('\n');
}

int main(void) {
    int passed = 0;
    int bands[BANDS] = {0};
    for (int i = 0; i < COUNT; i++) {
        int score = scores[i];
        if (score >= PASS) passed++;
        bands[band_of(score)]++;
    }
    for (int b = 0; b < BANDS; b++) print_band(b, bands[b]);
    printf("%d of %d passed\n", passed, COUNT);
    return 0;
}
