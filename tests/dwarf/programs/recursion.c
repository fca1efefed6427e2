/* Recursion (factorial, Fibonacci, a binary tree), loops of every kind and pointers to
 * ints (tests/dwarf). Lines marked `stop` are where the differential test against gdb breaks. */
#include <stdio.h>
#include <stdlib.h>

struct tree {
    int key;
    struct tree *left;
    struct tree *right;
};

static long fact(int n) {
    long rest = 1;
    if (n <= 1) {
        return rest; /* stop */
    }
    rest = fact(n - 1);
    return n * rest; /* stop */
}

static int fib(int n) {
    if (n < 2)
        return n;
    int a = fib(n - 1);
    int b = fib(n - 2);
    return a + b;
}

static struct tree *insert(struct tree *t, int key) {
    if (t == NULL) {
        struct tree *leaf = calloc(1, sizeof *leaf);
        leaf->key = key; /* stop */
        return leaf;
    }
    if (key < t->key)
        t->left = insert(t->left, key);
    else
        t->right = insert(t->right, key);
    return t;
}

static int depth(const struct tree *t) {
    if (!t)
        return 0;
    int l = depth(t->left);
    int r = depth(t->right);
    return 1 + (l > r ? l : r); /* stop */
}

static void swap(int *p, int *q) {
    int tmp = *p;
    *p = *q; /* stop */
    *q = tmp;
}

static int gcd(int a, int b) {
    do {
        int r = a % b;
        a = b; /* stop */
        b = r;
    } while (b != 0);
    return a;
}

int main(void) {
    int keys[7] = {50, 30, 70, 20, 40, 60, 80};
    struct tree *root = NULL;
    for (int i = 0; i < 7; i++) {
        root = insert(root, keys[i]);
    }
    int x = 3, y = 8;
    long f = 0;
    int fb = 0, g = 0, d = 0;
    int countdown = 3;
    swap(&x, &y);
    f = fact(5);
    fb = fib(10);
    g = gcd(84, 36);
    d = depth(root);
    while (countdown > 0) {
        countdown--; /* stop */
    }
    printf("%ld %d %d %d %d %d %d\n", f, fb, g, d, x, y, root->left->key);
    return 0; /* stop */
}
