/* exit3: print a line on each stream and leave with exit status 3. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("leaving with status 3\n");
    fprintf(stderr, "exit(3) called\n");
    exit(3);
}
