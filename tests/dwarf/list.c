/* A linked list, an array, a struct and a string: what the DWARF tests look at (tests/dwarf). */
#include <stdio.h>
#include <stdlib.h>

struct node { int value; struct node *next; };
typedef struct { int num; int den; } frac;

static struct node *push(struct node *head, int v) {
    struct node *n = malloc(sizeof *n);
    n->value = v;
    n->next = head;
    return n;
}

int sum(struct node *n) {
    int total = 0;
    while (n) {
        total += n->value;
        n = n->next;
    }
    return total;
}

int main(void) {
    struct node *list = 0;
    int arr[5] = {1, 2, 3, 4, 5};
    frac f = {12, 18};
    const char *name = "list";
    for (int i = 0; i < 5; i++) list = push(list, arr[i]);
    printf("%s %d %d/%d\n", name, sum(list), f.num, f.den);
    return 0;
}
