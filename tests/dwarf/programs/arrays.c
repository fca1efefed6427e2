/* Arrays (one, two and three dimensions), char arrays and char* strings, loops over them
 * (tests/dwarf). Lines marked `stop` are where the differential test against gdb breaks. */
#include <stdio.h>
#include <string.h>

static int total(const int *xs, int n) {
    int sum = 0;
    for (int k = 0; k < n; k++) {
        sum += xs[k]; /* stop */
    }
    return sum;
}

static void sort(int *xs, int n) {
    for (int a = 0; a < n; a++) {
        for (int b = a + 1; b < n; b++) {
            if (xs[b] < xs[a]) {
                int tmp = xs[a];
                xs[a] = xs[b]; /* stop */
                xs[b] = tmp;
            }
        }
    }
}

static int trace(int m[3][4]) {
    int t = 0;
    for (int r = 0; r < 3; r++) {
        t += m[r][r]; /* stop */
    }
    return t;
}

static void reverse(char *s) {
    size_t len = strlen(s);
    char *lo = s;
    char *hi = s + len - 1;
    while (lo < hi) {
        char c = *lo;
        *lo = *hi; /* stop */
        *hi = c;
        lo++;
        hi--;
    }
}

static int vowels(const char *text) {
    int count = 0;
    const char *p = text;
    while (*p) {
        if (strchr("aeiou", *p)) {
            count++; /* stop */
        }
        p++;
    }
    return count;
}

int main(void) {
    int nums[6] = {5, 3, 9, 1, 7, 2};
    int grid[3][4] = {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}};
    short cube[2][2][2] = {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}};
    int zeros[16] = {0};
    char word[16] = "wasm";
    char empty[16] = {0};
    char full[4] = {'a', 'b', 'c', 'd'};
    const char *greeting = "hello, world";
    const char *nothing = 0;
    int before = 0, tr = 0, v = 0;
    before = total(nums, 6); /* stop */
    sort(nums, 6);
    tr = trace(grid);
    reverse(word);
    v = vowels(greeting);
    printf("%d %d %d %s %d %d %d %c %d %s\n", before, nums[0], tr, word, v, cube[1][0][1], zeros[3], full[2],
           empty[0], nothing ? nothing : "-");
    return 0; /* stop */
}
