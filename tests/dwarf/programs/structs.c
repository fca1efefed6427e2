/* Structs, nested structs, unions, enums and typedefs, arrays of structs, pointers to
 * structs (tests/dwarf). Lines marked `stop` are where the differential test against gdb breaks. */
#include <stdio.h>
#include <string.h>

enum shape_kind { CIRCLE, RECT, TRIANGLE };

struct point { int x; int y; };

typedef struct {
    struct point min;
    struct point max;
} box;

union number {
    int i;
    unsigned char bytes[4];
};

struct shape {
    enum shape_kind kind;
    char name[12];
    box bounds;
    union number tag;
    struct shape *next;
};

static int area(const box *b) {
    int w = b->max.x - b->min.x;
    int h = b->max.y - b->min.y;
    return w * h; /* stop */
}

static void grow(struct shape *s, int by) {
    s->bounds.max.x += by;
    s->bounds.max.y += by; /* stop */
}

static int count(struct shape *first) {
    int n = 0;
    struct shape *s = first;
    while (s) {
        n++; /* stop */
        s = s->next;
    }
    return n;
}

int main(void) {
    struct point origin = {0, 0};
    box unit = {{0, 0}, {1, 1}};
    union number num;
    num.i = 0x41424344;
    struct shape shapes[3];
    memset(shapes, 0, sizeof shapes);
    shapes[0].kind = RECT;
    strcpy(shapes[0].name, "first");
    shapes[0].bounds = unit;
    shapes[0].tag = num;
    shapes[1].kind = CIRCLE;
    strcpy(shapes[1].name, "second");
    shapes[1].bounds.max.x = 4;
    shapes[1].bounds.max.y = 3;
    shapes[0].next = &shapes[1];
    shapes[1].next = &shapes[2];
    shapes[2].kind = TRIANGLE;
    struct shape *head = &shapes[0];
    box *bp = &unit;
    int a = 0;
    int n = 0;
    a = area(bp); /* stop */
    grow(head, 2);
    a += area(&shapes[1].bounds);
    n = count(head);
    printf("%d %d %d %d %s\n", a, n, origin.x, num.bytes[0], head->next->name);
    return 0; /* stop */
}
