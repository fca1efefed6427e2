/* args: print the arguments, then the value of each variable named after "--". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int vars = 0;
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) {
        if (!vars && strcmp(argv[i], "--") == 0) { vars = 1; continue; }
        if (vars) {
            const char *v = getenv(argv[i]);
            printf("%s=%s\n", argv[i], v ? v : "(unset)");
        } else {
            printf("argv[%d]=%s\n", i, argv[i]);
        }
    }
    return 0;
}
