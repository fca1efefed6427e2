/* trap: end abnormally. "abort" calls abort(); "oob" stores far outside memory;
   "div" divides by zero. Everything is flushed first, so no output depends on buffering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void store_far(volatile int *p) { *p = 42; }

__attribute__((noinline)) static int divide(volatile int a, volatile int b) { return a / b; }

__attribute__((noinline)) static void fail(const char *how) {
    fprintf(stderr, "about to fail: %s\n", how);
    fflush(stdout);
    if (strcmp(how, "oob") == 0) store_far((volatile int *)(~(unsigned long)0 - 64));
    if (strcmp(how, "div") == 0) printf("%d\n", divide(1, 0));
    abort();
}

int main(int argc, char **argv) {
    printf("before the trap\n");
    fail(argc > 1 ? argv[1] : "abort");
    printf("not reached\n");
    return 0;
}
