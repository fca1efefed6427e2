/* cat: copy the named files (or standard input) to standard output. */
#include <stdio.h>

static int copy(FILE *in) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (fwrite(buf, 1, n, stdout) != n) return 1;
    }
    return ferror(in) ? 1 : 0;
}

int main(int argc, char **argv) {
    int status = 0;
    if (argc < 2) return copy(stdin);
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "cat: cannot open %s\n", argv[i]);
            status = 1;
            continue;
        }
        status |= copy(f);
        fclose(f);
    }
    return status;
}
